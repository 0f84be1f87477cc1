// Crash safety: SafeLine runs as a real child process in Telegram webhook mode while many
// chats walk the helpline flow's paths at once, posting updates the way Telegram does (an
// update not answered 200 is posted again; one chat's updates in order). The server is
// killed with SIGKILL several times mid-load and restarted on the same database each time.
// Afterwards: every update is stored exactly once and in order, every conversation's state
// and replies are what the flow says for its events, the outbox is fully delivered, and
// the only duplicate sends at the fake Bot API are sends a kill cut off (the message was
// still `sending` when the process died, so it was sent again after its lease). Replaying
// acknowledged updates afterwards changes and sends nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeTelegramBotApi, type RecordedCall } from "./fakes/telegram-bot-api.ts";
import { auditConversations, auditDelivery, scriptedChat, type ScriptedChat } from "./helpers/conversation-audit.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";
import { killServerProcesses, freePort, sleep, startServerProcess, TELEGRAM_TOKEN, webhookModeEnv, type ServerProcess } from "./helpers/server-process.ts";
import { deliverUntilAcknowledged, eventUpdate, postUpdate, type TelegramUpdate } from "./helpers/telegram-webhook.ts";

const KILLS = 5;
const CHATS_AT_ONCE = 24;
const LEASE_SECONDS = 5;
const REPLAYED = 60;

const UNSENT = `SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`;
const IN_FLIGHT = `SELECT m.id, c."chatId" FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE m.direction = 'out' AND m.status = 'sending'`;

/** One server process's life: from spawn to the moment its exit was seen (killed) or the end of the run. */
interface Life {
  spawnedAt: number;
  killedAt?: number;
  exitSeenAt?: number;
  /** Outbox rows still claimed (`sending`) when it died: their sends were in flight. */
  inFlight: { id: number; chatId: string }[];
}

describe.each(DB_KINDS)("crash safety on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let server: ServerProcess | undefined;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    fake = await FakeTelegramBotApi.start({ token: TELEGRAM_TOKEN });
  });
  afterEach(async () => {
    await killServerProcesses();
    await fake.stop();
    await db.drop();
  });

  it(`loses no acknowledged update and processes none twice through ${KILLS} SIGKILLs mid-load`, async () => {
    const port = await freePort();
    const env = webhookModeEnv(db.url, fake.url, { OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS) });
    const lives: Life[] = [{ spawnedAt: Date.now(), inFlight: [] }];
    server = await startServerProcess({ env, port });
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
        const attempts = await deliverUntilAcknowledged(base, update, { retryMs: 50, giveUpMs: 45_000, onRefused: () => refused++ });
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

    // ---- kills: SIGKILL mid-load, look at what was in flight, restart on the same database ----
    for (let k = 0; k < KILLS; k++) {
      await sleep(800 + Math.random() * 1200);
      const life = lives.at(-1)!;
      life.killedAt = Date.now();
      await server.kill();
      life.exitSeenAt = Date.now();
      life.inFlight = (await query<{ id: number; chatId: string }>(db.url, IN_FLIGHT)).map((r) => ({ ...r, id: Number(r.id) }));
      await sleep(Math.random() * 300);
      lives.push({ spawnedAt: Date.now(), inFlight: [] });
      // The same address, as Telegram's webhook URL stays the same (a new port only if another test took it meanwhile).
      server = await startServerProcess({ env, port }).catch(() => startServerProcess({ env }));
    }
    await sleep(1500);
    loadRunning = false;
    await load;

    // ---- the outbox drains after the last restart (claims cut off by a kill wait out their lease) ----
    const drainDeadline = Date.now() + 30_000;
    while ((await count(db.url, UNSENT)) > 0 && Date.now() < drainDeadline) await sleep(200);
    await sleep(500);

    // ---- replaying acknowledged updates changes and sends nothing ----
    const sendsBefore = fake.sentMessages().length;
    const rowsBefore = await count(db.url, `SELECT COUNT(*) FROM "Message"`);
    const acknowledged = [...updates.values()];
    const replay = acknowledged.sort(() => Math.random() - 0.5).slice(0, REPLAYED);
    const replayStatuses = await Promise.all(replay.map((u) => postUpdate(server!.url, u)));
    await sleep(2500); // more than two outbox polls
    const replayNewSends = fake.sentMessages().length - sendsBefore;
    const replayNewRows = (await count(db.url, `SELECT COUNT(*) FROM "Message"`)) - rowsBefore;

    // ---- audit ----
    const conversations = await auditConversations(db.url, chats);
    const delivery = await auditDelivery(db.url, fake);
    // Each duplicate send must be a send cut off by a kill: a row still `sending` when a
    // process died, sent by that process (received before it died), same chat and text
    // as the row's final send. Each (row, kill) explains at most one duplicate.
    const explained = new Set<string>();
    const unexplained: RecordedCall[] = [];
    const finalTexts = new Map<number, string[]>();
    for (const [call, row] of delivery.rowOf) finalTexts.set(row.id, [...(finalTexts.get(row.id) ?? []), String(call.payload.text)]);
    for (const dup of delivery.duplicates) {
      const match = lives.flatMap((life, k) =>
        life.exitSeenAt !== undefined && dup.at >= life.spawnedAt && dup.at <= life.exitSeenAt + 500
          ? life.inFlight
              .filter((r) => r.chatId === String(dup.payload.chat_id) && finalTexts.get(r.id)?.includes(String(dup.payload.text)))
              .map((r) => `${r.id}@${k}`)
              .filter((key) => !explained.has(key))
          : [],
      )[0];
      if (match) explained.add(match);
      else unexplained.push(dup);
    }

    const sent = updates.size;
    console.log(
      `crash safety [${kind}]: ${chats.length} chats, updates sent ${sent} (${requests} webhook requests, ${refused} not acknowledged and re-sent), ` +
        `kills ${KILLS}, acknowledged ${sent}, lost ${conversations.lost}, processed twice ${conversations.processedTwice}, ` +
        `disordered ${conversations.disordered}, inconsistent ${conversations.inconsistent}, outbox ${delivery.outbound} messages (${delivery.unsent} unsent), ` +
        `in flight at a kill ${lives.reduce((n, l) => n + l.inFlight.length, 0)}, duplicate sends ${delivery.duplicates.length} ` +
        `(cut off by a kill ${explained.size}, unexplained ${unexplained.length}), replayed ${replay.length} acknowledged updates: ${replayNewSends} new sends, ${replayNewRows} new rows`,
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
  }, 120_000);
});
