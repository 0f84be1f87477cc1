// Several instances on PostgreSQL: two SafeLine processes share one database, each with its
// outbox deliverer on, and receive the updates of the same conversations. Each chat's
// updates go one at a time (the next after the previous was answered 200, as Telegram
// does), each to either process at random; in a quarter of the chats every update is posted
// to both processes at the same moment. Each update must be processed once, each
// conversation's steps must follow the order sent, and each outbox message must reach the
// fake Bot API exactly once, in order.
//
// The two processes use different bot tokens for the same (fake) bot, so the fake can tell
// which process sent what; nothing else differs between them.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { auditConversations, auditDelivery, scriptedChat, type ScriptedChat } from "./helpers/conversation-audit.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";
import { describeWaits, resumeWaits } from "./helpers/resume-waits.ts";
import { killServerProcesses, startServerProcess, webhookModeEnv, type ServerProcess } from "./helpers/server-process.ts";
import { deliverUntilAcknowledged, eventUpdate } from "./helpers/telegram-webhook.ts";

const CHATS = 160;
const CHATS_AT_ONCE = 32;
const TOKENS = { a: "123456:instance-a", b: "123456:instance-b" } as const;
/** People whose replies the killed process holds claimed, sending, when it dies. */
const HELD_CHATS = 40;
/** The bound: the other process sends them within this long of the kill. */
const TAKEOVER_LIMIT_MS = 5000;
const UNSENT = `SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`;

