// Harness for the bench: servers as child processes (SafeLine or the baseline), read-only
// database access beside a running server, the outbox drain wait, throwaway PostgreSQL databases.
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import pg from "pg";
import type { FakeBotApi } from "./fake-bot-api.ts";
import { memoryMb, round } from "./measure.ts";
import { killServerProcesses, ROOT, sleep, startServerProcess } from "../tests/helpers/server-process.ts";

const ADMIN_PG = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

// ---- child processes (started by tests/helpers/server-process.ts) ----

export { killServerProcesses, ROOT, sleep };

export interface Server {
  pid: number;
  port: number;
  /**
   * Memory after a full GC of the main thread (bench/probe.ts), in MB: VmRSS and its peak from
   * /proc, the main thread's V8 heap in use and held from the system, `external` (buffers,
   * wasm), and the same two for the worker threads' V8 heaps (the writer thread; not collected first).
   */
  memory(): Promise<{ rss: number; heapUsed: number; heapTotal: number; external: number; peakRss: number; workerHeapTotal: number; workerHeapUsed: number }>;
  stop(): Promise<void>;
}

/** bench/probe.ts's answer: the main thread's memoryUsage() after a GC, and each worker thread's heap. */
type ProbeAnswer = NodeJS.MemoryUsage & { workers: { heapTotal: number; heapUsed: number; external: number }[] };

export async function startServer(script: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<Server> {
  const server = await startServerProcess({ script, env, nodeFlags: [...nodeFlags, "--expose-gc"], preload: ["./bench/probe.ts"] });
  // Answers to memory probes, in the order they were asked.
  const probes: ((usage: ProbeAnswer) => void)[] = [];
  createInterface({ input: server.child.stdout! }).on("line", (line) => {
    if (line.startsWith("BENCH_PROBE ")) probes.shift()?.(JSON.parse(line.slice(12)) as ProbeAnswer);
  });
  return {
    pid: server.pid,
    port: server.port,
    async memory() {
      const usage = await new Promise<ProbeAnswer>((resolve) => {
        probes.push(resolve);
        server.child.kill("SIGUSR2");
      });
      const { rss, peak } = memoryMb(server.pid);
      const mb = (bytes: number) => round(bytes / 2 ** 20);
      const workers = (key: "heapTotal" | "heapUsed") => mb(usage.workers.reduce((sum, w) => sum + w[key], 0));
      return {
        rss,
        heapUsed: mb(usage.heapUsed),
        heapTotal: mb(usage.heapTotal),
        external: mb(usage.external),
        peakRss: peak,
        workerHeapTotal: workers("heapTotal"),
        workerHeapUsed: workers("heapUsed"),
      };
    },
    async stop() {
      await server.stop();
    },
  };
}

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
