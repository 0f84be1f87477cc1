// The writer's door to the database: plain SQL on the drivers (better-sqlite3, pg), not
// through Prisma's query engine. Work that needs a transaction is written once, as a
// generator that yields statements and receives their results, so the same code runs
// synchronously on SQLite (inside a group commit) and asynchronously on PostgreSQL.
// SQL is written with `?` placeholders and double-quoted identifiers, valid on both.
import type { Provider } from "./database-url.ts";

/** One statement: `rows` answers with the result rows, `changes` with the number of rows changed. */
export interface SqlOp {
  sql: string;
  params: unknown[];
  returns: "rows" | "changes";
}

/** Work inside one transaction: yields statements, receives each one's result, returns T. */
export type SqlWork<T> = Generator<SqlOp, T, unknown>;

export function* all<T>(sql: string, ...params: unknown[]): Generator<SqlOp, T[], unknown> {
  return (yield { sql, params, returns: "rows" }) as T[];
}

export function* run(sql: string, ...params: unknown[]): Generator<SqlOp, number, unknown> {
  return (yield { sql, params, returns: "changes" }) as number;
}

/** Thrown by work to undo everything it did and still answer `value`. */
export class RollbackWith<T> {
  readonly value: T;

  constructor(value: T) {
    this.value = value;
  }
}

/** A unique constraint of `table` refused a row (the driver's own error is in `cause`). */
export class UniqueViolation extends Error {
  readonly table: string;

  constructor(table: string, cause: unknown) {
    super(`unique constraint on ${table}`, { cause });
    this.table = table;
  }
}

export interface SqlDriver {
  readonly provider: Provider;
  /** A read of committed data, outside any transaction. */
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** One write statement, atomic by itself; answers the number of rows it changed. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** One write statement with RETURNING, atomic by itself; answers the rows it returned. */
  executeReturning<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in a transaction and answers once it is committed (durable). */
  transaction<T>(work: () => SqlWork<T>): Promise<T>;
  close(): Promise<void>;
}

/** Drives `work` to its end, feeding each statement's result back in (synchronous drivers). */
export function driveSync<T>(work: SqlWork<T>, exec: (op: SqlOp) => unknown): T {
  let step = work.next();
  while (!step.done) step = work.next(exec(step.value));
  return step.value;
}

/** Drives `work` to its end, awaiting each statement (asynchronous drivers). */
export async function driveAsync<T>(work: SqlWork<T>, exec: (op: SqlOp) => Promise<unknown>): Promise<T> {
  let step = work.next();
  while (!step.done) step = work.next(await exec(step.value));
  return step.value;
}

/** Timestamps as Prisma stores them: UTC ISO-8601 with "+00:00" (SQLite adapter format; PostgreSQL reads it as UTC). */
export const sqlTime = (date: Date): string => date.toISOString().replace("Z", "+00:00");
