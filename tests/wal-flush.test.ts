// The order of WAL flushes and answers (src/store/sqlite/wal-flush.ts), with fdatasync held by the
// test so each flush's start and end are visible: nobody hears "done" before a flush that began
// after their commit (or read) has finished. Then the same through the SQLite writer thread, whose
// commits do not wait for the disk: its answers are handed on only after this (the main)
// thread's flush. Real flushes run under every other SQLite test.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const WAL_FD = 99;
const flushes: ((error: Error | null) => void)[] = [];
/** Off: flushes finish by themselves (for closing the writer thread). */
const held = { flushes: true };
vi.mock("node:fs", async (original) => {
  const fs = await original<typeof import("node:fs")>();
  return {
    ...fs,
    openSync: (path: string, flags: string = "r") => (String(path).endsWith("-wal") ? WAL_FD : fs.openSync(path, flags)),
    closeSync: (fd: number) => (fd === WAL_FD ? undefined : fs.closeSync(fd)),
    fdatasync: (fd: number, done: (error: Error | null) => void) =>
      fd !== WAL_FD ? fs.fdatasync(fd, done) : held.flushes ? flushes.push(done) : setImmediate(() => done(null)),
  };
});

const { WalFlush } = await import("../src/store/sqlite/wal-flush.ts");
const { SqliteWriter } = await import("../src/store/sqlite/writer.ts");
const { migrate } = await import("../src/store/migrate.ts");
const { createTestDatabase } = await import("./helpers/databases.ts");
const { silentLog, webEvent } = await import("./helpers/engine-harness.ts");
const { sleep } = await import("./helpers/server-process.ts");
const { sqlitePath } = await import("../src/store/database-url.ts");

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
    expect(flushes).toHaveLength(2); // nobody left waiting: no further flush
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

describe("the writer thread's answers come after the main thread's WAL flush", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let writer: Awaited<ReturnType<typeof SqliteWriter.start>>;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    await migrate(db.url);
    writer = await SqliteWriter.start({ path: sqlitePath(db.url), keys: [], decider: {} }, silentLog);
  });

  afterAll(async () => {
    held.flushes = false;
    for (const flush of flushes.splice(0)) flush(null);
    await writer.close();
    await db.drop();
  });

  beforeEach(() => {
    flushes.length = 0;
  });

  /** Resolves once the test has seen `n` flushes begin. */
  const flushesBegun = (n: number) => vi.waitUntil(() => flushes.length >= n, { timeout: 5000, interval: 5 });
  const state = <T>(promise: Promise<T>) => {
    const seen = { settled: false };
    void promise.then(() => (seen.settled = true), () => (seen.settled = true));
    return seen;
  };

  it("a committed step is answered only once a flush that began after the commit has finished", async () => {
    const step = writer.calls.step(webEvent("wal-1", { type: "COMMAND", command: "start" }), { run: true });
    const answered = state(step);
    await flushesBegun(1);
    await sleep(50);
    expect(answered.settled).toBe(false); // committed on the writer thread, not yet on disk
    flushes[0]!(null);
    await expect(step).resolves.toMatchObject({ duplicate: false, outboundCount: 1 });
  });

  it("a read that saw an unflushed commit waits for that commit's flush; a failed flush fails the commit's caller", async () => {
    const step = writer.calls.step(webEvent("wal-2", { type: "COMMAND", command: "start" }), { run: true });
    const failed = expect(step).rejects.toThrow("EIO");
    await flushesBegun(1);
    const read = writer.calls.rows<{ n: number }>(`SELECT count(*) AS "n" FROM "Conversation" WHERE "chatId" = 'wal-2'`);
    const readAnswered = state(read);
    await sleep(50);
    expect(readAnswered.settled).toBe(false); // it saw the step's commit, which is not on disk yet
    flushes[0]!(new Error("EIO"));
    await failed;
    await expect(read).rejects.toThrow("EIO");

    // Nothing unflushed: the next read waits for no flush.
    const later = writer.calls.rows<{ n: number }>(`SELECT count(*) AS "n" FROM "Conversation" WHERE "chatId" = 'wal-2'`);
    await expect(later).resolves.toEqual([{ n: 1 }]);
    expect(flushes).toHaveLength(1);
  });
});