describe("several instances on postgresql", () => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let servers: ServerProcess[] = [];

  beforeEach(async () => {
    db = await createTestDatabase("postgresql", { empty: true });
    fake = await FakeTelegramBotApi.start();
  });
  afterEach(async () => {
    await killServerProcesses();
    await fake.stop();
    await db.drop();
  });

  it("two processes on one database: each update processed once, each conversation in order, each message sent once", async () => {
    // Started at the same moment: both apply migrations to the empty database at once.
    servers = await Promise.all(
      (["a", "b"] as const).map((name) => startServerProcess({ env: webhookModeEnv(db.url, fake.url, { TELEGRAM_BOT_TOKEN: TOKENS[name] }) })),
    );
    const [a, b] = servers as [ServerProcess, ServerProcess];

    const chats: ScriptedChat[] = [];
    let nextUpdateId = 1;
    const posted = { a: 0, b: 0, both: 0 };
    let notAcknowledged = 0;
    const deliver = (server: ServerProcess, update: Parameters<typeof deliverUntilAcknowledged>[1]) =>
      deliverUntilAcknowledged(() => server.url, update, { giveUpMs: 30_000, onRefused: () => notAcknowledged++ });
    const runChat = async (chat: ScriptedChat, toBoth: boolean) => {
      for (const event of chat.events) {
        const update = eventUpdate(chat.chatId, event, nextUpdateId++);
        chat.updateIds.push(update.update_id);
        if (toBoth) {
          posted.both++;
          await Promise.all([deliver(a, update), deliver(b, update)]);
        } else if (Math.random() < 0.5) {
          posted.a++;
          await deliver(a, update);
        } else {
          posted.b++;
          await deliver(b, update);
        }
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < CHATS) {
        const n = next++;
        const chat = scriptedChat(n, 820_000_000 + n);
        chats.push(chat);
        await runChat(chat, n % 4 === 0);
      }
    };
    await Promise.all(Array.from({ length: CHATS_AT_ONCE }, worker));

    await vi.waitUntil(async () => (await count(db.url, UNSENT)) === 0, { timeout: 30_000, interval: 100 });
    // A graceful stop waits for sends under way: after it, no late duplicate can still arrive.
    await Promise.all(servers.map((s) => s.stop()));

    const conversations = await auditConversations(db.url, chats);
    const delivery = await auditDelivery(db.url, fake);
    const sentBy = (token: string) => fake.sentMessages().filter((c) => c.token === token).length;
    const updates = chats.reduce((n, c) => n + c.updateIds.length, 0);
    console.log(
      `several instances [postgresql]: 2 processes, ${chats.length} chats, updates ${updates} (to A ${posted.a}, to B ${posted.b}, to both at once ${posted.both}; ` +
        `${notAcknowledged} answers other than 200), lost ${conversations.lost}, processed twice ${conversations.processedTwice}, ` +
        `disordered ${conversations.disordered}, inconsistent ${conversations.inconsistent}; outbox ${delivery.outbound} messages, ` +
        `delivered once ${delivery.delivered} (sent by A ${sentBy(TOKENS.a)}, by B ${sentBy(TOKENS.b)}), unsent ${delivery.unsent}, ` +
        `duplicate sends ${delivery.duplicates.length}, out of order ${delivery.outOfOrder}`,
    );

    expect(conversations.problems).toEqual([]);
    expect(conversations.lost + conversations.processedTwice + conversations.disordered + conversations.inconsistent).toBe(0);
    expect(delivery.problems).toEqual([]);
    expect(delivery.duplicates.map((c) => `${c.payload.chat_id}: ${c.payload.text}`)).toEqual([]);
    expect(delivery.unsent).toBe(0);
    // Both deliverers took part.
    expect(sentBy(TOKENS.a)).toBeGreaterThan(0);
    expect(sentBy(TOKENS.b)).toBeGreaterThan(0);
  }, 120_000);

  it("when one process is killed mid-send, the other sends its claimed replies within 5 s, each once more at most", async () => {
    const start = (name: keyof typeof TOKENS) => startServerProcess({ env: webhookModeEnv(db.url, fake.url, { TELEGRAM_BOT_TOKEN: TOKENS[name] }) });
    const a = await start("a");
    servers = [a];
    // The Bot API takes the sends but does not answer yet: A is in the middle of sending them.
    const releaseSends = fake.hold("sendMessage");
    const chats = Array.from({ length: HELD_CHATS }, (_, n) => scriptedChat(0, 830_500_000 + n));
    await Promise.all(chats.map((chat, n) => deliverUntilAcknowledged(() => a.url, eventUpdate(chat.chatId, chat.events[0]!, n + 1))));
    const sendsBy = (token: string) => fake.calls("sendMessage").filter((c) => c.token === token);
    await vi.waitUntil(() => sendsBy(TOKENS.a).length === HELD_CHATS, { timeout: 30_000, interval: 20 });
    // B starts while A is alive and sending: it must leave A's claims alone.
    servers.push(await start("b"));

    const killedAt = Date.now();
    const sendsOfBBeforeKill = sendsBy(TOKENS.b).length;
    await a.kill();
    const unsent = (await query<{ id: number }>(db.url, `SELECT id FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`)).map((r) => Number(r.id));
    releaseSends(); // A's sends are answered into closed connections; Telegram would have shown them
    await vi.waitUntil(async () => (await count(db.url, UNSENT)) === 0, { timeout: 60_000, interval: 50 });

    const delivery = await auditDelivery(db.url, fake);
    const waits = resumeWaits([{ unsent, resumedAt: killedAt }], delivery, TAKEOVER_LIMIT_MS);
    const sentByB = [...delivery.rowOf.keys()].filter((c) => c.token === TOKENS.b);
    console.log(
      `several instances [postgresql], one killed mid-send: ${HELD_CHATS} people, their ${HELD_CHATS} replies under way at A when it was killed; ` +
        `${describeWaits(waits).replace("resumption", "kill")}; sent by B ${sentByB.length}, duplicate sends ${delivery.duplicates.length} (all A's, cut off by the kill)`,
    );

    expect(delivery.problems).toEqual([]);
    expect(sendsOfBBeforeKill, "B took none of A's claims while A was alive").toBe(0);
    expect(waits.replies, "A was killed with its replies unsent").toBe(HELD_CHATS);
    expect(waits.late, "replies sent more than 5 s after the kill").toBe(0);
    // The only repeats are A's sends cut off by the kill, each repeated once by B after it.
    expect(delivery.duplicates.every((c) => c.token === TOKENS.a && c.at <= killedAt)).toBe(true);
    expect(new Set(delivery.duplicates.map((c) => String(c.payload.chat_id))).size).toBe(delivery.duplicates.length);
    expect(sentByB.length).toBe(HELD_CHATS);
  }, 120_000);
});
