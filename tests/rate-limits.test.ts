// Rate limits, inbound and outbound. The limiters alone on a fake clock; then end to end
// over real HTTP against the fake Bot API and the fake LINE API, on SQLite and PostgreSQL:
// a flood from one person next to five people talking normally, a burst of many chats'
// replies against Telegram's overall and per-chat limits, 429 retry_after honoured, and a
// LINE 429 followed by success.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { InboundLimiter } from "../src/engine/inbound-limiter.ts";
import { SendRateLimiter } from "../src/outbox/send-rate-limiter.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { FakeLineApi, signLineBody } from "./fakes/line-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";
import { silentLog } from "./helpers/engine-harness.ts";
import { BOT_TOKEN, PICK_ONE_LANGUAGE } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { textUpdate } from "./helpers/telegram-updates.ts";
import { startApp, startTelegramApp } from "./helpers/test-app.ts";

const TEXT = "You are sending messages very fast.";

/** The most events in any window of `windowMs` (half-open: [t, t + windowMs)). */
function maxInWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/**
 * How far a series of send times goes beyond a token bucket (burst, perSecond): the largest
 * count of sends in any stretch, minus what the bucket allows in it. ≤ 0 means it conforms.
 */
function bucketExcess(times: number[], burst: number, perSecond: number, jitterMs = 0): number {
  const t = [...times].sort((a, b) => a - b);
  let worst = -Infinity;
  for (let i = 0; i < t.length; i++) {
    for (let j = i; j < t.length; j++) {
      const allowed = burst + (Math.max(0, t[j]! - t[i]! + jitterMs) * perSecond) / 1000;
      worst = Math.max(worst, j - i + 1 - Math.floor(allowed + 1e-9));
    }
  }
  return worst;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

describe("inbound limiter", () => {
  const limits = { burst: 3, perSecond: 0.5, noticeCooldownMs: 10_000 };
  const text = { type: "TEXT", text: "hello" } as const;

  it("lets a burst through, then one message per 1/rate, and says so once per cooldown", () => {
    let now = 0;
    const limiter = new InboundLimiter(limits, () => now);
    expect([1, 2, 3].map(() => limiter.admit("a", text))).toEqual([{ run: true }, { run: true }, { run: true }]);
    expect(limiter.admit("a", text)).toEqual({ run: false, notice: true });
    expect(limiter.admit("a", text)).toEqual({ run: false, notice: false });
    // Another person is not affected.
    expect(limiter.admit("b", text)).toEqual({ run: true });
    now = 1999;
    expect(limiter.admit("a", text)).toEqual({ run: false, notice: false });
    now = 2000;
    expect(limiter.admit("a", text)).toEqual({ run: true });
    expect(limiter.admit("a", text)).toEqual({ run: false, notice: false });
    // 8 s later the bucket is full again (3), and the cooldown has passed.
    now = 10_000;
    expect([1, 2, 3].map(() => limiter.admit("a", text))).toEqual([{ run: true }, { run: true }, { run: true }]);
    expect(limiter.admit("a", text)).toEqual({ run: false, notice: true });
    expect(limiter.admit("a", text)).toEqual({ run: false, notice: false });
  });

  it("lets commands, locations and emergency words through on a reserve of their own", () => {
    let now = 0;
    const limiter = new InboundLimiter(limits, () => now);
    for (let i = 0; i < 3; i++) limiter.admit("a", text);
    expect(limiter.admit("a", text).run).toBe(false);
    expect(limiter.admit("a", { type: "TEXT", text: "SOS!" })).toEqual({ run: true });
    expect(limiter.admit("a", { type: "TEXT", text: "살려주세요" })).toEqual({ run: true });
    expect(limiter.admit("a", { type: "COMMAND", command: "stop" })).toEqual({ run: true });
    expect(limiter.admit("a", { type: "LOCATION", latitude: 11.5, longitude: 104.9 })).toEqual({ run: true });
    expect(limiter.admit("a", { type: "TEXT", text: "help" })).toEqual({ run: true });
    // The reserve has limits too: a flood of "SOS" is throttled after it, then one every 10 s.
    expect(limiter.admit("a", { type: "TEXT", text: "SOS" }).run).toBe(false);
    expect(limiter.admit("a", { type: "CHOICE", id: "danger" }).run).toBe(false);
    now = 10_000;
    expect(limiter.admit("a", { type: "TEXT", text: "SOS" })).toEqual({ run: true });
  });

  it("forgets people whose bucket is full again", () => {
    let now = 0;
    const limiter = new InboundLimiter(limits, () => now);
    for (let i = 0; i < 500; i++) limiter.admit(`p${i}`, text);
    expect(limiter.size).toBe(500);
    now = 60_000;
    for (let i = 0; i < 524; i++) limiter.admit("later", text);
    expect(limiter.size).toBe(1);
  });
});

describe("send rate limiter", () => {
  it("holds a chat after its burst, and for a 429's retry_after", () => {
    let now = 0;
    const limiter = new SendRateLimiter({ chat: { burst: 2, perSecond: 1 } }, () => now);
    expect(limiter.readyIn("a")).toBe(0);
    limiter.rateLimited("a", 3000);
    expect(limiter.readyIn("a")).toBe(3000);
    expect(limiter.readyIn("b")).toBe(0);
    now = 3000;
    expect(limiter.readyIn("a")).toBe(0);
  });

  it("holds every chat when two chats get a 429 within a second", () => {
    let now = 0;
    const limiter = new SendRateLimiter({}, () => now);
    limiter.rateLimited("a", 5000);
    expect(limiter.readyIn("c")).toBe(0);
    now = 1500;
    limiter.rateLimited("b", 2000);
    expect(limiter.readyIn("c")).toBe(0); // 1.5 s apart: two separate chats' limits
    now = 2000;
    limiter.rateLimited("a", 4000);
    expect(limiter.readyIn("c")).toBe(4000);
    expect(limiter.readyIn("b")).toBe(4000);
  });

  it("refuses to wait out a 429 inside acquire, so the message goes back to the outbox", async () => {
    const limiter = new SendRateLimiter({ perSecond: 30, chat: { burst: 3, perSecond: 1 } });
    limiter.rateLimited("a", 10_000);
    await expect(limiter.acquire("a")).rejects.toMatchObject({ rateLimited: true, retryable: true });
    await limiter.acquire("b");
  });

  it("raised limits (a benchmark against an instant fake) do not cap sends at one a millisecond", async () => {
    const limiter = new SendRateLimiter({ perSecond: 1_000_000, chat: { burst: 1_000_000, perSecond: 1_000_000 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => limiter.acquire(`c${i % 100}`)));
    // At one a millisecond this would take 20 s.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("keeps any second within the overall rate and paces each chat after its burst", async () => {
    const limiter = new SendRateLimiter({ perSecond: 20, chat: { burst: 3, perSecond: 5 } });
    const times: Record<string, number[]> = {};
    const start = Date.now();
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const chat = `c${i % 4}`;
        await limiter.acquire(chat);
        (times[chat] ??= []).push(Date.now());
      }),
    );
    const all = Object.values(times).flat();
    expect(maxInWindow(all)).toBeLessThanOrEqual(20);
    // 40 sends at 20/s, one at a time: at least 39 / 20 s.
    expect(Date.now() - start).toBeGreaterThanOrEqual(1900);
    for (const chatTimes of Object.values(times)) expect(bucketExcess(chatTimes, 3, 5, 5)).toBeLessThanOrEqual(0);
  });
});

