import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./tests/helpers/longest-first-sequencer.ts";

/** Files that replace a Node built-in (vi.mock("node:fs")), which needs Vite's module runner. */
const VITE_RUNNER = ["tests/wal-flush.test.ts"];

// Node's compile cache keeps each file's stripped TypeScript and compiled code for the next
// process: every test file's process, the SQLite writer threads they start and the server
// processes (tests/helpers/server-process.ts) load the app's modules without compiling them again.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), "safeline-node-compile-cache");

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The tests mostly wait on HTTP, databases and child processes, not the CPU: two files
    // per core keep a small machine busy (vitest's default, cores − 1, runs one at a time on 2).
    maxWorkers: Number(process.env.TEST_WORKERS ?? Math.max(2, availableParallelism() * 2)),
    reporters: ["default", "./tests/helpers/slowest-files-reporter.ts"],
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      // Node loads the code itself (its type stripping), as in production: faster than Vite's
      // module runner, which each test file's process would otherwise run the app's modules through.
      { extends: true, test: { name: "node", include: ["tests/**/*.test.ts"], exclude: VITE_RUNNER, experimental: { viteModuleRunner: false, nodeLoader: false } } },
      { extends: true, test: { name: "vite", include: VITE_RUNNER } },
    ],
  },
});
