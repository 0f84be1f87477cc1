// Crash safety: SafeLine runs as a real child process in Telegram webhook mode while many
// chats walk the helpline flow's paths at once, posting updates the way Telegram does (an
// update not answered 200 is posted again; one chat's updates in order). The server is
// killed with SIGKILL several times mid-load and restarted on the same database each time.
// Afterwards: every update is stored exactly once and in order, every conversation's state
// and replies are what the flow says for its events, the outbox is fully delivered, and
// the only duplicate sends at the fake Bot API are sends a kill cut off (the message was
// still `sending` when the process died, so it was sent again after the restart). The replies
// a kill left unsent go out within 5 s of the restart (the killed process's claims do not
// wait for their lease). Replaying acknowledged updates afterwards changes and sends nothing.
import { forChannel } from "../../src/engine/channel-messages.ts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeTelegramBotApi, type RecordedCall } from "../fakes/telegram-bot-api.ts";
import { auditConversations, auditDelivery, scriptedChat, type DeliveryAudit, type ScriptedChat } from "./conversation-audit.ts";
import { createTestDatabase, type DbKind, type TestDatabase } from "./databases.ts";
import { count, query } from "./db-query.ts";
import { runFlow } from "./flow-model.ts";
import { describeWaits, resumeWaits, type Interruption } from "./resume-waits.ts";
import { killServerProcesses, freePort, sleep, startServerProcess, TELEGRAM_TOKEN, webhookModeEnv, type ServerProcess } from "./server-process.ts";
import { deliverUntilAcknowledged, eventUpdate, postUpdate, type TelegramUpdate } from "./telegram-webhook.ts";

const KILLS = 5;
const CHATS_AT_ONCE = 24;
const REPLAYED = 60;
const SURGE_PEOPLE = 600;
const SURGE_AT_ONCE = 100;
const SURGE_KILLS_AT = [0.2, 0.45, 0.7];
/** The issue's bound: every reply a kill left unsent is sent within this long of the restart. */
const RESUME_LIMIT_MS = 5000;
/**
 * How long a restart may take before startServerProcess gives up on it. The load re-sends an
 * update for longer than that: with a shorter give-up (it was 45 s) a restart slowed by a busy
 * machine left every update unanswered (status 0, connection refused) until the load gave up.
 */
const RESTART_LIMIT_MS = 60_000;
const GIVE_UP_MS = RESTART_LIMIT_MS + 15_000;

const UNSENT = `SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`;
const UNSENT_ROWS = `SELECT m.id, c."chatId", m.status FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
  WHERE m.direction = 'out' AND m.status IN ('pending', 'sending')`;

/** One server process's life: from spawn to the moment its exit was seen (killed) or the end of the run. */
interface Life {
  spawnedAt: number;
  /** When /readyz first answered 200. */
  readyAt: number;
  killedAt?: number;
  exitSeenAt?: number;
  /** Outbox rows still claimed (`sending`) when it died: their sends were in flight. */
  inFlight: { id: number; chatId: string }[];
  /** Every outbox row unsent (pending or sending) when it died. */
  unsent: number[];
}

/** How long the restarts took, from spawn to /readyz answering 200. */
const restartTimes = (lives: Life[]) => {
  const ms = lives.slice(1).map((life) => life.readyAt - life.spawnedAt);
  return `restarts ready after ${(Math.min(...ms) / 1000).toFixed(1)}–${(Math.max(...ms) / 1000).toFixed(1)} s`;
};

/** The replies each kill left unsent, measured from the next process's readiness. */
const interruptions = (lives: Life[]): Interruption[] =>
  lives.slice(0, -1).map((life, k) => ({
    unsent: life.unsent,
    resumedAt: lives[k + 1]!.readyAt,
    ...(lives[k + 1]!.killedAt !== undefined ? { until: lives[k + 1]!.killedAt } : {}),
  }));

/**
 * Duplicate sends no kill explains. Each must be a send cut off by a kill: a row still
 * `sending` when a process died, sent by that process, same chat and text as the row's final
 * send. Each (row, kill) explains at most one duplicate.
 */
