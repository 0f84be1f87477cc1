import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./tests/helpers/longest-first-sequencer.ts";

/** Files that replace a module (vi.mock) and so need a module graph of their own. */
const OWN_MODULES = ["tests/wal-flush.test.ts"];

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
      // A worker runs its files one after another in one module graph: the app's modules are
      // loaded once per worker, not once per file (a tenth of the suite's CPU). Each file still
      // starts and stops its own apps, databases and fakes.
      { extends: true, test: { name: "shared", include: ["tests/**/*.test.ts"], exclude: OWN_MODULES, isolate: false } },
      { extends: true, test: { name: "own", include: OWN_MODULES } },
    ],
  },
});
