import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./tests/helpers/longest-first-sequencer.ts";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The tests mostly wait on HTTP, databases and child processes, not the CPU: two files
    // per core keep a small machine busy (vitest's default, cores − 1, runs one at a time on 2).
    maxWorkers: Number(process.env.TEST_WORKERS ?? Math.max(2, availableParallelism() * 2)),
    reporters: ["default", "./tests/helpers/slowest-files-reporter.ts"],
    sequence: { sequencer: LongestFirstSequencer },
  },
});
