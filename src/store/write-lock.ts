// Prisma (cold paths, on the main thread) and the hot path write the same SQLite file over
// two connections. When the hot path runs on a thread of its own (step thread), the two
// take turns through this lock: one word in shared memory, waited on without blocking.
const FREE = 0;

export const HOT_PATH = 1;
export const COLD_PATHS = 2;

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: Promise<unknown> | string };
// In the ES2024 library, not in the ES2023 one this project compiles against.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class WriteLock {
  private readonly word: Int32Array;

  constructor(readonly buffer = new SharedArrayBuffer(4)) {
    this.word = new Int32Array(buffer);
  }

  /** Takes the lock for `owner` if it is free. */
  tryTake(owner: number): boolean {
    return Atomics.compareExchange(this.word, 0, FREE, owner) === FREE;
  }

  /** Waits until the lock is free, without blocking the thread, and takes it for `owner`. */
  async take(owner: number): Promise<void> {
    for (;;) {
      const holder = Atomics.compareExchange(this.word, 0, FREE, owner);
      if (holder === FREE) return;
      const wait = waitAsync(this.word, 0, holder);
      if (wait.async) await wait.value;
    }
  }

  release(): void {
    Atomics.store(this.word, 0, FREE);
    Atomics.notify(this.word, 0);
  }
}
