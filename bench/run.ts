// `npm run bench`: SafeLine (Telegram webhook mode, SQLite then PostgreSQL) and a bare grammY
// baseline under the same load, against a fake Bot API; throughput, latency, outbound rate,
// RSS, correctness checks read from the database, and a short CPU profile.
// Prints a summary and writes bench/results.json. Exits 1 when a correctness check fails.
// Knobs (env): BENCH_CONVERSATIONS (100000), BENCH_MEASURE_S (20), BENCH_BASELINE_S (10),
// BENCH_LIGHT_BUDGET_S (115, SQLite), BENCH_PG_LIGHT_BUDGET_S (10), BENCH_PG=auto|off, BENCH_PROFILE_S (8).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { FakeBotApi } from "./fake-bot-api.ts";
import { createPgDatabase, killServerProcesses, drain, openReader, ROOT, sleep, startServer, UNSENT, type Server } from "./harness.ts";
import { averageFullPathLength, fullPath, pathName, runLoad, SECRET, startOnly, type Counters, type LoadResult, type Target } from "./load.ts";
import { cpuMs, diskWriteBytes, latencySummary, machineTicks, printProfile, round, summariseProfile } from "./measure.ts";

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const CFG = {
  concurrency: 50,
  warmupConversations: 1000,
  conversations: num("BENCH_CONVERSATIONS", 100_000),
  measureS: num("BENCH_MEASURE_S", 20),
  baselineS: num("BENCH_BASELINE_S", 10),
  lightBudgetS: num("BENCH_LIGHT_BUDGET_S", 115),
  pgLightBudgetS: num("BENCH_PG_LIGHT_BUDGET_S", 10),
  profileS: num("BENCH_PROFILE_S", 8),
  pg: process.env.BENCH_PG ?? "auto",
};
const TOKEN = "123456:bench";
const WEBHOOK = "/webhooks/telegram";

// ---- results ----

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}
const check = (name: string, pass: boolean, detail: string): Check => ({ name, pass, detail });

function phaseFigures(load: LoadResult, sends: number, serverCpuMs: number, clientCpuMs: number, readyz: Float64Array, diskBytes: number, machineIdle: number) {
  const s = load.elapsedMs / 1000;
  return {
    seconds: round(s, 1),
    conversations: load.conversations,
    updates: load.updates,
    updatesPerSec: Math.round(load.updates / s),
    latencyMs: latencySummary(load.latenciesMs),
    outboundPerSec: Math.round(sends / s),
    serverCpuPct: Math.round((100 * serverCpuMs) / load.elapsedMs),
    /** The server's CPU time per update, all threads: less sensitive to other load on the machine than updates/s. */
    serverCpuUsPerUpdate: Math.round((1000 * serverCpuMs) / Math.max(1, load.updates)),
    clientCpuPct: Math.round((100 * clientCpuMs) / load.elapsedMs),
    /** What the server wrote to the disk (WAL, checkpoints) per update, in KB. */
    diskKbPerUpdate: round(diskBytes / 1024 / Math.max(1, load.updates), 1),
    /** The whole machine's idle share during the phase: near 0, the load generator, the fake and the server compete for the cores. */
    machineIdlePct: Math.round(100 * machineIdle),
    non200: load.errors,
    /** GET /readyz polled every 250 ms during the phase (a load balancer's health check). */
    readyzMs: latencySummary(readyz),
  };
}

async function measured<T extends LoadResult>(server: Server, fake: FakeBotApi, run: () => Promise<T>) {
  const sends0 = fake.sendMessages;
  const cpu0 = cpuMs(server.pid);
  const disk0 = diskWriteBytes(server.pid);
  const ticks0 = machineTicks();
  const client0 = process.cpuUsage();
  let running = true;
  const readyz: number[] = [];
  const poller = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`http://127.0.0.1:${server.port}/readyz`).then((r) => r.arrayBuffer(), () => undefined);
      readyz.push(performance.now() - t0);
      await sleep(250);
    }
  })();
  const load = await run();
  const client = process.cpuUsage(client0);
  running = false;
  await poller;
  const ticks = machineTicks();
  const machineIdle = (ticks.idle - ticks0.idle) / Math.max(1, ticks.total - ticks0.total);
  const cpu = cpuMs(server.pid) - cpu0;
  const figures = phaseFigures(load, fake.sendMessages - sends0, cpu, (client.user + client.system) / 1000, Float64Array.from(readyz), diskWriteBytes(server.pid) - disk0, machineIdle);
  return { load, figures };
}

