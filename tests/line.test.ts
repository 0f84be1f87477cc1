// LINE end to end over real HTTP: signed webhook bodies are POSTed to the running server,
// replies go out through the outbox to a fake Messaging API (tests/fakes/line-api.ts),
// and the database is read directly. Runs on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { LANGUAGES } from "../flows/data/languages.ts";
import { FakeLineApi, signLineBody } from "./fakes/line-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";
import { silentLog } from "./helpers/engine-harness.ts";
import { StaffClient } from "./helpers/staff-client.ts";
import { createStaffAccount } from "../src/staff/accounts.ts";
import { TEST_HASH_COST } from "./helpers/staff-accounts.ts";
import { startApp as startTestApp } from "./helpers/test-app.ts";

const SECRET = "line-channel-secret";
const ACCESS_TOKEN = "line-access-token";

let nextEvent = 0;
const eventId = () => `01HZZLINE${String(++nextEvent).padStart(17, "0")}`;

function base(userId: string, fake: FakeLineApi, extra: Record<string, unknown> = {}) {
  return {
    timestamp: Date.now(),
    mode: "active",
    webhookEventId: eventId(),
    deliveryContext: { isRedelivery: false },
    source: { type: "user", userId },
    replyToken: fake.issueReplyToken(),
    ...extra,
  };
}
const text = (userId: string, fake: FakeLineApi, body: string) =>
  ({ ...base(userId, fake), type: "message", message: { id: String(Math.random()).slice(2), type: "text", text: body, quoteToken: "q" } });
const postback = (userId: string, fake: FakeLineApi, data: string) => ({ ...base(userId, fake), type: "postback", postback: { data } });

