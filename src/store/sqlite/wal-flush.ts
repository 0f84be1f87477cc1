// Durability of SQLite commits without blocking the thread that commits. The connection runs
// with synchronous=NORMAL, so COMMIT writes its frames to the WAL file without an fsync; this
// flushes the WAL file (fdatasync, on libuv's thread pool) and answers each waiter once a flush
// that began after its commit, or after its read, has finished. Meanwhile the next group commit
// runs. One flush at a time: commits made during a flush share the next one. It runs on the
// thread that hands the answers on (writer.ts), which learns of each commit after it.
//
// Why this is as durable as synchronous=FULL for everything acknowledged: a transaction is
// committed once its frames are in the WAL, and recovery replays the WAL's frames in order up to
// the last valid commit, so a flushed WAL holds every commit written before the flush began.
// With NORMAL, SQLite itself syncs the WAL before a checkpoint copies frames into the database
// and syncs the database before the WAL is reused, so frames are never overwritten before their
// pages are on disk. The WAL file is the same file while the connection is open (WAL mode, no
// journal_size_limit), so one descriptor serves for every flush.
import { closeSync, fdatasync, openSync } from "node:fs";

interface Waiter {
  flush: number;
  done: (error?: Error) => void;
}

export class WalFlush {
  private readonly walPath: string;
  private fd: number | undefined;
  private started = 0;
  private finished = 0;
  /** The flush the latest commit needs: the first one to begin after it. */
  private needed = 0;
  private flushing = false;
  private waiters: Waiter[] = [];

  constructor(walPath: string) {
    this.walPath = walPath;
  }

  /** After a COMMIT: `done` runs once the commit is on disk. */
  committed(done: (error?: Error) => void): void {
    this.needed = this.started + 1;
    this.wait(this.needed, done);
  }

  /** After a read: `done` runs once everything committed before it is on disk, so nothing not durable leaves the process. */
  read(done: (error?: Error) => void): void {
    this.wait(this.needed, done);
  }

  private wait(flush: number, done: (error?: Error) => void): void {
    if (flush <= this.finished) return done();
    this.waiters.push({ flush, done });
    if (!this.flushing) this.flush();
  }

  private flush(): void {
    this.flushing = true;
    const flush = ++this.started;
    let fd: number;
    try {
      fd = this.fd ??= openSync(this.walPath, "r");
    } catch (error) {
      return this.flushed(flush, error as Error);
    }
    fdatasync(fd, (error) => this.flushed(flush, error ?? undefined));
  }

  private flushed(flush: number, error?: Error): void {
    this.flushing = false;
    this.finished = flush;
    const ready = this.waiters.filter((w) => w.flush <= flush);
    this.waiters = this.waiters.filter((w) => w.flush > flush);
    for (const w of ready) w.done(error);
    if (this.waiters.length > 0) this.flush();
  }

  /** After the last commit has been answered. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