/** Warm-up: ~1,000 conversations, a fifth of them on full paths, the rest one /start each. */
async function warmUp(target: Target, counters: Counters, fullRanges: [number, number][] = []) {
  const first = counters.nextConversation;
  const full = await runLoad({ target, counters, concurrency: CFG.concurrency, path: fullPath, conversations: CFG.warmupConversations / 5 });
  fullRanges.push([first, counters.nextConversation]);
  const light = await runLoad({ target, counters, concurrency: CFG.concurrency, path: startOnly, conversations: CFG.warmupConversations - full.conversations });
  const sum = (k: "conversations" | "updates" | "callbacks" | "answeredInReply" | "errors" | "lost") => full[k] + light[k];
  return {
    conversations: sum("conversations"),
    updates: sum("updates"),
    callbacks: sum("callbacks"),
    answeredInReply: sum("answeredInReply"),
    errors: sum("errors"),
    lost: sum("lost"),
  };
}

/** How many conversations in these index ranges took the path `name`. */
function countPath(ranges: [number, number][], name: string): number {
  let n = 0;
  for (const [from, to] of ranges) for (let i = from; i < to; i++) if (pathName(i) === name) n++;
  return n;
}

/** Time from a conversation's first request to its first sendMessage at the fake, in ms. */
function firstReplyMs(firstRequestAt: Map<string, number>, fake: FakeBotApi) {
  const delays = new Float64Array(firstRequestAt.size);
  let i = 0;
  let missing = 0;
  for (const [chatId, t0] of firstRequestAt) {
    const at = fake.firstSendAt.get(chatId);
    if (at === undefined) missing++;
    else delays[i++] = at - t0;
  }
  return { ...latencySummary(delays.subarray(0, i)), missing };
}

interface MemorySample {
  conversations: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
  underLoad: boolean;
}

// ---- the baseline ----

async function benchBaseline(fake: FakeBotApi) {
  fake.reset();
  const server = await startServer("bench/baseline-bot.ts", {
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: fake.url,
  });
  try {
    const target: Target = { port: server.port, path: WEBHOOK };
    const counters: Counters = { nextUpdateId: 1, nextConversation: 0 };
    const warm = await warmUp(target, counters);
    const afterWarmup = await server.memory();
    const firstRequestAt = new Map<string, number>();
    const { load, figures } = await measured(server, fake, () =>
      runLoad({ target, counters, concurrency: CFG.concurrency, path: fullPath, durationMs: CFG.baselineS * 1000, firstRequestAt }),
    );
    const updates = warm.updates + load.updates;
    const lost = warm.lost + load.lost;
    const atEnd = await server.memory();
    const checks = [
      check("every update acknowledged with 200", lost === 0, `${lost} lost, ${warm.errors + load.errors} non-200`),
      check("one sendMessage per update", fake.sendMessages === updates - lost, `${fake.sendMessages} sends for ${updates} updates`),
    ];
    return { ...figures, firstReplyMs: firstReplyMs(firstRequestAt, fake), memoryMb: { afterWarmup, atEnd }, checks };
  } finally {
    await server.stop();
  }
}

// ---- SafeLine on one database ----

/** SafeLine in Telegram webhook mode against the fake, nothing else enabled. */
// As deployed: production mode, so encryption at rest is on (a fixed key; the bench's data is made up).
const BENCH_KEY = `bench:${Buffer.alloc(32, 7).toString("base64")}`;

