// Applies the committed migrations (prisma/<provider>/migrations) with no network and no
// Prisma CLI, recording them in `_prisma_migrations` exactly as `prisma migrate deploy`
// does, so `prisma migrate status` agrees. PostgreSQL: an advisory lock lets several
// instances start at once. Each migration runs in its own transaction.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { migrationsDir, providerOf, sqlitePath, type Provider } from "./database-url.ts";

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function committedMigrations(provider: Provider): Migration[] {
  const dir = migrationsDir(provider);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

const PG_LOCK_KEY = 72_707_369;

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

function checkApplied(all: Migration[], applied: Map<string, string>): void {
  for (const m of all) {
    const checksum = applied.get(m.name);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new Error(`migration ${m.name} was changed after it was applied (checksum differs)`);
    }
  }
}

async function migrateSqlite(url: string, dryRun: boolean): Promise<MigrationReport> {
  const db = new Database(sqlitePath(url));
  try {
    db.pragma("journal_mode = WAL");
    db.exec(SQLITE_TABLE);
    const rows = db
      .prepare(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
      .all() as { migration_name: string; checksum: string }[];
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const all = committedMigrations("sqlite");
    checkApplied(all, applied);
    const pending = all.filter((m) => !applied.has(m.name));
    if (dryRun) return { applied: [], pending: pending.map((m) => m.name) };
    for (const m of pending) {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), m.checksum, m.name, Date.now(), Date.now());
      })();
    }
    return { applied: pending.map((m) => m.name), pending: [] };
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, dryRun: boolean): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_LOCK_KEY]);
    await client.query(PG_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const all = committedMigrations("postgresql");
    checkApplied(all, applied);
    const pending = all.filter((m) => !applied.has(m.name));
    if (dryRun) return { applied: [], pending: pending.map((m) => m.name) };
    for (const m of pending) {
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`);
      }
    }
    return { applied: pending.map((m) => m.name), pending: [] };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/** Applies pending migrations; with `dryRun` only reports them. */
export function migrate(url: string, { dryRun = false } = {}): Promise<MigrationReport> {
  return providerOf(url) === "postgresql" ? migratePostgres(url, dryRun) : migrateSqlite(url, dryRun);
}