// ---- end to end ----

describe.each(DB_KINDS)("rate limits end to end on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let apps: App[] = [];
  let chatSeq = 0;
  const newChat = () => 7_770_000 + ++chatSeq;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
  });
  afterEach(async () => {
    for (const app of apps) await app.stop().catch(() => {});
    apps = [];
    await fake.stop();
    await db.drop();
  });

  /** The pacing SafeLine starts with when nothing is configured (the shared test env turns it off). */
  const defaults = loadConfig({});
  const PRODUCTION_PACING = {
    TELEGRAM_SENDS_PER_SECOND: String(defaults.TELEGRAM_SENDS_PER_SECOND),
    TELEGRAM_CHAT_SENDS_PER_SECOND: String(defaults.TELEGRAM_CHAT_SENDS_PER_SECOND),
    TELEGRAM_CHAT_BURST: String(defaults.TELEGRAM_CHAT_BURST),
  };

  /** The inbound limit's clock: real time plus what a test skipped. */
  let skippedMs = 0;
  async function startTelegram(env: Record<string, string> = {}) {
    skippedMs = 0;
    const { app, base } = await startTelegramApp(db.url, fake.url, {
      env: { ...PRODUCTION_PACING, ...env },
      options: {
        logger: silentLog,
        delivery: { pollMs: 50, leaseMs: 10_000, maxAttempts: 3, concurrency: 16, backoff: { baseMs: 50, maxMs: 500 } },
        inboundClock: () => Date.now() + skippedMs,
      },
    });
    apps.push(app);
    return { app, base, person: (chat = newChat()) => new TelegramPerson(base, fake, chat) };
  }

  const outboundKeys = async (chat: number) =>
    (
      await query<{ payload: string; status: string; attempts: number }>(
        db.url,
        `SELECT m.payload, m.status, m.attempts FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
         WHERE m.direction = 'out' AND c."chatId" = ? ORDER BY m.id`,
        [String(chat)],
      )
    ).map((r) => ({ key: (JSON.parse(r.payload) as { key: string }).key, status: r.status, attempts: Number(r.attempts) }));

  it("a flood from one person is stored in full but does not slow others down", async () => {
    const cooldownMs = 20_000;
    const { person } = await startTelegram({ INBOUND_NOTICE_COOLDOWN_SECONDS: String(cooldownMs / 1000) });
    const flooder = person();
    await flooder.say("/start");

    // Five people take the same path at a person's pace (a short pause to read each reply),
    // timing every reply from their update to its arrival at the Bot API.
    const latencies: number[] = [];
    const converse = async (p: TelegramPerson) => {
      // Contacts & info (kr) comes as two messages: the numbers, then a neutral line with the buttons.
      const steps: [kind: "say" | "tap", what: string, replies: number][] = [["say", "/start", 1], ["tap", "en", 1], ["tap", "yes", 1], ["tap", "info", 1], ["tap", "kr", 2], ["tap", "menu", 1]];
      for (const [kind, what, replies] of steps) {
        const started = Date.now();
        await (kind === "say" ? p.say(what, replies) : p.tap(what, replies));
        latencies.push(p.messages().at(-1)!.at - started);
        await new Promise((r) => setTimeout(r, 300));
      }
    };

    // The flood: 300 texts, 8 requests in flight at a time, with one "SOS" among them.
    const FLOOD = 300;
    const flood = Array.from({ length: FLOOD }, (_, i) => textUpdate(flooder.chatId, i === 150 ? "SOS" : `flood ${i}`));
    const floodStarted = Date.now();
    let next = 0;
    const poster = async () => {
      while (next < flood.length) await flooder.post(flood[next++]!);
    };
    const others = Array.from({ length: 5 }, () => person());
    const [floodMs, othersMs] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, poster)).then(() => Date.now() - floodStarted),
      Promise.all(others.map(converse)).then(() => Date.now() - floodStarted),
    ]);
    // The notice check below needs the flood inside one cooldown.
    expect(floodMs).toBeLessThan(cooldownMs);
    // Five more people arrive while the flooder's replies are still being paced out.
    const later = Array.from({ length: 5 }, () => person());
    await Promise.all(later.map(converse));

    // Every update of the flood is in the transcript, once.
    const stored = await query<{ platformEventId: string }>(
      db.url,
      `SELECT m."platformEventId" FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE m.direction = 'in' AND c."chatId" = ?`,
      [String(flooder.chatId)],
    );
    const ids = new Set(stored.map((r) => r.platformEventId));
    expect(stored).toHaveLength(FLOOD + 1);
    for (const update of flood) expect(ids.has(String(update.update_id))).toBe(true);

    // The others got every reply, each within a generous bound (a reply is paced to at most one a second per chat).
    for (const p of [...others, ...later]) expect(p.messages()).toHaveLength(7);
    expect(latencies).toHaveLength(60);
    expect(Math.max(...latencies)).toBeLessThan(5000);

    // Only the first messages ran the flow (20 of burst, plus what refilled during the flood),
    // the rest got one notice; the SOS still brought the emergency card.
    const keys = (await outboundKeys(flooder.chatId)).map((k) => k.key);
    const notices = keys.filter((k) => k === "common.tooFast").length;
    const flowReplies = keys.length - notices;
    const ran = 1 + 20 + Math.ceil((floodMs / 1000) * 0.5);
    expect(notices).toBe(1);
    expect(flowReplies).toBeLessThanOrEqual(2 * ran + 1);
    expect(keys).toContain("emergency.card");
    expect(keys.indexOf("emergency.card")).toBeGreaterThan(keys.indexOf("common.tooFast"));

    // After the cooldown (skipped on the limit's clock), a second burst of throttled messages brings exactly one more notice.
    skippedMs += cooldownMs + 100;
    const second = Array.from({ length: 40 }, (_, i) => textUpdate(flooder.chatId, `again ${i}`));
    for (const update of second) await flooder.post(update);
    const after = (await outboundKeys(flooder.chatId)).map((k) => k.key);
    expect(after.filter((k) => k === "common.tooFast")).toHaveLength(2);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE m.direction = 'in' AND c."chatId" = ?`, [String(flooder.chatId)])).toBe(FLOOD + 41);

    console.log(
      `[flood ${kind}] flooder updates ${FLOOD + 41}, stored ${FLOOD + 41}, ran the flow about ${ran} (replies ${flowReplies}), ` +
        `throttled notices ${after.filter((k) => k === "common.tooFast").length} (cooldown ${cooldownMs / 1000} s), SOS answered ${keys.includes("emergency.card")}; ` +
        `flood took ${floodMs} ms; 10 others (5 during, 5 after the flood): 60 replies, latency p50 ${percentile(latencies, 50)} / max ${Math.max(...latencies)} ms, first 5 done after ${othersMs} ms; ` +
        `max sends in any 1 s ${maxInWindow(fake.sendTimes())}`,
    );
  }, 90_000);

  it("a burst of many chats' replies stays within the overall rate, and each chat within its own", async () => {
    const PER_SECOND = 30;
    const CHAT = { burst: 3, perSecond: 2 };
    const { person } = await startTelegram({
      TELEGRAM_SENDS_PER_SECOND: String(PER_SECOND),
      TELEGRAM_CHAT_SENDS_PER_SECOND: String(CHAT.perSecond),
      TELEGRAM_CHAT_BURST: String(CHAT.burst),
    });
    // 90 people start at once: 90 replies due together.
    const people = Array.from({ length: 90 }, () => person());
    const started = Date.now();
    await Promise.all(people.map((p) => p.post(textUpdate(p.chatId, "/start"))));
    // One of them also types 7 things quickly: 14 more replies (pickOne + the question) for one chat.
    const busy = people[0]!;
    for (let i = 0; i < 7; i++) await busy.post(textUpdate(busy.chatId, `hello ${i}`));
    await fake.waitFor(() => people.every((p) => p.messages().length >= 1) && busy.messages().length >= 15, 30_000);
    const elapsed = Date.now() - started;

    const times = fake.sendTimes();
    expect(times).toHaveLength(104);
    const refused = fake.calls("sendMessage").filter((c) => c.error).length;
    expect(refused).toBe(0);
    const maxPerSecond = maxInWindow(times);
    // One send of tolerance for HTTP arrival jitter at the fake.
    expect(maxPerSecond).toBeLessThanOrEqual(PER_SECOND + 1);
    expect(elapsed).toBeGreaterThanOrEqual(((104 - PER_SECOND) / PER_SECOND) * 1000);
    const busyTimes = fake.sendTimes(busy.chatId);
    // The fake sees arrivals, not the limiter's send times: on a loaded machine one request can
    // arrive a few hundred ms late and the next on time. A limiter that did not pace this chat
    // would put its 15 replies in about a second, many over the bucket even with this tolerance.
    const excess = bucketExcess(busyTimes, CHAT.burst, CHAT.perSecond, 250);
    expect(excess).toBeLessThanOrEqual(0);
    const busiestSecond = maxInWindow(busyTimes);
    expect(busiestSecond).toBeLessThanOrEqual(CHAT.burst + CHAT.perSecond);
    // Each message sent once, in the order stored.
    expect(new Set(fake.sentMessages().map((c) => (c.result as { message_id: number }).message_id)).size).toBe(104);
    expect(busy.messages().map((c) => c.payload.text).slice(0, 3)).toEqual([
      "Hello. Which language would you like?",
      PICK_ONE_LANGUAGE,
      "Hello. Which language would you like?",
    ]);
    await vi.waitFor(async () => expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message" WHERE direction = 'out' AND status = 'sent'`)).toBe(104));
    console.log(
      `[outbound ${kind}] sent ${times.length} to ${people.length} chats in ${elapsed} ms; max sends in any 1 s ${maxPerSecond} (limit ${PER_SECOND}); ` +
        `one chat: ${busyTimes.length} sends in ${busyTimes.at(-1)! - busyTimes[0]!} ms, at most ${busiestSecond} in any 1 s, never beyond ${CHAT.burst} + ${CHAT.perSecond}/s (excess ${excess}); failed sends ${refused}`,
    );
  }, 60_000);

  it("a 429 holds its chat for retry_after, then the message arrives once, in order; two chats at once hold all", async () => {
    const { person } = await startTelegram();
    const a = person();
    const b = person();
    fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 2", parameters: { retry_after: 2 } }, 1, a.chatId);
    await Promise.all([a.post(textUpdate(a.chatId, "/start")), b.post(textUpdate(b.chatId, "/start"))]);
    await b.waitFor(1);
    const refused = await fake.waitFor(() => fake.calls("sendMessage").find((c) => c.error?.error_code === 429));
    // During the wait a becomes impatient: the replies queue behind the first one.
    await a.post(textUpdate(a.chatId, "hello"));
    const texts = await a.waitFor(3, 8000);
    expect(texts).toEqual(["Hello. Which language would you like?", PICK_ONE_LANGUAGE, "Hello. Which language would you like?"]);
    const toA = fake.calls("sendMessage").filter((c) => String(c.payload.chat_id) === String(a.chatId));
    expect(toA.map((c) => c.error?.error_code ?? 200)).toEqual([429, 200, 200, 200]);
    const waited = toA[1]!.at - refused.at;
    expect(waited).toBeGreaterThanOrEqual(1950);
    // b was not held by a's 429.
    expect(b.messages()[0]!.at).toBeLessThan(refused.at + 1000);
    await vi.waitFor(async () => expect((await outboundKeys(a.chatId)).map((k) => [k.status, k.attempts])).toEqual([["sent", 1], ["sent", 1], ["sent", 1]]));

    // Two chats told to wait within a second: Telegram is limiting the whole bot, so a third chat waits too.
    const c = person();
    const d = person();
    const e = person();
    for (const p of [c, d]) {
      fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 2", parameters: { retry_after: 2 } }, 1, p.chatId);
    }
    await Promise.all([c, d].map((p) => p.post(textUpdate(p.chatId, "/start"))));
    await fake.waitFor(() => fake.calls("sendMessage").filter((call) => call.error?.error_code === 429).length === 3);
    const secondRefusal = Math.max(...fake.calls("sendMessage").filter((call) => call.error).map((call) => call.at));
    await e.post(textUpdate(e.chatId, "/start"));
    await Promise.all([c, d, e].map((p) => p.waitFor(1, 8000)));
    const firstAfter = Math.min(...[c, d, e].map((p) => p.messages()[0]!.at));
    expect(firstAfter - secondRefusal).toBeGreaterThanOrEqual(1950);
    expect([c, d, e].map((p) => p.messages().length)).toEqual([1, 1, 1]);
    console.log(
      `[429 ${kind}] 429s honoured 3 (retry_after 2 s): chat held ${waited} ms; whole bot held ${firstAfter - secondRefusal} ms after a second chat's 429; each message delivered once, not counted as an attempt`,
    );
  }, 60_000);
});

