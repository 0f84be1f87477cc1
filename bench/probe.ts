// Preloaded into the server under test (node --expose-gc --import ./bench/probe.ts). On SIGUSR2
// it runs a full garbage collection and prints one `BENCH_PROBE {…}` line with
// process.memoryUsage(), so memory is compared in the same state (after GC), not whenever
// V8 last happened to collect. It also reports the heap of each worker thread (the step
// thread), which RSS includes but the main thread's figures do not: preloads do not run in
// workers and a worker cannot be collected from outside, so those figures are as the worker's
// V8 last left them (`heapTotal` is what its heap holds from the system). Changes nothing else.
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { Worker as WorkerType } from "node:worker_threads";

const gc = (globalThis as { gc?: () => void }).gc;

// Workers are seen as they are made: the Worker class is wrapped before the server's modules load.
const threads = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
const workers = new Set<WorkerType>();
threads.Worker = class extends threads.Worker {
  constructor(...args: ConstructorParameters<typeof WorkerType>) {
    super(...args);
    workers.add(this);
    this.once("exit", () => workers.delete(this));
  }
};
syncBuiltinESMExports();

process.on("SIGUSR2", async () => {
  gc?.();
  gc?.();
  const workerHeaps = await Promise.all(
    [...workers].map(async (w) => {
      const h = await w.getHeapStatistics();
      return { heapTotal: h.total_heap_size, heapUsed: h.used_heap_size, external: h.external_memory, malloced: h.malloced_memory };
    }),
  );
  process.stdout.write(`BENCH_PROBE ${JSON.stringify({ ...process.memoryUsage(), workers: workerHeaps })}\n`);
});
