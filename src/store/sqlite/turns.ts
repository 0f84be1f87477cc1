// Taking turns with the SQLite writer. Prisma (the store's other operations, on the main
// thread) and the writer thread (writer-thread.ts) reach the same file over two connections;
// their writes take turns through one word in shared memory, waited on without blocking.
// Prisma's operations also run one at a time: a transaction of theirs spans several
// event-loop turns, and the writer must not find the file changed under it.
const FREE = 0;
const WRITER = 1;
const PRISMA = 2;

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: Promise<unknown> | string };
// In the ES2024 library, not in the ES2023 one this project compiles against.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class Turns {
  readonly buffer: SharedArrayBuffer;
  private readonly word: Int32Array;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(buffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.word = new Int32Array(buffer);
  }

  /** The writer thread's turn for one group commit, if nobody holds it now. */
  tryWriterTurn(): boolean {
    return Atomics.compareExchange(this.word, 0, FREE, WRITER) === FREE;
  }

  /** Waits for the writer thread's turn, without blocking its event loop. */
  writerTurn(): Promise<void> {
    return this.take(WRITER);
  }

  /** Runs a Prisma operation in its turn: after the ones before it, while the writer waits. */
  prismaTurn<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      await this.take(PRISMA);
      try {
        return await operation();
      } finally {
        this.end();
      }
    });
    this.tail = result.catch(() => {});
    return result;
  }

  private async take(owner: number): Promise<void> {
    for (;;) {
      const holder = Atomics.compareExchange(this.word, 0, FREE, owner);
      if (holder === FREE) return;
      const wait = waitAsync(this.word, 0, holder);
      if (wait.async) await wait.value;
    }
  }

  end(): void {
    Atomics.store(this.word, 0, FREE);
    Atomics.notify(this.word, 0);
  }
}