const safeLineEnv = (url: string, fake: FakeBotApi) => ({
  NODE_ENV: "production",
  DATA_ENCRYPTION_KEYS: BENCH_KEY,
  DATABASE_URL: url,
  PUBLIC_URL: "https://bench.invalid",
  TELEGRAM_BOT_TOKEN: TOKEN,
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_ROOT: fake.url,
  LOG_LEVEL: "warn",
  WEB_CHAT: "off",
  // The fake answers instantly: measure SafeLine's own capacity, not Telegram's send limits.
  TELEGRAM_SENDS_PER_SECOND: "1000000",
  TELEGRAM_CHAT_SENDS_PER_SECOND: "1000000",
  TELEGRAM_CHAT_BURST: "1000000",
});

async function benchSafeLine(kind: "sqlite" | "postgresql", url: string, fake: FakeBotApi, target: { conversations: number; budgetS: number }) {
  fake.reset();
  const server = await startServer("src/main.ts", safeLineEnv(url, fake));
  const db = await openReader(url);
  try {
    const t: Target = { port: server.port, path: WEBHOOK };
    const counters: Counters = { nextUpdateId: 1, nextConversation: 0 };
    const c = CFG.concurrency;
    const log = (s: string) => console.log(`  [${kind}] ${s}`);

    const fullRanges: [number, number][] = [];
    const warm = await warmUp(t, counters, fullRanges);
    const warmDrainMs = await drain(db, fake);
    const afterWarmup = await server.memory();
    log(`warm-up: ${warm.conversations} conversations, ${warm.updates} updates; outbox drained in ${warmDrainMs} ms; RSS ${afterWarmup.rss} MB after GC`);

    const fullStarts = new Map<string, number>();
    const fullFrom = counters.nextConversation;
    const full = await measured(server, fake, () =>
      runLoad({ target: t, counters, concurrency: c, path: fullPath, durationMs: CFG.measureS * 1000, firstRequestAt: fullStarts }),
    );
    fullRanges.push([fullFrom, counters.nextConversation]);
    const drainMs = await drain(db, fake);
    const fullFirstReply = firstReplyMs(fullStarts, fake);
    log(`measured: ${full.figures.updatesPerSec} updates/s, p99 ${full.figures.latencyMs.p99} ms; outbox drained ${drainMs} ms after the load`);

    // The light phase: one /start per conversation, until the target count or the time budget.
    // Memory after a full GC: every 5,000 conversations of the light phase, and once more after it drained.
    const timeline: MemorySample[] = [];
    const sample = async (conversations: number, underLoad: boolean) => {
      const m = await server.memory();
      timeline.push({ conversations, rssMb: m.rss, heapMb: m.heapUsed, externalMb: m.external, underLoad });
      return m;
    };
    await sample(counters.nextConversation, false);
    const before = counters.nextConversation;
    const lightStarts = new Map<string, number>();
    const light = await measured(server, fake, () =>
      runLoad({
        target: t,
        counters,
        concurrency: c,
        path: startOnly,
        firstRequestAt: lightStarts,
        conversations: Math.max(0, target.conversations - before),
        durationMs: target.budgetS * 1000,
        onConversation: (done) => {
          if ((before + done) % 5_000 === 0) {
            void sample(before + done, true).then((m) => {
              if ((before + done) % 20_000 === 0) log(`${before + done} conversations, RSS ${m.rss} MB`);
            });
          }
        },
      }),
    );
    const lightDrainMs = await drain(db, fake);
    const lightFirstReply = firstReplyMs(lightStarts, fake);
    lightStarts.clear();
    const conversations = counters.nextConversation;
    const memory = await sample(conversations, false);
    timeline.sort((a, b) => a.conversations - b.conversations);
    log(`light phase: ${light.load.conversations} conversations at ${light.figures.updatesPerSec} updates/s; ${conversations} in all; RSS ${memory.rss} MB after GC`);

    // ---- correctness, read from the database ----
    const updates = warm.updates + full.load.updates + light.load.updates;
    const lost = warm.lost + full.load.lost + light.load.lost;
    const non200 = warm.errors + full.load.errors + light.load.errors;
    const inbound = await db.count(`SELECT COUNT(*) FROM "Message" WHERE direction = 'in'`);
    const distinctEvents = await db.count(`SELECT COUNT(DISTINCT "platformEventId") FROM "Message" WHERE direction = 'in'`);
    const storedConversations = await db.count(`SELECT COUNT(*) FROM "Conversation"`);
    const unsent = await db.count(UNSENT);
    const outRows = await db.count(`SELECT COUNT(*) FROM "Message" WHERE direction = 'out'`);
    const failed = await db.count(`SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status NOT IN ('sent', 'pending', 'sending')`);
    const retried = await db.count(`SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status = 'sent' AND attempts <> 1`);
    const plainText = await db.count(`SELECT COUNT(*) FROM "Message" WHERE "text" IS NOT NULL AND "text" NOT LIKE 'enc:v1:%'`);
    // A row split into several Telegram messages stores their ids comma-separated.
    const perChat = await db.rows<{ chatId: string; n: number | string }>(
      `SELECT c."chatId" AS "chatId", SUM(LENGTH(m."platformMessageId") - LENGTH(REPLACE(m."platformMessageId", ',', '')) + 1) AS n
       FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
       WHERE m.direction = 'out' AND m.status = 'sent' GROUP BY c."chatId"`,
    );
    let storedSends = 0;
    let mismatched = 0;
    for (const row of perChat) {
      storedSends += Number(row.n);
      if (fake.sentPerChat.get(row.chatId) !== Number(row.n)) mismatched++;
    }
    mismatched += fake.sentPerChat.size - perChat.length; // chats the fake heard from but the database has no sent row for
    const handoffs = await db.count(`SELECT COUNT(*) FROM "HandoffRequest"`);
    const reports = await db.count(`SELECT COUNT(*) FROM "Report"`);
    // A consented self-report opens a case in the staff queue too.
    const expectedHandoffs = countPath(fullRanges, "danger") + countPath(fullRanges, "report");
    const expectedReports = countPath(fullRanges, "report");
    const callbacks = warm.callbacks + full.load.callbacks + light.load.callbacks;
    const callbacksAnswered = warm.answeredInReply + full.load.answeredInReply + light.load.answeredInReply + fake.count("answerCallbackQuery");
    const checks = [
      check("every update acknowledged with 200", lost === 0, `${lost} lost, ${non200} non-200 answers`),
      check("inbound rows = updates sent", inbound === updates, `${inbound} rows, ${updates} updates`),
      check("each update stored once (unique platformEventId)", distinctEvents === inbound, `${distinctEvents} distinct of ${inbound}`),
      check("one conversation per chat", storedConversations === conversations, `${storedConversations} stored, ${conversations} driven`),
      check("outbox drained (nothing pending/sending)", unsent === 0, `${unsent} unsent of ${outRows} outbound rows`),
      check("no outbound row failed", failed === 0, `${failed} failed`),
      check("every outbound row sent in one attempt", retried === 0, `${retried} sent after a retry`),
      check("message text encrypted at rest", plainText === 0, `${plainText} rows with plain text`),
      check(
        "sendMessage calls = sent rows, per chat",
        storedSends === fake.sendMessages && mismatched === 0,
        `${fake.sendMessages} at the fake, ${storedSends} in the database, ${mismatched} chats differ`,
      ),
      check(
        "every callback query answered once (in the webhook's reply or by the Bot API)",
        callbacksAnswered === callbacks,
        `${callbacksAnswered} answered of ${callbacks} (${fake.count("answerCallbackQuery")} by the Bot API)`,
      ),
      check(
        "flow paths reached their ends (handoffs, reports)",
        handoffs === expectedHandoffs && reports === expectedReports,
        `${handoffs}/${expectedHandoffs} handoffs, ${reports}/${expectedReports} reports`,
      ),
    ];
    const growth = round(memory.rss - afterWarmup.rss);
    // What the process itself holds: the V8 heap plus `external` (buffers, wasm memory).
    const js = (m: { heapUsed: number; external: number }) => round(m.heapUsed + m.external);
    const jsGrowth = round(js(memory) - js(afterWarmup));
    // Linear extension of the growth so far to 99,000 conversations after the warm-up.
    const extend = (mb: number) => (conversations < 100_000 && conversations > CFG.warmupConversations ? { to100k: round((mb * 99_000) / (conversations - CFG.warmupConversations)) } : {});
    return {
      ...full.figures,
      firstReplyMs: fullFirstReply,
      outboundPerUpdate: round(outRows / updates),
      drainMsAfterLoad: drainMs,
      lightPhase: { ...light.figures, firstReplyMs: lightFirstReply, drainMs: lightDrainMs, budgetS: target.budgetS },
      // All after a full GC. Growth compares two idle states: after the warm-up, and after the
      // last drain; `to100k` extends it linearly when fewer than 100,000 conversations were reached.
      memoryMb: {
        conversations,
        rss: { afterWarmup: afterWarmup.rss, afterConversations: memory.rss, growth, ...extend(growth) },
        heapAndExternal: { afterWarmup: js(afterWarmup), afterConversations: js(memory), growth: jsGrowth, ...extend(jsGrowth) },
        peakRss: memory.peakRss,
        timeline,
      },
      totals: { updates, callbacks, conversations, outboundRows: outRows, sendMessage: fake.sendMessages, answerCallbackQuery: fake.count("answerCallbackQuery"), handoffs, reports },
      checks,
    };
  } finally {
    await db.close();
    await server.stop();
  }
}

