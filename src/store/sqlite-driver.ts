// SQLite through better-sqlite3 on a connection of its own, statements prepared once.
// Group commit: every write asked for during one turn of the event loop is committed in one
// transaction (each in its own savepoint, so one failing write undoes only itself), and each
// caller is answered after that COMMIT. With synchronous=FULL the COMMIT itself fsyncs the WAL,
// so an answer means the write is on disk. With `flushedByOwner` (the step thread) COMMIT does
// not wait for the disk: the thread's owner flushes the WAL (wal-flush.ts) before it hands
// anything on.
import Database from "better-sqlite3";
import { driveSync, RollbackWith, sqlTime, UniqueViolation, type SqlDriver, type SqlOp, type SqlWork } from "./sql-driver.ts";
import { COLD_PATHS, HOT_PATH, type WriteLock } from "./write-lock.ts";

/**
 * Prisma keeps a second connection to the same file for the cold paths (staff console,
 * staff actions). Its transactions span several event-loop turns, so its operations take
 * turns here and a group commit starts only while none of them is under way; otherwise the
 * synchronous writer would wait, blocking the event loop, for a lock held by Prisma (or
 * Prisma's transaction would find the file changed under its snapshot). When the hot path
 * runs on the step thread, each operation also holds the shared write lock.
 */
export class SqliteGate {
  private tail: Promise<unknown> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly lock?: WriteLock) {}

  get idle(): boolean {
    return this.inFlight === 0;
  }

  run<T>(operation: () => Promise<T>): Promise<T> {
    this.inFlight++;
    const lock = this.lock;
    const result = this.tail.then(
      lock
        ? async () => {
            await lock.take(COLD_PATHS);
            try {
              return await operation();
            } finally {
              lock.release();
            }
          }
        : operation,
    );
    this.tail = result.then(this.done, this.done);
    return result;
  }

  private readonly done = () => {
    this.inFlight--;
  };
}

interface Pending {
  /** Work of several statements, run in a savepoint of its own; or one statement, atomic by itself. */
  work: (() => SqlWork<unknown>) | SqlOp;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { value: unknown } | { error: unknown };

const sqliteValue = (value: unknown) =>
  typeof value === "boolean" ? (value ? 1 : 0) : value instanceof Date ? sqlTime(value) : value === undefined ? null : value;

function translated(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  if (e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    // "UNIQUE constraint failed: Message.channel, Message.platformEventId"
    const table = e.message?.split("failed: ")[1]?.split(".")[0] ?? "?";
    return new UniqueViolation(table, error);
  }
  return error;
}

export class SqliteDriver implements SqlDriver {
  readonly provider = "sqlite" as const;
  readonly gate = new SqliteGate();
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly inSavepoint: (work: () => SqlWork<unknown>) => unknown;
  private readonly batch: (batch: Pending[], outcomes: Outcome[]) => void;
  private readonly lock: WriteLock | undefined;
  /** COMMIT syncs the WAL itself; when false, the owner must flush it (WalFlush) before handing results on. */
  readonly syncsOnCommit: boolean;

  /**
   * `lock`: on the step thread, the lock shared with the main thread's Prisma operations
   * (instead of `gate`). `flushedByOwner`: COMMIT writes the WAL without syncing it, and
   * answers at once; whoever hands the answers (and what was read) on must first flush the
   * WAL file (WalFlush), so that this thread never waits for the disk (bench/README.md has
   * what it saves). Without it, every answered write is on disk when answered.
   */
  constructor(path: string, options: { lock?: WriteLock; flushedByOwner?: boolean } = {}) {
    this.lock = options.lock;
    this.db = new Database(path, { timeout: 5000 });
    const wal = this.db.pragma("journal_mode = WAL", { simple: true }) === "wal";
    // An in-memory database has no WAL to flush: it keeps FULL (which is moot there).
    this.syncsOnCommit = !(wal && options.flushedByOwner);
    this.db.pragma(`synchronous = ${this.syncsOnCommit ? "FULL" : "NORMAL"}`);
    this.inSavepoint = this.db.transaction((work: () => SqlWork<unknown>) => driveSync(work(), this.exec));
    this.batch = this.db.transaction((batch: Pending[], outcomes: Outcome[]) => this.commitBatch(batch, outcomes)).immediate;
  }

  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  private readonly exec = (op: SqlOp): unknown => {
    const stmt = this.statement(op.sql);
    const params = op.params.map(sqliteValue);
    try {
      return op.returns === "rows" ? stmt.all(...params) : stmt.run(...params).changes;
    } catch (error) {
      throw translated(error);
    }
  };

  rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return Promise.resolve(this.statement(sql).all(...params.map(sqliteValue)) as T[]);
    } catch (error) {
      return Promise.reject(translated(error));
    }
  }

  execute(sql: string, params: unknown[] = []): Promise<number> {
    return this.enqueue({ sql, params, returns: "changes" });
  }

  executeReturning<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.enqueue({ sql, params, returns: "rows" });
  }

  transaction<T>(work: () => SqlWork<T>): Promise<T> {
    return this.enqueue(work);
  }

  private enqueue<T>(work: Pending["work"]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    const lock = this.lock;
    if (!lock) {
      if (this.gate.idle) this.commit();
      else void this.gate.run(async () => this.commit());
    } else if (lock.tryTake(HOT_PATH)) {
      this.commitAndRelease(lock);
    } else {
      void lock.take(HOT_PATH).then(() => this.commitAndRelease(lock));
    }
  };

  private commitAndRelease(lock: WriteLock): void {
    try {
      this.commit();
    } finally {
      lock.release();
    }
  }

  /** One transaction for the batch; each work of several statements inside it in a savepoint (better-sqlite3 nests them so). */
  private commitBatch(batch: Pending[], outcomes: Outcome[]): void {
    for (const [i, p] of batch.entries()) {
      try {
        // A failing statement undoes only itself; several statements need a savepoint for that.
        outcomes[i] = { value: typeof p.work === "function" ? this.inSavepoint(p.work) : this.exec(p.work) };
      } catch (error) {
        // Some errors (I/O, disk full) make SQLite abandon the whole transaction: then every write of the batch fails.
        if (!this.db.inTransaction) throw error;
        outcomes[i] = error instanceof RollbackWith ? { value: error.value } : { error };
      }
    }
  }

  private commit(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const outcomes: Outcome[] = new Array(batch.length);
    try {
      this.batch(batch, outcomes);
    } catch (error) {
      for (const p of batch) p.reject(translated(error));
      return;
    }
    for (const [i, p] of batch.entries()) {
      const outcome = outcomes[i]!;
      if ("error" in outcome) p.reject(outcome.error);
      else p.resolve(outcome.value);
    }
  }

  async close(): Promise<void> {
    while (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
    this.db.close();
  }
}
