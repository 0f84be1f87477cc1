// Reads the database behind the app directly (not through the store), for assertions.
// Works for both providers: SQLite through better-sqlite3 (path = url without `file:`),
// PostgreSQL through pg. Write placeholders as `?`; they become `$1, $2, …` on PostgreSQL
// (so `?` must not appear inside SQL string literals). Quote camelCase columns ("chatId").
//
// SQLite: this must load the *same* better-sqlite3 copy as @prisma/adapter-better-sqlite3.
// The adapter brings its own (11.x, nested) while the top level has 12.x; two SQLite
// libraries in one process do not share POSIX lock bookkeeping, so closing a connection of
// one drops the locks of the other's connections on the same file (sqlite.org/howtocorrupt.html
// §2.2.1) — the app under test then fails with SQLITE_IOERR_SHORT_READ.
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { providerOf, sqlitePath } from "../../src/store/database-url.ts";

const adapterEntry = createRequire(import.meta.url).resolve("@prisma/adapter-better-sqlite3");
const Database = createRequire(adapterEntry)("better-sqlite3") as typeof BetterSqlite3;

export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (providerOf(url) === "sqlite") {
    const db = new Database(sqlitePath(url), { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** `SELECT COUNT(*) …` as a number on both providers (pg returns bigint counts as strings). */
export async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await query<Record<string, unknown>>(url, sql, params);
  const first = rows[0];
  if (!first) throw new Error("count query returned no row");
  return Number(Object.values(first)[0]);
}
