// Preloaded into the server under test (node --expose-gc --import ./bench/probe.ts). On SIGUSR2
// it runs a full garbage collection and prints one `BENCH_PROBE {…}` line with
// process.memoryUsage(), so memory is compared in the same state (after GC), not whenever
// V8 last happened to collect. Changes nothing else in the server.
const gc = (globalThis as { gc?: () => void }).gc;

process.on("SIGUSR2", () => {
  gc?.();
  gc?.();
  process.stdout.write(`BENCH_PROBE ${JSON.stringify(process.memoryUsage())}\n`);
});
