// Reads the database behind the app directly (not through the store), for assertions,
// and changes it where a test must (aging rows).
// Works for both providers: SQLite through better-sqlite3 (path = url without `file:`),
// PostgreSQL through pg. Write placeholders as `?`; they become `$1, $2, …` on PostgreSQL
// (so `?` must not appear inside SQL string literals). Quote camelCase columns ("chatId").
import Database from "better-sqlite3";
import pg from "pg";
import { providerOf, sqlitePath } from "../../src/store/database-url.ts";

export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (providerOf(url) === "sqlite") {
    const db = new Database(sqlitePath(url), { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  return (await onPostgres(url, sql, params)).rows as T[];
}

/**
 * A small pool per database: tests poll with these reads, and a connection per read costs
 * PostgreSQL a backend each time (about 8 ms of its CPU). Idle connections close after a
 * second; a database dropped WITH (FORCE) ends its pool's connections, which is not an error.
 */
const pools = new Map<string, pg.Pool>();

function poolFor(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 3, idleTimeoutMillis: 1000, allowExitOnIdle: true });
    pool.on("error", () => {});
    pools.set(url, pool);
  }
  return pool;
}

async function onPostgres(url: string, sql: string, params: unknown[]): Promise<pg.QueryResult> {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  return poolFor(url).query(text, params);
}

/** `SELECT COUNT(*) …` as a number on both providers (pg returns bigint counts as strings). */
export async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await query<Record<string, unknown>>(url, sql, params);
  const first = rows[0];
  if (!first) throw new Error("count query returned no row");
  return Number(Object.values(first)[0]);
}

/** Runs a statement that changes the database (tests that age rows); returns the rows changed. */
export async function execute(url: string, sql: string, params: unknown[] = []): Promise<number> {
  if (providerOf(url) === "sqlite") {
    const db = new Database(sqlitePath(url), { fileMustExist: true, timeout: 5000 });
    try {
      return db.prepare(sql).run(...params).changes;
    } finally {
      db.close();
    }
  }
  return (await onPostgres(url, sql, params)).rowCount ?? 0;
}
