// Harness for the bench: servers as child processes (SafeLine or the baseline), read-only
// database access beside a running server, the outbox drain wait, throwaway PostgreSQL databases.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import type { FakeBotApi } from "./fake-bot-api.ts";
import { memoryMb, round } from "./measure.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ADMIN_PG = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

// ---- child processes ----

/** Running children, killed on failure or interrupt. */
export const children = new Set<ChildProcess>();

export interface Server {
  pid: number;
  port: number;
  /** Memory after a full GC (bench/probe.ts), in MB: VmRSS and its peak from /proc, the V8 heap in use, and `external` (buffers, wasm). */
  memory(): Promise<{ rss: number; heapUsed: number; external: number; peakRss: number }>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export async function startServer(script: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<Server> {
  const port = await freePort();
  const clean = { ...process.env };
  for (const k of ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "STAFF_HOURS", "DATABASE_URL"]) delete clean[k];
  const probe = "./bench/probe.ts";
  const child = spawn(process.execPath, [...nodeFlags, "--expose-gc", "--import", "tsx", "--import", probe, script], {
    cwd: ROOT,
    env: { ...clean, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let tail = "";
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  // Answers to memory probes, in the order they were asked.
  const probes: ((usage: NodeJS.MemoryUsage) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.startsWith("BENCH_PROBE ")) probes.shift()?.(JSON.parse(line.slice(12)) as NodeJS.MemoryUsage);
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => (children.delete(child), r(code))));
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`${script} exited before it was ready:\n${tail}`);
    if (Date.now() > deadline) throw new Error(`${script} not ready within 60 s:\n${tail}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    await sleep(100);
  }
  return {
    pid: child.pid!,
    port,
    async memory() {
      const usage = await new Promise<NodeJS.MemoryUsage>((resolve) => {
        probes.push(resolve);
        child.kill("SIGUSR2");
      });
      const { rss, peak } = memoryMb(child.pid!);
      return { rss, heapUsed: round(usage.heapUsed / 2 ** 20), external: round(usage.external / 2 ** 20), peakRss: peak };
    },
    async stop() {
      if (gone) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- database access (read-only, beside the running server) ----

export interface Reader {
  count(sql: string): Promise<number>;
  rows<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function openReader(url: string): Promise<Reader> {
  if (url.startsWith("file:")) {
    const db = new Database(url.slice(5), { readonly: true, fileMustExist: true, timeout: 5000 });
    return {
      count: async (sql) => Number(Object.values(db.prepare(sql).get() as object)[0]),
      rows: async <T>(sql: string) => db.prepare(sql).all() as T[],
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {}); // the database may be dropped under it during cleanup
  await client.connect();
  return {
    count: async (sql) => Number(Object.values((await client.query(sql)).rows[0] as object)[0]),
    rows: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    close: () => client.end(),
  };
}

export const UNSENT = `SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`;

/** Waits until the outbox is empty and the fake has seen every send; returns how long it took. */
export async function drain(db: Reader, fake: FakeBotApi, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  let last = -1;
  while (performance.now() - t0 < timeoutMs) {
    const unsent = await db.count(UNSENT);
    if (unsent === 0 && fake.sendMessages === last) break;
    last = fake.sendMessages;
    await sleep(unsent === 0 ? 300 : 100);
  }
  return Math.round(performance.now() - t0);
}

// ---- PostgreSQL database lifecycle ----

export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const name = `safeline_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_PG, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    console.log(`PostgreSQL not reachable at ${ADMIN_PG} (${(error as Error).message}): skipped.`);
    return undefined;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(ADMIN_PG);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
