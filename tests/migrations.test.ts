// Schema and migrations stay in sync for both providers, and SafeLine's own migrator
// behaves like `prisma migrate deploy`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { sqlitePath } from "../src/store/database-url.ts";
import { committedMigrations, migrate } from "../src/store/migrate.ts";
import { Store } from "../src/store/store.ts";
import { createTestDatabase, DB_KINDS, type DbKind, type TestDatabase } from "./helpers/databases.ts";
import { runScript } from "./helpers/server-process.ts";

const exec = promisify(execFile);
const prisma = (args: string[], url: string) => exec("npx", ["prisma", ...args], { env: { ...process.env, DATABASE_URL: url } });

async function run(url: string, kind: DbKind, sql: string): Promise<void> {
  if (kind === "sqlite") {
    const db = new Database(sqlitePath(url));
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** Tables, columns and indexes, in a form that does not depend on how they were created. */
async function shape(url: string, kind: DbKind): Promise<unknown> {
  if (kind === "sqlite") {
    const db = new Database(sqlitePath(url), { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_prisma%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
    const result = tables.map(({ name }) => ({
      name,
      // Column order depends on history (ALTER TABLE appends), so compare by name.
      columns: (db.pragma(`table_info("${name}")`) as { cid: number; name: string }[])
        .map(({ cid: _cid, ...column }) => column)
        .sort((a, b) => a.name.localeCompare(b.name)),
      indexes: (db.pragma(`index_list("${name}")`) as { name: string; unique: number }[])
        .map((i) => ({
          name: i.name,
          unique: i.unique,
          columns: (db.pragma(`index_info("${i.name}")`) as { seqno: number; name: string }[]).map(({ seqno, name }) => ({ seqno, name })),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: db.pragma(`foreign_key_list("${name}")`),
    }));
    db.close();
    return result;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columns = await client.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`,
  );
  const indexes = await client.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`);
  const constraints = await client.query(
    `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname`,
  );
  await client.end();
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows.filter((r) => !r.conname.startsWith("_prisma")) };
}

describe("prisma schemas", () => {
  it("are generated from prisma/models.prisma and up to date", async () => {
    await expect(runScript("scripts/prisma-schemas.ts", ["--check"])).resolves.toBeDefined();
  });
});

describe.each(DB_KINDS)("migrations on %s", (kind) => {
  const dbs: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createTestDatabase(kind, { empty: true });
    dbs.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  it("applies every committed migration once and reports readiness", async () => {
    const db = await fresh();
    const names = committedMigrations(kind).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    expect(await migrate(db.url, { dryRun: true })).toEqual({ applied: [], pending: names });
    expect(await migrate(db.url)).toEqual({ applied: names, pending: [] });
    expect(await migrate(db.url)).toEqual({ applied: [], pending: [] });
    const store = await Store.open(db.url);
    expect(await store.ready()).toEqual({ ok: true });
    await store.close();
  });

  it("reports a database without migrations as not ready", async () => {
    const db = await fresh();
    const store = await Store.open(db.url);
    expect((await store.ready()).ok).toBe(false);
    await store.close();
  });

  it("refuses to go on when an applied migration was edited afterwards", async () => {
    const db = await fresh();
    await migrate(db.url);
    await run(db.url, kind, `UPDATE "_prisma_migrations" SET checksum = 'edited'`);
    await expect(migrate(db.url)).rejects.toThrow(/was changed after it was applied/);
  });

  it("produce exactly the schema of prisma/models.prisma", async () => {
    const viaMigrations = await fresh();
    await migrate(viaMigrations.url);
    const viaSchema = await fresh();
    const folder = kind === "sqlite" ? "sqlite" : "postgres";
    const { stdout } = await prisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", `prisma/${folder}/schema.prisma`, "--script"], viaSchema.url);
    await run(viaSchema.url, kind, stdout);
    expect(await shape(viaMigrations.url, kind)).toEqual(await shape(viaSchema.url, kind));
  });
});

describe("migrations on sqlite", () => {
  it("agree with `prisma migrate status`", async () => {
    const db = await createTestDatabase("sqlite", { empty: true });
    await migrate(db.url);
    const { stdout } = await prisma(["migrate", "status"], db.url);
    await db.drop();
    expect(stdout).toContain("Database schema is up to date");
  });
});