function unexplainedDuplicates(delivery: DeliveryAudit, calls: RecordedCall[], lives: Life[]): { explained: number; unexplained: RecordedCall[] } {
  const explained = new Set<string>();
  const unexplained: RecordedCall[] = [];
  const finalTexts = new Map<number, string[]>();
  for (const [call, row] of delivery.rowOf) finalTexts.set(row.id, [...(finalTexts.get(row.id) ?? []), String(call.payload.text)]);
  const firstCallOn = new Map<number, number>();
  for (const call of calls) firstCallOn.set(call.connection, Math.min(call.at, firstCallOn.get(call.connection) ?? Infinity));
  // Whose the call was. One process lives at a time, and a connection belongs to one process:
  // one that carried a call before a process's exit was seen is that process's. A call the fake
  // records before the next process started can only come from the one that died too (a loaded
  // machine can record it well after the exit was seen).
  const sentBy = (call: RecordedCall, life: Life, next: Life | undefined) =>
    life.exitSeenAt !== undefined &&
    ((firstCallOn.get(call.connection)! >= life.spawnedAt && firstCallOn.get(call.connection)! <= life.exitSeenAt) ||
      (call.at >= life.spawnedAt && call.at <= Math.max(life.exitSeenAt + 500, next?.spawnedAt ?? 0)));
  for (const dup of delivery.duplicates) {
    const match = lives.flatMap((life, k) =>
      sentBy(dup, life, lives[k + 1])
        ? life.inFlight
            .filter((r) => r.chatId === String(dup.payload.chat_id) && finalTexts.get(r.id)?.includes(String(dup.payload.text)))
            .map((r) => `${r.id}@${k}`)
            .filter((key) => !explained.has(key))
        : [],
    )[0];
    if (match) explained.add(match);
    else unexplained.push(dup);
  }
  return { explained: explained.size, unexplained };
}

