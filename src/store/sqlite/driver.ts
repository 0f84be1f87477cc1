// SQLite through better-sqlite3 on the writer thread's connection, statements prepared once.
// Group commit: every write asked for during one turn of the event loop is committed in one
// transaction (each in its own savepoint, so one failing write undoes only itself), in the
// writer's turn (turns.ts), and each caller is answered after that COMMIT. The COMMIT does not
// wait for the disk (synchronous=NORMAL): the writer's main-thread side flushes the WAL
// (wal-flush.ts) before it hands any answer on.
import Database from "better-sqlite3";
import { driveSync, RollbackWith, sqlTime, UniqueViolation, type SqlDriver, type SqlOp, type SqlWork } from "../sql-driver.ts";
import type { Turns } from "./turns.ts";

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
  private readonly turns: Turns;
  readonly provider = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly inSavepoint: (work: () => SqlWork<unknown>) => unknown;
  private readonly batch: (batch: Pending[], outcomes: Outcome[]) => void;
  /** COMMIT syncs the WAL itself (no WAL: an in-memory database); else the owner flushes it (WalFlush) before handing results on. */
  readonly syncsOnCommit: boolean;

  constructor(path: string, turns: Turns) {
    this.turns = turns;
    this.db = new Database(path, { timeout: 5000 });
    this.syncsOnCommit = this.db.pragma("journal_mode = WAL", { simple: true }) !== "wal";
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
        setImmediate(this.commitInTurn);
      }
    });
  }

  private readonly commitInTurn = (): void => {
    if (this.turns.tryWriterTurn()) this.commitAndEndTurn();
    else void this.turns.writerTurn().then(() => this.commitAndEndTurn());
  };

  private commitAndEndTurn(): void {
    try {
      this.commit();
    } finally {
      this.turns.end();
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
