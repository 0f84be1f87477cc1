// Prints the slowest test files after a run, so a slow file is seen where it is added.
import type { Reporter, TestModule } from "vitest/node";

const SHOWN = 8;

export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const files = modules
      .map((m) => ({ file: m.relativeModuleId, seconds: m.diagnostic().duration / 1000, tests: [...m.children.allTests()].length }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, SHOWN);
    if (files.length === 0) return;
    const lines = files.map((f) => `  ${f.seconds.toFixed(1).padStart(6)} s  ${f.file} (${f.tests} tests)`);
    process.stdout.write(`\nSlowest test files:\n${lines.join("\n")}\n`);
  }
}
