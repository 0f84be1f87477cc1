// Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the
// local server (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
// Each starts with every committed migration applied, copied from a template made once
// (per test process for SQLite, per set of migrations for PostgreSQL); `{ empty: true }`
// gives one with no tables, for the migration tests.
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { committedMigrations, migrate } from "../../src/store/migrate.ts";

export type DbKind = "sqlite" | "postgresql";
export const DB_KINDS: DbKind[] = ["sqlite", "postgresql"];

const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  kind: DbKind;
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** No migrations applied (default: all of them). */
  empty?: boolean;
}

export async function createTestDatabase(kind: DbKind, { empty = false }: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return kind === "sqlite" ? createSqlite(empty) : createPostgres(empty);
}

// ---- SQLite: a migrated file per test process, copied ----

let sqliteTemplate: Promise<string> | undefined;

async function createSqlite(empty: boolean): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "safeline-test-"));
  const path = join(dir, "test.db");
  if (!empty) {
    sqliteTemplate ??= (async () => {
      const file = join(mkdtempSync(join(tmpdir(), "safeline-template-")), "template.db");
      await migrate(`file:${file}`); // closes the file, so the WAL is folded in
      return file;
    })();
    copyFileSync(await sqliteTemplate, path);
  }
  return { kind: "sqlite", url: `file:${path}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- PostgreSQL: CREATE DATABASE … TEMPLATE a migrated database ----

/** One template per set of committed migrations, so branches with other migrations never share one. */
const templateName = `safeline_tpl_${createHash("sha256")
  .update(committedMigrations("postgresql").map((m) => `${m.name}:${m.checksum}`).join("\n"))
  .digest("hex")
  .slice(0, 16)}`;
const TEMPLATE_LOCK = 72_707_370;
let postgresTemplate: Promise<void> | undefined;

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Makes the template once across all test processes (an advisory lock; built under another name, then renamed). */
function ensurePostgresTemplate(): Promise<void> {
  return (postgresTemplate ??= withAdmin(async (admin) => {
    await admin.query("SELECT pg_advisory_lock($1)", [TEMPLATE_LOCK]);
    try {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [templateName]);
      if (rowCount) return;
      const building = `${templateName}_${randomBytes(4).toString("hex")}`;
      await admin.query(`CREATE DATABASE ${building}`);
      await migrate(databaseUrl(building));
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${templateName}`);
      // No connections: CREATE DATABASE … TEMPLATE refuses a template someone is connected to.
      await admin.query(`ALTER DATABASE ${templateName} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock($1)", [TEMPLATE_LOCK]);
    }
  }));
}

async function createPostgres(empty: boolean): Promise<TestDatabase> {
  if (!empty) await ensurePostgresTemplate();
  const name = `safeline_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}${empty ? "" : ` TEMPLATE ${templateName}`}`));
  return {
    kind: "postgresql",
    url: databaseUrl(name),
    drop: () => withAdmin(async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