describe("LINE 429", () => {
  const SECRET = "line-channel-secret";
  const ACCESS_TOKEN = "line-access-token";
  let db: TestDatabase;
  let fake: FakeLineApi;
  let app: App;
  let url: string;
  let seq = 0;

  beforeEach(async () => {
    db = await createTestDatabase("sqlite");
    fake = await new FakeLineApi(ACCESS_TOKEN).start();
    ({ app, base: url } = await startApp(
      { DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent", LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: ACCESS_TOKEN, LINE_API_BASE_URL: fake.url },
      { logger: silentLog, delivery: { pollMs: 30, backoff: { baseMs: 50, maxMs: 200 } } },
    ));
  });
  afterEach(async () => {
    await app.stop();
    await fake.stop();
    await db.drop();
  });

  /** A text event whose reply token has expired, so the reply is pushed. */
  async function say(userId: string, text: string) {
    const event = {
      type: "message",
      timestamp: Date.now(),
      mode: "active",
      webhookEventId: `01HZZRATE${String(++seq).padStart(17, "0")}`,
      deliveryContext: { isRedelivery: false },
      source: { type: "user", userId },
      replyToken: fake.issueReplyToken(-1),
      message: { id: `m${seq}`, type: "text", text, quoteToken: "q" },
    };
    const body = JSON.stringify({ destination: "U0", events: [event] });
    const res = await fetch(`${url}/webhooks/line`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-line-signature": signLineBody(body, SECRET) },
      body,
    });
    expect(res.status).toBe(200);
  }
  const pushes = () => fake.calls.filter((c) => c.path === "/v2/bot/message/push");
  const rows = (userId: string) =>
    query<{ status: string; attempts: number }>(
      db.url,
      `SELECT m.status, m.attempts FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE m.direction = 'out' AND c."chatId" = ?`,
      [userId],
    );

  it("a rate-limit 429 pauses every push for Retry-After; each message then arrives once", async () => {
    fake.failNext("/v2/bot/message/push", { status: 429, body: { message: "The API rate limit has been exceeded. Try again later." }, headers: { "retry-after": "1" } });
    await say("U1", "/start");
    await fake.waitFor(() => pushes().length === 1);
    const refused = pushes()[0]!;
    await say("U2", "/start");
    await fake.waitFor(() => fake.callsTo("/v2/bot/message/push").length === 2);
    const accepted = pushes().filter((c) => c.status === 200);
    expect(pushes().map((c) => c.status)).toEqual([429, 200, 200]);
    expect(Math.min(...accepted.map((c) => c.at)) - refused.at).toBeGreaterThanOrEqual(950);
    expect(accepted.map((c) => c.body.to).sort()).toEqual(["U1", "U2"]);
    await vi.waitFor(async () => expect(await rows("U1")).toEqual([{ status: "sent", attempts: 1 }]));
    console.log(`[LINE 429] 429s honoured 1 (Retry-After 1 s): pushes held ${Math.min(...accepted.map((c) => c.at)) - refused.at} ms, both users' replies delivered once`);
  });

  it("a 429 for the monthly quota is retried like any failure, without pausing", async () => {
    fake.failNext("/v2/bot/message/push", { status: 429, body: { message: "You have reached your monthly limit." } });
    await say("U3", "/start");
    await fake.waitFor(() => fake.callsTo("/v2/bot/message/push").length === 1);
    expect(pushes().map((c) => c.status)).toEqual([429, 200]);
    await vi.waitFor(async () => expect(await rows("U3")).toEqual([{ status: "sent", attempts: 2 }]));
  });
});