// ---- a short profiled pass (SQLite) ----

async function profilePass(fake: FakeBotApi, dir: string) {
  fake.reset();
  const profDir = join(dir, "prof");
  const server = await startServer("src/main.ts", safeLineEnv(`file:${join(dir, "profile.db")}`, fake), ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
  try {
    const target: Target = { port: server.port, path: WEBHOOK };
    await runLoad({ target, counters: { nextUpdateId: 1, nextConversation: 0 }, concurrency: CFG.concurrency, path: fullPath, durationMs: CFG.profileS * 1000 });
  } finally {
    await server.stop();
  }
  // One profile per thread: CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile. Thread 0 is the
  // main thread; the writer thread is the one running writer-thread.ts (the others load modules).
  const profiles = readdirSync(profDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({ file: join(profDir, f), main: f.split(".").at(-3) === "0" }))
    .map(({ file, main }) => ({ file, thread: main ? "main thread" : readFileSync(file, "utf8").includes("writer-thread.ts") ? "writer thread" : "" }))
    .filter((p) => p.thread);
  if (!profiles.some((p) => p.thread === "main thread")) throw new Error("no .cpuprofile written for the main thread");
  return profiles.map(({ file, thread }) => ({ thread, ...summariseProfile(file, 15) }));
}

// ---- main ----

interface Figures {
  updatesPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number };
  outboundPerSec: number;
  serverCpuPct: number;
  serverCpuUsPerUpdate: number;
  clientCpuPct: number;
  diskKbPerUpdate: number;
  machineIdlePct: number;
  firstReplyMs: { p50: number; p99: number };
}