describe.each(DB_KINDS)("LINE channel on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeLineApi;
  let app: App;
  let url: string;

  async function startApp() {
    ({ app, base: url } = await startTestApp(
      {
        DATABASE_URL: db.url,
        PORT: "0",
        LOG_LEVEL: "silent",
        LINE_CHANNEL_SECRET: SECRET,
        LINE_CHANNEL_ACCESS_TOKEN: ACCESS_TOKEN,
        LINE_API_BASE_URL: fake.url,
        LINE_DATA_API_BASE_URL: fake.url,
      },
      { logger: silentLog, delivery: { pollMs: 30, backoff: { baseMs: 50, maxMs: 200 } } },
    ));
  }

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    fake = await new FakeLineApi(ACCESS_TOKEN).start();
    await startApp();
  });
  afterEach(async () => {
    await app.stop();
    await fake.stop();
    await db.drop();
  });

  async function post(events: unknown[], { secret = SECRET, raw }: { secret?: string; raw?: string } = {}) {
    const body = raw ?? JSON.stringify({ destination: "Uxxxxxxxx", events });
    return fetch(`${url}/webhooks/line`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "x-line-signature": signLineBody(body, secret) },
      body,
    });
  }
  const messages = (userId?: string) =>
    query<{ direction: string; kind: string; text: string | null; status: string; platformMessageId: string | null }>(
      db.url,
      `SELECT m.direction, m.kind, m.text, m.status, m."platformMessageId" FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
       ${userId ? `WHERE c."chatId" = '${userId}'` : ""} ORDER BY m.id`,
    );

  it("answers a follow with the greeting by reply, silently, with quick-reply buttons", async () => {
    const res = await post([{ ...base("U1", fake), type: "follow", follow: { isUnblocked: false } }]);
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.delivered().length === 1);
    const [reply] = fake.callsTo("/v2/bot/message/reply");
    expect(reply!.body.notificationDisabled).toBe(true);
    expect(reply!.body.messages[0].text).toBe("Hello. Which language would you like?");
    expect(reply!.body.messages[0].quickReply.items.map((i: any) => [i.action.type, i.action.data])).toEqual(LANGUAGES.map((l) => ["postback", l]));
    const rows = await messages("U1");
    expect(rows.map((r) => [r.direction, r.kind])).toEqual([["in", "command"], ["out", "text"]]);
    await fake.waitFor(() => fake.callsTo("/v2/bot/message/reply").length === 1);
    expect(fake.callsTo("/v2/bot/message/push")).toHaveLength(0);
  });

  it("walks the flow with postbacks and typed labels, in the profile's language", async () => {
    fake.profiles.set("U2", { displayName: "x", language: "ko" });
    await post([text("U2", fake, "안녕하세요")]);
    await fake.waitFor(() => fake.delivered().length === 1);
    expect(fake.delivered()[0]!.text).toBe("안녕하세요. 어떤 언어로 대화할까요?");
    expect(fake.callsTo("/v2/bot/chat/loading/start")[0]!.body).toEqual({ chatId: "U2", loadingSeconds: 5 });
    await post([postback("U2", fake, "ko")]);
    await post([text("U2", fake, "예")]);
    await post([postback("U2", fake, "danger")]);
    // The card (Korean suggests Korea: the Consular Call Center), then one tap to confirm the nationality.
    await fake.waitFor(() => fake.delivered().length === 5);
    const card = fake.delivered()[3]!;
    expect(card.text).toContain("+82-2-3210-0404");
    expect(fake.delivered()[4]!.text).toContain("국적이 어디인가요? 자국 연락처를 알려 드릴게요.");
    expect(card.quickReply.items.every((i: any) => [...i.action.label].length <= 20)).toBe(true);
  });

  it("accepts LINE's verify request (no events) and stores nothing", async () => {
    const res = await post([]);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message"`)).toBe(0);
  });

  it("refuses a missing or wrong signature with 401 and stores nothing", async () => {
    const body = JSON.stringify({ events: [text("U3", fake, "hi")] });
    expect((await post([], { raw: body, secret: "wrong" })).status).toBe(401);
    const unsigned = await fetch(`${url}/webhooks/line`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(unsigned.status).toBe(401);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message"`)).toBe(0);
  });

  it("rejects a signed body that is not JSON or not a webhook body with 400", async () => {
    for (const raw of ["{nope", "[]", JSON.stringify({ events: "x" }), JSON.stringify({ events: [{ type: "message" }] })]) {
      expect((await post([], { raw })).status).toBe(400);
    }
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message"`)).toBe(0);
  });

  it("processes a redelivered event once, also after a restart", async () => {
    const event = text("U4", fake, "hi");
    await post([event]);
    await post([{ ...event, deliveryContext: { isRedelivery: true } }]);
    await app.stop();
    await startApp();
    expect((await post([{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    await post([text("U4", fake, "2")]); // a later event, answered after any stray reply would have been
    await fake.waitFor(() => fake.delivered().length === 2);
    expect((await messages("U4")).filter((m) => m.direction === "in")).toHaveLength(2);
    expect(fake.delivered().map((d) => d.text)).toEqual(["Hello. Which language would you like?", "Is it safe for you to chat right now?"]);
  });

  it("answers a group or room with one line and stores nothing", async () => {
    const group = { ...text("U5", fake, "hi"), source: { type: "group", groupId: "G1", userId: "U5" } };
    const room = { ...text("U5", fake, "hi"), source: { type: "room", roomId: "R1", userId: "U5" } };
    expect((await post([group, room])).status).toBe(200);
    await fake.waitFor(() => fake.delivered().length === 2);
    expect(fake.delivered().map((d) => d.text)).toEqual(["This bot only works in private chats.", "This bot only works in private chats."]);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message"`)).toBe(0);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Contact"`)).toBe(0);
  });

  it("pushes when the reply token has expired or was already used", async () => {
    const expired = { ...text("U6", fake, "hi"), replyToken: fake.issueReplyToken(-1) };
    await post([expired]);
    await fake.waitFor(() => fake.callsTo("/v2/bot/message/push").length === 1);
    const [push] = fake.calls.filter((c) => c.path === "/v2/bot/message/push");
    expect(push!.body).toMatchObject({ to: "U6", notificationDisabled: true });
    expect(push!.retryKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fake.calls.filter((c) => c.path === "/v2/bot/message/reply")[0]!.status).toBe(400);
    // The fake answered; the outbox marks the row right after.
    await vi.waitFor(async () => {
      const [out] = (await messages("U6")).filter((m) => m.direction === "out");
      expect(out!.status).toBe("sent");
      expect(out!.platformMessageId).toMatch(/^\d+$/);
    });
  });

  it("retries a push after 429 and 500 with backoff, sending it once", async () => {
    fake.failNext("/v2/bot/message/push", { status: 429, body: { message: "Too many requests" } });
    fake.failNext("/v2/bot/message/push", { status: 500, body: { message: "oops" } });
    await post([{ ...text("U7", fake, "hi"), replyToken: fake.issueReplyToken(-1) }]);
    await fake.waitFor(() => fake.callsTo("/v2/bot/message/push").length === 1);
    const pushes = fake.calls.filter((c) => c.path === "/v2/bot/message/push");
    expect(pushes.map((c) => c.status)).toEqual([429, 500, 200]);
    expect(new Set(pushes.map((c) => c.retryKey)).size).toBe(1);
    await vi.waitFor(async () => {
      const [out] = (await messages("U7")).filter((m) => m.direction === "out");
      expect(out).toMatchObject({ status: "sent" });
    });
  });

  it("treats a 409 for an already accepted retry key as sent, never sending twice", async () => {
    // LINE answers 409 when a push with the same key was accepted before (its answer was lost).
    fake.failNext("/v2/bot/message/push", { status: 409, body: { message: "The retry key is already accepted" } });
    await post([{ ...text("U8", fake, "hi"), replyToken: fake.issueReplyToken(-1) }]);
    await fake.waitFor(() => fake.calls.some((c) => c.path === "/v2/bot/message/push"));
    await vi.waitFor(async () => {
      const [out] = (await messages("U8")).filter((m) => m.direction === "out");
      expect(out!.status).toBe("sent");
    });
    await app.deliverer.afterPasses(2);
    expect(fake.calls.filter((c) => c.path === "/v2/bot/message/push")).toHaveLength(1);
  });

  it("stores media as such with a re-prompt, and a shared location", async () => {
    await post([text("U9", fake, "/start")]);
    await post([{ ...base("U9", fake), type: "message", message: { id: "m-img", type: "image", contentProvider: { type: "line" } } }]);
    await post([{ ...base("U9", fake), type: "message", message: { id: "m-stk", type: "sticker", packageId: "1", stickerId: "1", stickerResourceType: "STATIC" } }]);
    await post([{ ...base("U9", fake), type: "message", message: { id: "m-loc", type: "location", latitude: 10.6, longitude: 103.5 } }]);
    await fake.waitFor(() => fake.delivered().length === 4);
    const inbound = (await messages("U9")).filter((m) => m.direction === "in").map((m) => m.kind);
    expect(inbound).toEqual(["command", "photo", "sticker", "location"]);
    expect(fake.delivered()[1]!.text).toBe("I can only read text and buttons here. Please use the options.");
  });

  it("marks the contact inactive on unfollow and sends nothing", async () => {
    await post([text("U10", fake, "hi")]);
    await fake.waitFor(() => fake.delivered().length === 1);
    await post([{ timestamp: Date.now(), mode: "active", webhookEventId: eventId(), deliveryContext: { isRedelivery: false }, source: { type: "user", userId: "U10" }, type: "unfollow" }]);
    const [contact] = await query<{ active: unknown }>(db.url, `SELECT active FROM "Contact" WHERE "platformUserId" = 'U10'`);
    expect(Boolean(contact!.active)).toBe(false);
    await app.deliverer.afterPasses(3);
    expect(fake.delivered()).toHaveLength(1);
  });

  it("erases the content of a message the person unsent, keeping its place", async () => {
    const secret = { ...text("U11", fake, "my passport number is X123"), message: { id: "m-secret", type: "text", text: "my passport number is X123", quoteToken: "q" } };
    await post([secret]);
    await post([{ timestamp: Date.now(), mode: "active", webhookEventId: eventId(), deliveryContext: { isRedelivery: false }, source: { type: "user", userId: "U11" }, type: "unsend", unsend: { messageId: "m-secret" } }]);
    const [row] = await query<{ text: string | null; status: string }>(db.url, `SELECT text, status FROM "Message" WHERE "platformMessageId" = 'm-secret'`);
    expect(row).toEqual({ text: null, status: "unsent" });
  });

  it("/stop explains how to delete the chat, since LINE bots cannot delete messages", async () => {
    await post([text("U12", fake, "/start")]);
    await post([text("U12", fake, "/stop")]);
    await fake.waitFor(() => fake.delivered().length === 3);
    // "OK." comes last: it is what the chat list goes on showing.
    expect(fake.delivered().slice(1).map((d) => d.text)).toEqual([
      "This app does not let me delete messages. To remove this chat, long-press or swipe it in your chat list and choose Delete.",
      "OK.",
    ]);
    expect(fake.calls.some((c) => c.path.includes("delete"))).toBe(false);
  });

  it("after 'not safe', explains how to delete the chat instead of offering auto-clear (LINE bots cannot delete)", async () => {
    await post([text("U13", fake, "hi")]);
    await post([postback("U13", fake, "en")]);
    await post([postback("U13", fake, "no")]);
    await fake.waitFor(() => fake.delivered().length === 4);
    expect(fake.delivered().slice(2).map((d) => d.text)).toEqual([
      "OK, talk later. Write any message when you like.",
      "This app does not let me delete messages. To remove this chat when you are done: long-press or swipe it in your chat list and choose Delete.",
    ]);
    // No buttons to turn on what LINE cannot do, and nothing scheduled.
    expect(fake.callsTo("/v2/bot/message/reply").at(-1)!.body.messages.at(-1).quickReply).toBeUndefined();
    expect(await count(db.url, `SELECT COUNT(*) FROM "AutoClear"`)).toBe(0);
    // /help: the commands, then how to mute this chat and hide previews in LINE.
    await post([text("U13", fake, "/help")]);
    await fake.waitFor(() => fake.delivered().length === 6);
    expect(fake.delivered()[5]!.text).toMatch(/^To keep this chat private in LINE: open this chat, tap ≡/);
  });

  it("delivers a staff reply from the console as a silent push in the person's language, and closing returns them to the menu", async () => {
    await createStaffAccount(app.store, { id: null, email: "test" }, { email: "officer@example.org", role: "agent", password: "a long test password" }, TEST_HASH_COST);
    fake.profiles.set("U9", { displayName: "x", language: "ko" });
    await post([text("U9", fake, "안녕하세요")]);
    await post([postback("U9", fake, "ko")]);
    await post([postback("U9", fake, "yes")]);
    await post([postback("U9", fake, "person")]);
    // The hand-off card, then a neutral line.
    await fake.waitFor(() => fake.delivered().length === 5);
    expect(fake.delivered()[4]!.text).toBe("언제든 여기에 쓰셔도 됩니다.");
    const staff = new StaffClient(url);
    expect((await staff.login("officer@example.org", "a long test password")).status).toBe(200);
    const { handoffs } = await staff.json<{ handoffs: { id: string; channel: string; language: string }[] }>(staff.get("/handoffs"));
    expect(handoffs[0]).toMatchObject({ channel: "line", language: "ko" });
    await staff.json(staff.post(`/handoffs/${handoffs[0]!.id}/reply`, { text: "안전한 곳에 있나요?" }), 202);
    await fake.waitFor(() => fake.delivered().length === 6);
    expect(fake.delivered()[5]).toMatchObject({ to: "U9", text: "답장: 안전한 곳에 있나요?", via: "push" });
    const push = fake.callsTo("/v2/bot/message/push").at(-1)!;
    expect(push.body.notificationDisabled).toBe(true);
    await staff.json(staff.post(`/handoffs/${handoffs[0]!.id}/status`, { status: "closed" }));
    await fake.waitFor(() => fake.delivered().length === 8);
    expect(fake.delivered().slice(6).map((d) => d.text)).toEqual(["이 대화는 여기서 마칩니다. 더 필요하면 메뉴에서 고르세요.", "무엇을 도와드릴까요?"]);
  });
});