/** The crash-safety tests on one database; each database has its own test file, so the two run side by side. */
export function crashSafetyOn(kind: DbKind): void {
describe(`crash safety on ${kind}`, () => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let server: ServerProcess | undefined;
  /** Ends a test's load when the test ends, also when it failed midway (no updates re-sent into the next test). */
  let loadStop: AbortController;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    fake = await FakeTelegramBotApi.start({ token: TELEGRAM_TOKEN });
    loadStop = new AbortController();
  });
  afterEach(async () => {
    loadStop.abort();
    await killServerProcesses();
    await fake.stop();
    await db.drop();
  });

  const start = async (env: Record<string, string>, lives: Life[], port?: number): Promise<ServerProcess> => {
    const spawnedAt = Date.now();
    // The same address, as Telegram's webhook URL stays the same (a new port only if another test took it meanwhile).
    const started = await (port === undefined ? startServerProcess({ env, readyTimeoutMs: RESTART_LIMIT_MS }) : startServerProcess({ env, port, readyTimeoutMs: RESTART_LIMIT_MS }).catch(() => startServerProcess({ env, readyTimeoutMs: RESTART_LIMIT_MS })));
    lives.push({ spawnedAt, readyAt: Date.now(), inFlight: [], unsent: [] });
    return started;
  };

  /** SIGKILL, note what the dead process left unsent, restart on the same database. */
  const killAndRestart = async (env: Record<string, string>, lives: Life[], pause: number): Promise<ServerProcess> => {
    const life = lives.at(-1)!;
    life.killedAt = Date.now();
    await server!.kill();
    life.exitSeenAt = Date.now();
    const rows = (await query<{ id: number; chatId: string; status: string }>(db.url, UNSENT_ROWS)).map((r) => ({ ...r, id: Number(r.id) }));
    life.inFlight = rows.filter((r) => r.status === "sending").map(({ id, chatId }) => ({ id, chatId }));
    life.unsent = rows.map((r) => r.id);
    await sleep(pause);
    return start(env, lives, server!.port);
  };

  it(`loses no acknowledged update and processes none twice through ${KILLS} SIGKILLs mid-load`, async () => {
    const env = webhookModeEnv(db.url, fake.url);
    const lives: Life[] = [];
    server = await start(env, lives, await freePort());
    const base = () => server!.url;

    // ---- load: chats along the flow's paths, updates posted like Telegram does ----
    const chats: ScriptedChat[] = [];
    const updates = new Map<number, TelegramUpdate>();
    let nextUpdateId = 1;
    let requests = 0;
    let refused = 0;
    let loadRunning = true;
    const runChat = async (chat: ScriptedChat) => {
      for (const event of chat.events) {
        const update = eventUpdate(chat.chatId, event, nextUpdateId++);
        chat.updateIds.push(update.update_id);
        updates.set(update.update_id, update);
        const attempts = await deliverUntilAcknowledged(base, update, { retryMs: 50, giveUpMs: GIVE_UP_MS, onRefused: () => refused++, signal: loadStop.signal });
        requests += attempts;
      }
    };
    const worker = async () => {
      while (loadRunning) {
        const chat = scriptedChat(chats.length, 810_000_000 + chats.length);
        chats.push(chat);
        await runChat(chat);
      }
    };
    const load = Promise.all(Array.from({ length: CHATS_AT_ONCE }, worker));
    load.catch(() => {}); // observed now; awaited (and its error thrown) after the kills

    // ---- kills: SIGKILL mid-load, look at what was in flight, restart on the same database ----
    for (let k = 0; k < KILLS; k++) {
      await sleep(800 + Math.random() * 1200);
      server = await killAndRestart(env, lives, Math.random() * 300);
    }
    await sleep(1500);
    loadRunning = false;
    await load;

    // ---- the outbox drains after the last restart ----
    const drainDeadline = Date.now() + 30_000;
    while ((await count(db.url, UNSENT)) > 0 && Date.now() < drainDeadline) await sleep(200);

    // ---- replaying acknowledged updates changes and sends nothing ----
    const sendsBefore = fake.sentMessages().length;
    const rowsBefore = await count(db.url, `SELECT COUNT(*) FROM "Message"`);
    const acknowledged = [...updates.values()];
    const replay = acknowledged.sort(() => Math.random() - 0.5).slice(0, REPLAYED);
    const replayStatuses = await Promise.all(replay.map((u) => postUpdate(server!.url, u)));
    // Each 200 comes after its step's commit: with no new row and nothing unsent, nothing can be sent later.
    const replayNewRows = (await count(db.url, `SELECT COUNT(*) FROM "Message"`)) - rowsBefore;
    const unsentAfterReplay = await count(db.url, UNSENT);
    const replayNewSends = fake.sentMessages().length - sendsBefore;

    // ---- audit ----
    const conversations = await auditConversations(db.url, chats);
    const delivery = await auditDelivery(db.url, fake);
    const { explained, unexplained } = unexplainedDuplicates(delivery, fake.calls(), lives);
    const waits = resumeWaits(interruptions(lives), delivery, RESUME_LIMIT_MS);
    const sent = updates.size;
    console.log(
      `crash safety [${kind}]: ${chats.length} chats, updates sent ${sent} (${requests} webhook requests, ${refused} not acknowledged and re-sent), ` +
        `kills ${KILLS}, acknowledged ${sent}, lost ${conversations.lost}, processed twice ${conversations.processedTwice}, ` +
        `disordered ${conversations.disordered}, inconsistent ${conversations.inconsistent}, outbox ${delivery.outbound} messages (${delivery.unsent} unsent), ` +
        `in flight at a kill ${lives.reduce((n, l) => n + l.inFlight.length, 0)}, duplicate sends ${delivery.duplicates.length} ` +
        `(cut off by a kill ${explained}, unexplained ${unexplained.length}); ${restartTimes(lives)}; ${describeWaits(waits)}; replayed ${replay.length} acknowledged updates: ${replayNewSends} new sends, ${replayNewRows} new rows`,
    );

    expect(refused, "kills cut off some webhook requests").toBeGreaterThan(0);
    expect(replayStatuses.every((s) => s === 200)).toBe(true);
    expect(conversations.problems).toEqual([]);
    expect(conversations.lost).toBe(0);
    expect(conversations.processedTwice).toBe(0);
    expect(delivery.problems).toEqual([]);
    expect(delivery.unsent).toBe(0);
    expect(unexplained.map((c) => `${c.payload.chat_id}: ${c.payload.text}`)).toEqual([]);
    expect(replayNewSends).toBe(0);
    expect(replayNewRows).toBe(0);
    expect(unsentAfterReplay).toBe(0);
    expect(waits.late, "replies sent more than 5 s after the restart").toBe(0);
  }, 300_000);

  it(`answers every person of a ${SURGE_PEOPLE}-person surge within 5 s of each restart, through ${SURGE_KILLS_AT.length} SIGKILLs`, async () => {
    const env = webhookModeEnv(db.url, fake.url);
    const lives: Life[] = [];
    server = await start(env, lives, await freePort());
    const base = () => server!.url;

    // Each person sends /start once; a kill comes when 20 %, 45 % and 70 % are acknowledged.
    const chats: ScriptedChat[] = [];
    const startCommand = { type: "COMMAND", command: "start" } as const;
    const flow = runFlow([startCommand]);
    let acknowledged = 0;
    let refused = 0;
    let lastAckAt = 0;
    let next = 0;
    const worker = async () => {
      while (next < SURGE_PEOPLE) {
        const n = next++;
        const chat: ScriptedChat = { chatId: 830_000_000 + n, events: [startCommand], replies: flow.steps.map((st) => forChannel(st.messages, "telegram", true).length), finalState: flow.state, updateIds: [n + 1] };
        chats.push(chat);
        await deliverUntilAcknowledged(base, eventUpdate(chat.chatId, startCommand, n + 1), { retryMs: 50, giveUpMs: GIVE_UP_MS, onRefused: () => refused++, signal: loadStop.signal });
        acknowledged++;
        lastAckAt = Date.now();
      }
    };
    const load = Promise.all(Array.from({ length: SURGE_AT_ONCE }, worker));
    load.catch(() => {}); // observed now; awaited (and its error thrown) after the kills

    for (const share of SURGE_KILLS_AT) {
      await vi.waitUntil(() => acknowledged >= SURGE_PEOPLE * share, { timeout: 60_000, interval: 5 });
      server = await killAndRestart(env, lives, 0);
    }
    await load;
    await vi.waitUntil(async () => (await count(db.url, UNSENT)) === 0, { timeout: 60_000, interval: 100 });
    const drainedAt = Date.now();

    const conversations = await auditConversations(db.url, chats);
    const delivery = await auditDelivery(db.url, fake);
    const { explained, unexplained } = unexplainedDuplicates(delivery, fake.calls(), lives);
    const waits = resumeWaits(interruptions(lives), delivery, RESUME_LIMIT_MS);
    console.log(
      `crash safety surge [${kind}]: ${SURGE_PEOPLE} people, /start each (${refused} requests not acknowledged and re-sent), ` +
        `kills at ${SURGE_KILLS_AT.map((f) => `${f * 100} %`).join(", ")} acknowledged; lost ${conversations.lost}, processed twice ${conversations.processedTwice}; ` +
        `${delivery.outbound} replies, ${delivery.unsent} unsent; ${restartTimes(lives)}; ${describeWaits(waits)}; ` +
        `outbox drained ${((drainedAt - lastAckAt) / 1000).toFixed(2)} s after the last acknowledgement; ` +
        `duplicate sends ${delivery.duplicates.length} (cut off by a kill ${explained}, unexplained ${unexplained.length})`,
    );

    expect(conversations.problems).toEqual([]);
    expect(delivery.problems).toEqual([]);
    expect(unexplained.map((c) => `${c.payload.chat_id}: ${c.payload.text}`)).toEqual([]);
    expect(waits.replies, "the kills left replies unsent").toBeGreaterThan(0);
    expect(waits.late, "replies sent more than 5 s after the restart").toBe(0);
  }, 300_000);
});
}