function printFigures(label: string, f: Figures) {
  const l = f.latencyMs;
  console.log(
    `  ${label.padEnd(24)} ${String(f.updatesPerSec).padStart(6)} updates/s   latency p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} ms   ` +
      `${f.outboundPerSec} sendMessage/s   first reply p50 ${f.firstReplyMs.p50} / p99 ${f.firstReplyMs.p99} ms   ` +
      `CPU server ${f.serverCpuPct}% (${f.serverCpuUsPerUpdate} µs/update) / load+fake ${f.clientCpuPct}% / machine idle ${f.machineIdlePct}%   ` +
      `disk ${f.diskKbPerUpdate} KB/update`,
  );
}

async function main(): Promise<number> {
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "safeline-bench-"));
  const fake = await new FakeBotApi().start();
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true }), () => fake.stop()];
  const onSignal = () => void cleanup().then(() => process.exit(130));
  const cleanup = async () => {
    await killServerProcesses();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    console.log(`SafeLine bench: concurrency ${CFG.concurrency}, full paths average ${round(averageFullPathLength, 1)} updates per conversation`);
    console.log("baseline (bare grammY webhook bot)…");
    const baseline = await benchBaseline(fake);
    printFigures("baseline", baseline);

    console.log("SafeLine on SQLite…");
    const sqlite = await benchSafeLine("sqlite", `file:${join(dir, "safeline.db")}`, fake, {
      conversations: CFG.conversations,
      budgetS: CFG.lightBudgetS,
    });
    // The machine may be shared: the baseline runs again right after SQLite, and the ratio
    // compares with the mean of both runs (both are printed, so a change of load shows).
    console.log("baseline again, after SQLite…");
    const baselineAfter = await benchBaseline(fake);
    printFigures("baseline again", baselineAfter);
    const baselineUpdatesPerSec = Math.round((baseline.updatesPerSec + baselineAfter.updatesPerSec) / 2);

    pgDb = CFG.pg === "off" ? undefined : await createPgDatabase();
    if (pgDb) cleanups.push(pgDb.drop);
    let postgresql: Awaited<ReturnType<typeof benchSafeLine>> | { skipped: string } = { skipped: "PostgreSQL not reachable or BENCH_PG=off" };
    if (pgDb) {
      console.log("SafeLine on PostgreSQL…");
      postgresql = await benchSafeLine("postgresql", pgDb.url, fake, { conversations: CFG.conversations, budgetS: CFG.pgLightBudgetS });
    }

    console.log("profiled pass (SQLite, --cpu-prof)…");
    const profiles = await profilePass(fake, dir);

    const ratio = (x: { updatesPerSec: number }) => round(x.updatesPerSec / baselineUpdatesPerSec);
    const status = (ok: boolean) => (ok ? "met" : "not met");
    const mem = sqlite.memoryMb;
    const reached = mem.conversations >= 100_000;
    // Short of 100,000, RSS (±15-30 MB of allocator noise between samples in the same state) cannot
    // settle the target; the V8 heap + external memory is what would grow with retained state.
    const heldTo100k = mem.heapAndExternal.to100k;
    const targets = [
      { target: "throughput >= 0.5 x baseline on SQLite", value: ratio(sqlite), status: status(ratio(sqlite) >= 0.5) },
      { target: "p99 <= 25 ms at concurrency 50 (SQLite)", value: sqlite.latencyMs.p99, status: status(sqlite.latencyMs.p99 <= 25) },
      ...("skipped" in postgresql ? [] : [{ target: "p99 <= 25 ms at concurrency 50 (PostgreSQL)", value: postgresql.latencyMs.p99, status: status(postgresql.latencyMs.p99 <= 25) }]),
      {
        target: `RSS growth <= 50 MB from 1,000 to 100,000 conversations (SQLite; reached ${mem.conversations})`,
        value: mem.rss.growth,
        status: reached ? status(mem.rss.growth <= 50) : mem.rss.growth <= 50 && (heldTo100k ?? Infinity) <= 50 ? "not verified (on track)" : "not met",
        ...(reached ? {} : { rssExtendedTo100k: mem.rss.to100k, heapAndExternalExtendedTo100k: heldTo100k }),
      },
    ];
    const checks = {
      baseline: [...baseline.checks, ...baselineAfter.checks.map((c) => ({ ...c, name: `${c.name} (again)` }))],
      sqlite: sqlite.checks,
      ...("skipped" in postgresql ? {} : { postgresql: postgresql.checks }),
    };
    const results = {
      date: new Date().toISOString(),
      machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", memoryGb: round(totalmem() / 2 ** 30, 1), platform: `${process.platform} ${process.arch}` },
      config: { ...CFG, averageFullPathLength: round(averageFullPathLength, 2) },
      baseline,
      baselineAfterSqlite: baselineAfter,
      /** The mean of both baseline runs: what the ratios compare with. */
      baselineUpdatesPerSec,
      sqlite,
      postgresql,
      ratio: { sqlite: ratio(sqlite), ...("skipped" in postgresql ? {} : { postgresql: ratio(postgresql) }) },
      targets,
      profiles,
      durationS: 0,
    };
    results.durationS = Math.round((performance.now() - began) / 1000);
    writeFileSync(join(ROOT, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");

    console.log(`\n==== SafeLine bench (${results.machine.node}, ${results.machine.cpus} CPUs, ${results.durationS} s) ====`);
    printFigures("baseline (grammY)", baseline);
    printFigures("baseline again", baselineAfter);
    printFigures(`SafeLine SQLite ×${ratio(sqlite)}`, sqlite);
    if (!("skipped" in postgresql)) printFigures(`SafeLine Postgres ×${ratio(postgresql)}`, postgresql);
    for (const [label, r] of [["SQLite", sqlite], ["PostgreSQL", postgresql]] as const) {
      if ("skipped" in r) continue;
      const m = r.memoryMb;
      const underLoad = m.timeline.filter((p) => p.underLoad).map((p) => p.rssMb);
      const range = underLoad.length ? `${Math.min(...underLoad)}-${Math.max(...underLoad)} MB under load` : "no samples under load";
      console.log(`  ${label}: outbox drained ${r.drainMsAfterLoad} ms after the measured load; GET /readyz under load p50 ${r.readyzMs.p50} / max ${r.readyzMs.max} ms`);
      console.log(
        `    light phase (/start only, ${r.lightPhase.conversations} conversations): ${r.lightPhase.updatesPerSec} updates/s, p99 ${r.lightPhase.latencyMs.p99} ms, ` +
          `${r.lightPhase.outboundPerSec} sendMessage/s, first reply p50 ${r.lightPhase.firstReplyMs.p50} / p99 ${r.lightPhase.firstReplyMs.p99} ms, outbox drained ${r.lightPhase.drainMs} ms after`,
      );
      console.log(
        `    after GC: RSS ${m.rss.afterWarmup} MB after warm-up -> ${m.rss.afterConversations} MB after ${m.conversations} conversations and the drain ` +
          `(${m.rss.growth >= 0 ? "+" : ""}${m.rss.growth} MB; ${range}; peak ${m.peakRss} MB); V8 heap + external ${m.heapAndExternal.afterWarmup} -> ${m.heapAndExternal.afterConversations} MB`,
      );
    }
    const b = baseline.memoryMb;
    console.log(`  baseline after GC: RSS ${b.afterWarmup.rss} MB after warm-up, ${b.atEnd.rss} MB at the end; V8 heap ${b.afterWarmup.heapUsed} -> ${b.atEnd.heapUsed} MB, external ${b.atEnd.external} MB`);
    console.log("Targets:");
    for (const t of targets) {
      const note = "rssExtendedTo100k" in t ? ` MB (extended linearly to 100,000: RSS ${t.rssExtendedTo100k} MB, noisy; V8 heap + external ${t.heapAndExternalExtendedTo100k} MB)` : "";
      console.log(`  ${t.status.toUpperCase().padEnd(23)}  ${t.target}: ${t.value}${note}`);
    }
    for (const profile of profiles) printProfile(profile);
    console.log("Checks:");
    let failed = 0;
    for (const [label, list] of Object.entries(checks)) {
      for (const c of list) {
        if (!c.pass) failed++;
        console.log(`  ${c.pass ? "PASS" : "FAIL"}  [${label}] ${c.name}: ${c.detail}`);
      }
    }
    console.log(`Results written to bench/results.json. ${failed ? `${failed} check(s) FAILED.` : "All checks passed."}`);
    return failed ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    void killServerProcesses(); // the kills are sent at once; the exit does not wait for them
    process.exit(1);
  },
);
