// The order of WAL flushes and answers (src/store/wal-flush.ts), with fdatasync held by the
// test so each flush's start and end are visible: nobody hears "done" before a flush that began
// after their commit (or read) has finished. Real flushes run under every SQLite test, which
// goes through the step thread.
import { beforeEach, describe, expect, it, vi } from "vitest";

const flushes: ((error: Error | null) => void)[] = [];
vi.mock("node:fs", async (original) => ({
  ...(await original<typeof import("node:fs")>()),
  openSync: () => 99,
  closeSync: () => {},
  fdatasync: (_fd: number, done: (error: Error | null) => void) => flushes.push(done),
}));

const { WalFlush } = await import("../src/store/wal-flush.ts");

describe("WAL flush", () => {
  let wal: InstanceType<typeof WalFlush>;
  let answered: string[];
  const answer = (name: string) => (error?: Error) => answered.push(error ? `${name}: ${error.message}` : name);

  beforeEach(() => {
    flushes.length = 0;
    wal = new WalFlush("/nowhere/db-wal");
    answered = [];
  });

  it("answers a commit only after a flush that began after it; commits during a flush wait for the next one", () => {
    wal.committed(answer("a"));
    expect(flushes).toHaveLength(1);
    wal.committed(answer("b"));
    wal.committed(answer("c"));
    expect(flushes).toHaveLength(1); // one flush at a time
    expect(answered).toEqual([]);

    flushes[0]!(null);
    expect(answered).toEqual(["a"]);
    expect(flushes).toHaveLength(2); // b and c share the next flush
    flushes[1]!(null);
    expect(answered).toEqual(["a", "b", "c"]);
    expect(wal.busy).toBe(false);
  });

  it("answers a read at once when everything committed is on disk, else after the flush that covers the last commit", () => {
    wal.read(answer("read before any commit"));
    expect(answered).toEqual(["read before any commit"]);

    wal.committed(answer("a")); // flush 1 begins
    wal.read(answer("read 1")); // sees a: flush 1 covers it
    wal.committed(answer("b")); // after flush 1 began: needs flush 2
    wal.read(answer("read 2")); // sees b
    flushes[0]!(null);
    expect(answered).toEqual(["read before any commit", "a", "read 1"]);
    flushes[1]!(null);
    expect(answered).toEqual(["read before any commit", "a", "read 1", "b", "read 2"]);

    wal.read(answer("read after all flushed"));
    expect(answered.at(-1)).toBe("read after all flushed");
    expect(flushes).toHaveLength(2);
  });

  it("a failed flush fails everyone waiting for it, and the next commit flushes again", () => {
    wal.committed(answer("a"));
    flushes[0]!(new Error("EIO"));
    expect(answered).toEqual(["a: EIO"]);
    wal.committed(answer("b"));
    expect(flushes).toHaveLength(2);
    flushes[1]!(null);
    expect(answered).toEqual(["a: EIO", "b"]);
  });
});
