// Telegram end to end over real HTTP: updates are POSTed to the running server's webhook
// (or served by the fake's getUpdates in long-polling mode), replies go out through the
// outbox to a fake Bot API server (tests/fakes/telegram-bot-api.ts), and the database is
// read directly. Runs on SQLite and PostgreSQL.
import { connect } from "node:net";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { App, AppOptions } from "../src/app.ts";
import { LANGUAGES } from "../flows/data/languages.ts";
import { FakeTelegramBotApi, type RecordedCall } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";
import { BOT_TOKEN, PICK_ONE_LANGUAGE, UNPACED, WEBHOOK_SECRET } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { callbackUpdate, messageUpdate, nextMessageId, nextUpdateId, now, textUpdate, user } from "./helpers/telegram-updates.ts";
import { startApp as startTestApp } from "./helpers/test-app.ts";

const PUBLIC_URL = "https://example.test";
const SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

const TEXT = {
  language: "Hello. Which language would you like?",
  safety: "Is it safe for you to chat right now?",
  menu: "How can I help?",
  pickOne: PICK_ONE_LANGUAGE,
  unsupported: "I can only read text and buttons here. Please use the options.",
  privateOnly: "This bot only works in private chats.",
  locationPrompt: "Tap the button below to share your location, or type where you are (city, building, anything you know), or skip.",
  locationThanks: "Location received.",
};

interface MessageRow {
  id: number;
  direction: "in" | "out";
  kind: string;
  text: string | null;
  payload: string | null;
  platformEventId: string | null;
  platformMessageId: string | null;
  status: string;
  attempts: number;
}

// ---- the app under test ----

describe.each(DB_KINDS)("Telegram end to end on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let running: App[] = [];
  let chatSeq = 0;
  /** A fresh private chat id per use, so tests never share conversations. */
  const newChat = () => 5_550_000 + ++chatSeq;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN, maxLongPollMs: 500 })]);
  });

  afterEach(async () => {
    for (const app of running.reverse()) await app.stop().catch(() => {});
    running = [];
    await fake.stop();
    await db.drop();
  });

  async function startApp({ polling = false, options = {}, env: extra = {} }: { polling?: boolean; options?: AppOptions; env?: Record<string, string> } = {}) {
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      WEB_CHAT: "off",
      LOG_LEVEL: "silent",
      ...UNPACED,
      ...(polling ? {} : { PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET }),
      ...extra,
    };
    const { app, base } = await startTestApp(env, options);
    running.push(app);
    return {
      app,
      base,
      post: (body: unknown, headers: Record<string, string> = { [SECRET_HEADER]: WEBHOOK_SECRET }) => postRaw(base, JSON.stringify(body), headers),
      stop: async () => {
        running = running.filter((a) => a !== app);
        await app.stop();
      },
    };
  }

  function postRaw(base: string, body: string, headers: Record<string, string> = { [SECRET_HEADER]: WEBHOOK_SECRET }) {
    return fetch(`${base}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  }

  const messages = (where = "1 = 1") =>
    query<MessageRow>(
      db.url,
      `SELECT id, direction, kind, text, payload, "platformEventId", "platformMessageId", status, attempts FROM "Message" WHERE ${where} ORDER BY id`,
    );
  const rowCounts = async () => ({
    contacts: await count(db.url, `SELECT COUNT(*) AS n FROM "Contact"`),
    conversations: await count(db.url, `SELECT COUNT(*) AS n FROM "Conversation"`),
    messages: await count(db.url, `SELECT COUNT(*) AS n FROM "Message"`),
  });
  const keyboardData = (call: RecordedCall) =>
    ((call.payload.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [])
      .flat()
      .map((b) => b.callback_data);
  const messageId = (call: RecordedCall) => (call.result as { message_id: number }).message_id;

  /** Posts an update, expects 200, and waits for the chat to have received `total` messages. */
  async function exchange(post: (body: unknown) => Promise<Response>, chatId: number, update: unknown, total: number) {
    const res = await post(update);
    expect(res.status).toBe(200);
    return fake.waitForMessages(chatId, total);
  }

  it("registers the webhook with the secret token at start", async () => {
    await startApp();
    const set = fake.calls("setWebhook");
    expect(set).toHaveLength(1);
    expect(set[0]!.token).toBe(BOT_TOKEN);
    expect(set[0]!.payload).toMatchObject({
      url: `${PUBLIC_URL}/webhooks/telegram`,
      secret_token: WEBHOOK_SECRET,
    });
    expect(set[0]!.payload.allowed_updates).toEqual(expect.arrayContaining(["message", "edited_message", "callback_query", "my_chat_member"]));
    expect(fake.webhook).toEqual(expect.objectContaining({ url: `${PUBLIC_URL}/webhooks/telegram`, secret_token: WEBHOOK_SECRET }));
    expect(fake.calls("getMe")).toHaveLength(1);
    expect(fake.calls("getUpdates")).toHaveLength(0);
  });

  it("/start: 200 only after commit, then a silent reply with the language buttons", async () => {
    const { post } = await startApp();
    const chat = newChat();
    const update = textUpdate(chat, "/start");
    expect((await post(update)).status).toBe(200);
    // Acknowledged, so already committed: the inbound row and its reply are in the database.
    const committed = await messages();
    expect(committed.map((r) => [r.direction, r.kind])).toEqual([
      ["in", "command"],
      ["out", "text"],
    ]);

    const [reply] = await fake.waitForMessages(chat, 1);
    expect(reply!.token).toBe(BOT_TOKEN);
    expect(reply!.payload).toMatchObject({ chat_id: String(chat), text: TEXT.language, disable_notification: true });
    expect(keyboardData(reply!)).toEqual([...LANGUAGES]);

    await vi.waitFor(async () => expect((await messages())[1]!.status).toBe("sent"));
    const [inbound, outbound] = await messages();
    expect(inbound).toMatchObject({ direction: "in", kind: "command", text: "/start", status: "received" });
    expect(inbound!.platformEventId).toBe(String(update.update_id));
    expect(inbound!.platformMessageId).toBe(String(update.message.message_id));
    expect(outbound).toMatchObject({ direction: "out", status: "sent", text: TEXT.language, attempts: 1 });
    expect(outbound!.platformMessageId).toBe(String(messageId(reply!)));
    expect(JSON.parse(outbound!.payload!).choices.map((c: { id: string }) => c.id)).toEqual([...LANGUAGES]);
    expect(fake.calls("sendMessage")).toHaveLength(1);
  });

  it("replies committed but not sent before a stop are delivered by the next app", async () => {
    const first = await startApp({ options: { deliver: false } });
    const chat = newChat();
    expect((await first.post(textUpdate(chat, "/start"))).status).toBe(200);
    expect((await messages(`direction = 'out'`)).map((r) => r.status)).toEqual(["pending"]);
    await first.stop();
    expect(fake.calls("sendMessage")).toHaveLength(0);

    await startApp();
    const [reply] = await fake.waitForMessages(chat, 1);
    expect(reply!.payload).toMatchObject({ chat_id: String(chat), text: TEXT.language });
    await vi.waitFor(async () =>
      expect((await messages(`direction = 'out'`))[0]).toMatchObject({ status: "sent", platformMessageId: String(messageId(reply!)) }),
    );
  });

  it("a tapped button: the next question is sent and the callback query is answered in the webhook's reply", async () => {
    const { post } = await startApp();
    const chat = newChat();
    const started = await post(textUpdate(chat, "/start"));
    expect(started.status).toBe(200);
    expect(await started.json()).toEqual({ ok: true });
    const [prompt] = await fake.waitForMessages(chat, 1);
    const tap = callbackUpdate(chat, "en", messageId(prompt!));
    const tapped = await post(tap);
    expect(tapped.status).toBe(200);
    expect(await tapped.json()).toEqual({ method: "answerCallbackQuery", callback_query_id: tap.callback_query.id });
    const sent = await fake.waitForMessages(chat, 2);
    expect(sent[1]!.payload).toMatchObject({ chat_id: String(chat), text: TEXT.safety, disable_notification: true });
    expect(keyboardData(sent[1]!)).toEqual(["yes", "no"]);
    // Telegram runs the answer's method itself: no Bot API call of our own.
    expect(fake.calls("answerCallbackQuery")).toHaveLength(0);

    const inbound = await messages(`direction = 'in'`);
    expect(inbound[1]).toMatchObject({ kind: "choice", platformEventId: String(tap.update_id) });
    expect(JSON.parse(inbound[1]!.payload!)).toEqual({ choice: "en" });
    const [contact] = await query<{ language: string }>(db.url, `SELECT language FROM "Contact"`);
    expect(contact!.language).toBe("en");
  });

  it("walks to the emergency card (typed label and number) and hands off to a person once", async () => {
    const { post } = await startApp();
    const chat = newChat();
    const [prompt] = await exchange(post, chat, textUpdate(chat, "/start"), 1);
    await exchange(post, chat, callbackUpdate(chat, "en", messageId(prompt!)), 2);
    const afterYes = await exchange(post, chat, textUpdate(chat, "Yes"), 3); // the button's label, typed
    expect(afterYes[2]!.payload.text).toBe(TEXT.menu);
    expect(keyboardData(afterYes[2]!)).toEqual(["danger", "me", "other", "job", "info", "person"]);

    const afterDanger = await exchange(post, chat, textUpdate(chat, "1"), 5); // "1" = the first button
    const card = afterDanger[3]!;
    // English gives no nationality: Cambodian police, never Korea's line, then the one-tap nationality question.
    expect(card.payload.text).not.toContain("+82-2-3210-0404");
    expect(card.payload.text).toMatch(/\b117\b/);
    expect(keyboardData(card)).toEqual(["person", "location", "menu"]);
    expect(keyboardData(afterDanger[4]!)).toContain("ph");

    const handedOff = await exchange(post, chat, callbackUpdate(chat, "person", messageId(card)), 6);
    expect(handedOff[5]!.payload.text).toContain("A person will read this conversation");
    const handoffs = await query<{ reason: string; status: string }>(db.url, `SELECT reason, status FROM "HandoffRequest"`);
    expect(handoffs).toEqual([{ reason: "emergency", status: "open" }]);
    const [conversation] = await query<{ status: string }>(db.url, `SELECT status FROM "Conversation"`);
    expect(conversation!.status).toBe("handoff");

    // Tapping the old button again is stored for staff but creates no second request.
    expect((await post(callbackUpdate(chat, "person", messageId(card)))).status).toBe(200);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "HandoffRequest"`)).toBe(1);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message" WHERE direction = 'in'`)).toBe(6);
  });

  it("a redelivered update (same update_id) is acknowledged and changes nothing, also after a restart", async () => {
    const first = await startApp();
    const chat = newChat();
    const update = textUpdate(chat, "/start");
    expect((await first.post(update)).status).toBe(200);
    expect((await first.post(update)).status).toBe(200);
    const both = await Promise.all([first.post(update), first.post(update)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    // A later update of the same chat: the outbox delivers in order, so once its replies are
    // out, any reply to a duplicate would have been sent before them.
    const barrier = await exchange(first.post, chat, textUpdate(chat, "hello"), 3);
    expect(barrier.map((c) => c.payload.text)).toEqual([TEXT.language, TEXT.pickOne, TEXT.language]);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message" WHERE direction = 'in'`)).toBe(2);

    await first.stop();
    const second = await startApp();
    expect(fake.calls("setWebhook")).toHaveLength(2);
    expect((await second.post(update)).status).toBe(200);
    const after = await exchange(second.post, chat, textUpdate(chat, "hello again"), 5);
    expect(after.slice(3).map((c) => c.payload.text)).toEqual([TEXT.pickOne, TEXT.language]);
    const inbound = await messages(`direction = 'in'`);
    expect(inbound.map((r) => r.text)).toEqual(["/start", "hello", "hello again"]);
    expect(inbound.filter((r) => r.platformEventId === String(update.update_id))).toHaveLength(1);
    expect(fake.sentMessages(chat)).toHaveLength(5);
  });

  // Several server processes on one database are a PostgreSQL deployment (SQLite is the
  // single-instance embedded default); two SQLite clients inside one test process would
  // block each other in SQLite's synchronous busy wait, which says nothing about two processes.
  if (kind === "postgresql") it("the same update racing into two server instances on one database is stored and answered once", async () => {
    const a = await startApp();
    const b = await startApp();
    const chat = newChat();
    const updates = [textUpdate(chat, "/start"), textUpdate(chat, "one"), textUpdate(chat, "two"), textUpdate(chat, "three")];
    for (const update of updates) {
      const results = await Promise.all([a.post(update), b.post(update)]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
    }
    const inbound = await messages(`direction = 'in'`);
    expect(inbound.map((r) => r.platformEventId)).toEqual(updates.map((u) => String(u.update_id)));
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Conversation"`)).toBe(1);
    // 1 reply to /start, then pickOne + language prompt for each text; each sent exactly once.
    await fake.waitForMessages(chat, 7);
    await vi.waitFor(async () => expect((await messages(`direction = 'out' AND status <> 'sent'`)).length).toBe(0));
    const outbound = await messages(`direction = 'out'`);
    expect(outbound).toHaveLength(7);
    expect(fake.sentMessages(chat).map((c) => String(messageId(c)))).toEqual(outbound.map((r) => r.platformMessageId));
  });

  it("rejects a wrong or missing secret token with 401 and stores nothing", async () => {
    const { base, post } = await startApp();
    const chat = newChat();
    const body = JSON.stringify(textUpdate(chat, "/start"));
    expect((await postRaw(base, body, {})).status).toBe(401);
    expect((await postRaw(base, body, { [SECRET_HEADER]: "wrong" })).status).toBe(401);
    expect((await postRaw(base, body, { [SECRET_HEADER]: WEBHOOK_SECRET.slice(0, -1) + "x" })).status).toBe(401);
    expect((await postRaw(base, body, { [SECRET_HEADER]: `${WEBHOOK_SECRET}x` })).status).toBe(401);
    expect((await postRaw(base, "{broken", { [SECRET_HEADER]: "wrong" })).status).toBe(401);
    expect(await rowCounts()).toEqual({ contacts: 0, conversations: 0, messages: 0 });
    // An accepted update from another chat afterwards: only it is stored and answered.
    const other = newChat();
    await exchange(post, other, textUpdate(other, "/start"), 1);
    expect(await rowCounts()).toEqual({ contacts: 1, conversations: 1, messages: 2 });
    expect(fake.sentMessages(chat)).toHaveLength(0);
  });

  it("rejects malformed JSON and bodies that are not updates with 400 and stores nothing", async () => {
    const { base } = await startApp();
    const bodies = ["{not json", "", "{}", "[]", "null", "42", `"x"`, `{"update_id":"7"}`, `{"update_id":1.5}`, `[{"update_id":1}]`];
    for (const body of bodies) {
      const res = await postRaw(base, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect(await rowCounts()).toEqual({ contacts: 0, conversations: 0, messages: 0 });
    expect(fake.calls("sendMessage")).toHaveLength(0);
  });

  it("stores stickers, photos, voice and edits with their kind and answers with a re-prompt", async () => {
    const { post } = await startApp();
    const chat = newChat();
    await exchange(post, chat, textUpdate(chat, "/start"), 1);
    const file = { file_id: "f1", file_unique_id: "u1" };
    const sticker = messageUpdate(chat, { sticker: { ...file, type: "regular", width: 512, height: 512, is_animated: false, is_video: false } });
    const photo = messageUpdate(chat, { photo: [{ ...file, width: 90, height: 90 }] });
    const voice = messageUpdate(chat, { voice: { ...file, duration: 2 } });
    const original = textUpdate(chat, "typo");
    const edited = {
      update_id: nextUpdateId(),
      edited_message: { ...original.message, text: "fixed", edit_date: now() },
    };
    let total = 1;
    for (const update of [sticker, photo, voice, edited]) {
      const sent = await exchange(post, chat, update, ++total);
      expect(sent[total - 1]!.payload).toMatchObject({ text: TEXT.unsupported, disable_notification: true });
    }
    const inbound = await messages(`direction = 'in'`);
    expect(inbound.map((r) => r.kind)).toEqual(["command", "sticker", "photo", "voice", "edit"]);
    expect(inbound[4]!.platformMessageId).toBe(String(original.message.message_id));
    expect(inbound[4]!.text).toBeNull(); // the edited text is not kept
  });

  it("group chats: a command or being added gets one 'private chats' line; nothing is stored", async () => {
    const { post } = await startApp();
    const group = -1_001_234_567_890;
    const groupChat = { id: group, type: "supergroup", title: "Some group" };
    const inGroup = (text: string) => ({
      update_id: nextUpdateId(),
      message: { message_id: nextMessageId(), date: now(), chat: groupChat, from: user(4242), text },
    });
    expect((await post(inGroup("hello everyone"))).status).toBe(200);
    expect((await post(inGroup("/start@safeline_test_bot"))).status).toBe(200);
    const [notice] = await fake.waitForMessages(group, 1);
    expect(notice!.payload).toMatchObject({ chat_id: group, text: TEXT.privateOnly, disable_notification: true });
    expect(notice!.payload.reply_markup).toBeUndefined();

    const added = {
      update_id: nextUpdateId(),
      my_chat_member: {
        chat: groupChat,
        from: user(4242),
        date: now(),
        old_chat_member: { status: "left", user: { id: fake.bot.id, is_bot: true, first_name: "SafeLine" } },
        new_chat_member: { status: "member", user: { id: fake.bot.id, is_bot: true, first_name: "SafeLine" } },
      },
    };
    expect((await post(added)).status).toBe(200);
    await fake.waitForMessages(group, 2);
    expect((await post(inGroup("another plain message"))).status).toBe(200);
    // The notices are sent straight away (not through the outbox), in the sender's language: a
    // command from a Korean speaker is answered after a stray English notice would have been.
    const fromKorean = inGroup("/help");
    expect((await post({ ...fromKorean, message: { ...fromKorean.message, from: { ...user(4243), language_code: "ko" } } })).status).toBe(200);
    await fake.waitForMessages(group, 3);
    expect(fake.sentMessages(group).map((c) => c.payload.text)).toEqual([TEXT.privateOnly, TEXT.privateOnly, "이 봇은 1:1 대화에서만 작동합니다."]);
    expect(await rowCounts()).toEqual({ contacts: 0, conversations: 0, messages: 0 });
  });

  it("a location sent when the bot asked for it is stored as kind 'location'", async () => {
    const { post } = await startApp();
    const chat = newChat();
    const [prompt] = await exchange(post, chat, textUpdate(chat, "/start"), 1);
    await exchange(post, chat, callbackUpdate(chat, "en", messageId(prompt!)), 2);
    await exchange(post, chat, textUpdate(chat, "Yes"), 3);
    const card = (await exchange(post, chat, textUpdate(chat, "1"), 5))[3]!; // the card, then the nationality question
    const ask = (await exchange(post, chat, callbackUpdate(chat, "location", messageId(card)), 6))[5]!;
    expect(ask.payload.text).toBe(TEXT.locationPrompt);
    const keyboard = ask.payload.reply_markup as { keyboard: { text: string; request_location?: boolean }[][]; one_time_keyboard: boolean };
    expect(keyboard.keyboard[0]![0]).toMatchObject({ request_location: true });
    expect(keyboard.keyboard.flat().map((b) => b.text)).toContain("Skip");

    const location = messageUpdate(chat, { location: { latitude: 11.5564, longitude: 104.9282 } });
    const sent = await exchange(post, chat, location, 8);
    expect(sent.slice(6).map((c) => c.payload.text)).toEqual([TEXT.locationThanks, expect.stringContaining("A person will read")]);
    const [row] = await messages(`direction = 'in' AND kind = 'location'`);
    expect(row).toMatchObject({ kind: "location", platformEventId: String(location.update_id) });
    expect(JSON.parse(row!.payload!)).toEqual({ latitude: 11.5564, longitude: 104.9282 });
    expect(await query(db.url, `SELECT reason FROM "HandoffRequest"`)).toEqual([{ reason: "emergency" }]);
  });

  it("a 429 with retry_after 1 is retried after about a second and delivered exactly once", async () => {
    const { post } = await startApp();
    fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    const chat = newChat();
    const res = await post(textUpdate(chat, "/start"));
    expect(res.status).toBe(200);
    const [delivered] = await fake.waitForMessages(chat, 1, 5000);
    const attempts = fake.calls("sendMessage");
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.error).toEqual({ error_code: 429, description: "Too Many Requests: retry after 1" });
    const waited = delivered!.at - attempts[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2500);

    await vi.waitFor(async () => expect((await messages(`direction = 'out'`))[0]!.status).toBe("sent"));
    const [row] = await messages(`direction = 'out'`);
    // A 429 is Telegram's flow control, not a failed attempt (tests/rate-limits.test.ts).
    expect(row).toMatchObject({ status: "sent", attempts: 1, platformMessageId: String(messageId(delivered!)) });
    // Later replies of the chat follow; the first one was not sent a second time.
    const all = await exchange(post, chat, textUpdate(chat, "hello"), 3);
    expect(all.map((c) => c.payload.text)).toEqual([TEXT.language, TEXT.pickOne, TEXT.language]);
    expect(fake.calls("sendMessage")).toHaveLength(4);
  });

  it("5xx and dropped connections are retried; a 400 marks the message failed and the chat moves on", async () => {
    const { post } = await startApp();
    const chat = newChat();
    fake.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    fake.failNext("sendMessage", { network: true });
    const [first] = await exchange(post, chat, textUpdate(chat, "/start"), 1);
    expect(first!.payload.text).toBe(TEXT.language);
    await vi.waitFor(async () => expect((await messages(`direction = 'out'`))[0]).toMatchObject({ status: "sent", attempts: 3 }));

    fake.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    expect((await post(textUpdate(chat, "hello"))).status).toBe(200);
    // pickOne fails for good; the language prompt after it is still delivered.
    const sent = await fake.waitForMessages(chat, 2);
    expect(sent.map((c) => c.payload.text)).toEqual([TEXT.language, TEXT.language]);
    await vi.waitFor(async () => {
      const out = await messages(`direction = 'out'`);
      expect(out.map((r) => [r.text, r.status, r.attempts])).toEqual([
        [TEXT.language, "sent", 3],
        [TEXT.pickOne, "failed", 1],
        [TEXT.language, "sent", 1],
      ]);
    });
  });

  it("20 updates of one chat arriving at once are all stored, in arrival order, one step at a time", async () => {
    // About order, not Telegram's per-chat pace (one a second; tests/rate-limits.test.ts): 39 replies go out at once.
    const { base, post } = await startApp({ env: { TELEGRAM_CHAT_BURST: "50" } });
    // Pipelined on one connection, so the arrival order is the order written; the server
    // still starts handling request k+1 before it has answered request k.
    const chat = newChat();
    const updates = Array.from({ length: 20 }, (_, i) => textUpdate(chat, `message ${i + 1}`));
    const statuses = await pipelinedPosts(base, updates.map((u) => JSON.stringify(u)));
    expect(statuses).toEqual(updates.map(() => 200));
    const inbound = await messages(`direction = 'in'`);
    expect(inbound.map((r) => r.platformEventId)).toEqual(updates.map((u) => String(u.update_id)));
    expect(inbound.map((r) => r.text)).toEqual(updates.map((u) => u.message.text));
    const conversations = await query<{ seq: number }>(db.url, `SELECT seq FROM "Conversation"`);
    expect(conversations.map((c) => Number(c.seq))).toEqual([20]);

    // Another chat, 20 separate concurrent connections (order between them undefined):
    // still one conversation, every update stepped exactly once.
    const other = newChat();
    const more = Array.from({ length: 20 }, (_, i) => textUpdate(other, `again ${i + 1}`));
    const results = await Promise.all(more.map((u) => post(u)));
    expect(results.map((r) => r.status)).toEqual(more.map(() => 200));
    const rows = await query<{ platformEventId: string; seq: number }>(
      db.url,
      `SELECT m."platformEventId", c.seq FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
       WHERE m.direction = 'in' AND c."chatId" = ?`,
      [String(other)],
    );
    expect(rows.map((r) => r.platformEventId).sort()).toEqual(more.map((u) => String(u.update_id)).sort());
    expect(new Set(rows.map((r) => Number(r.seq)))).toEqual(new Set([20]));

    // Replies leave in the order they were stored, per chat: 1 + 19 × (pickOne, language).
    const sent = await fake.waitForMessages(chat, 39, 15_000);
    await vi.waitFor(async () => expect((await messages(`direction = 'out' AND status <> 'sent'`)).length).toBe(0), { timeout: 15_000 });
    const outbound = await query<{ platformMessageId: string }>(
      db.url,
      `SELECT m."platformMessageId" FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
       WHERE m.direction = 'out' AND c."chatId" = ? ORDER BY m.id`,
      [String(chat)],
    );
    expect(sent.map((c) => String(messageId(c)))).toEqual(outbound.map((r) => r.platformMessageId));
  }, 30_000);

  it("long polling (no PUBLIC_URL): queued updates are fetched, answered and confirmed", async () => {
    const { base } = await startApp({ polling: true });
    // bot.start() runs in the background: deleteWebhook, then getUpdates long polls.
    await fake.waitFor(() => fake.calls("getUpdates").length > 0);
    expect(fake.calls("deleteWebhook")).toHaveLength(1);
    expect(fake.calls("deleteWebhook")[0]!.at).toBeLessThanOrEqual(fake.calls("getUpdates")[0]!.at);
    expect(fake.calls("setWebhook")).toHaveLength(0);
    expect((await postRaw(base, JSON.stringify(textUpdate(1, "/start")))).status).toBe(404);

    const chat = newChat();
    const start = textUpdate(chat, "/start");
    fake.pushUpdate(start);
    const [prompt] = await fake.waitForMessages(chat, 1);
    expect(prompt!.payload).toMatchObject({ text: TEXT.language, disable_notification: true });
    const tap = callbackUpdate(chat, "en", messageId(prompt!));
    fake.pushUpdate(tap);
    const sent = await fake.waitForMessages(chat, 2);
    expect(sent[1]!.payload.text).toBe(TEXT.safety);
    await fake.waitFor(() => fake.calls("answerCallbackQuery").some((c) => c.payload.callback_query_id === tap.callback_query.id));
    // Both confirmed by a later getUpdates offset, so a restart would not see them again.
    await fake.waitFor(() => fake.unconfirmedUpdates.length === 0);
    const polls = fake.calls("getUpdates");
    expect(polls.some((c) => c.payload.offset === tap.update_id + 1)).toBe(true);
    const inbound = await messages(`direction = 'in'`);
    expect(inbound.map((r) => [r.kind, r.platformEventId])).toEqual([
      ["command", String(start.update_id)],
      ["choice", String(tap.update_id)],
    ]);
  });

  // grammY's bot.stop() confirms the update being handled (getUpdates offset = its id + 1)
  // without waiting for the middleware, so TelegramChannel.stop() must await the polling loop
  // before the store closes. Made deterministic by holding the contact's row lock (PostgreSQL).
  if (kind === "postgresql") it("long polling stop() waits for the update in progress to commit", async () => {
    const app = await startApp({ polling: true });
    const chat = newChat();
    fake.pushUpdate(textUpdate(chat, "/start"));
    await fake.waitForMessages(chat, 1);

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    const update = textUpdate(chat, "hello");
    try {
      await locker.query("BEGIN");
      await locker.query(`SELECT id FROM "Contact" FOR UPDATE`);
      fake.pushUpdate(update);
      await fake.waitFor(() =>
        fake.calls("getUpdates").some((c) => Array.isArray(c.result) && c.result.some((u: { update_id: number }) => u.update_id === update.update_id)),
      );
      // The step now waits for the row lock.
      const waiting = `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      await vi.waitUntil(async () => (await count(db.url, waiting)) > 0, { timeout: 10_000, interval: 20 });
      const stopping = app.stop();
      stopping.catch(() => {}); // observed now; awaited below
      // Time for grammY's stop() to confirm the update (it may, without waiting for the step; nothing says when).
      await new Promise((r) => setTimeout(r, 200));
      await locker.query("ROLLBACK");
      await stopping;
    } finally {
      await locker.end();
    }
    const confirmed = !fake.unconfirmedUpdates.some((u) => u.update_id === update.update_id);
    const stored = await count(db.url, `SELECT COUNT(*) AS n FROM "Message" WHERE "platformEventId" = ?`, [String(update.update_id)]);
    // Either the step committed, or Telegram still holds the update and will deliver it again.
    expect({ confirmed, stored }).toEqual({ confirmed, stored: confirmed ? 1 : 0 });
    expect(confirmed && stored === 0).toBe(false);
  });
  it("sends contact numbers as spoilers and ends the card on a neutral line, so the chat list shows no number", async () => {
    const { base } = await startApp();
    const person = new TelegramPerson(base, fake, newChat());
    await person.say("/start");
    await person.tap("en");
    await person.tap("yes");
    await person.tap("danger", 2);
    const [card] = person.messages().slice(-2);
    const text = String(card!.payload.text);
    const spoilers = (card!.payload.entities as { type: string; offset: number; length: number }[]).map((e) => [e.type, text.slice(e.offset, e.offset + e.length)]);
    // No nationality chosen yet (English): Cambodian police, by phone and on Telegram.
    expect(spoilers).toEqual([["spoiler", "117"], ["spoiler", "+855-979-117-117"]]);
    const [, last] = await person.tap("person", 2);
    expect(last).toBe("You can write here at any time.");
    expect(person.messages().at(-1)!.payload.entities).toBeUndefined();
  });

  it("/stop deletes this chat's messages (the person's and the bot's) and leaves one neutral line", async () => {
    const { post } = await startApp();
    const chat = newChat();
    const start = textUpdate(chat, "/start");
    const [greeting] = await exchange(post, chat, start, 1);
    const hello = textUpdate(chat, "hello there");
    await exchange(post, chat, hello, 3); // pickOne + the language question again
    await vi.waitFor(async () => expect((await messages(`direction = 'out' AND status = 'sent'`)).length).toBe(3));
    const stop = textUpdate(chat, "/stop");
    const sent = await exchange(post, chat, stop, 4);
    expect(sent.at(-1)!.payload.text).toBe("OK.");
    const [deletion] = fake.calls("deleteMessages");
    const ids = (deletion!.payload.message_ids as number[]).sort((a, b) => a - b);
    const botIds = sent.slice(0, 3).map(messageId);
    const userIds = [start, hello, stop].map((u) => u.message.message_id);
    expect(ids).toEqual([...botIds, ...userIds].sort((a, b) => a - b));
    expect(deletion!.payload.chat_id).toBe(String(chat));
    // The deletion went out before the neutral line.
    expect(deletion!.at).toBeLessThanOrEqual(fake.calls("sendMessage").at(-1)!.at);
    expect(greeting).toBeDefined();
  });

  it("/stop cancels replies still waiting in the outbox, so nothing new appears after the chat is cleared", async () => {
    const { app, post } = await startApp();
    const chat = newChat();
    const release = fake.hold("sendMessage", chat);
    expect((await post(textUpdate(chat, "/start"))).status).toBe(200);
    // The greeting is being sent (held at the Bot API); the two answers to "hello there" wait behind it.
    await fake.waitFor(() => fake.calls("sendMessage").some((c) => String(c.payload.chat_id) === String(chat)));
    expect((await post(textUpdate(chat, "hello there"))).status).toBe(200);
    await vi.waitFor(async () => expect((await messages(`direction = 'out'`)).map((m) => m.status)).toEqual(["sending", "pending", "pending"]));
    expect((await post(textUpdate(chat, "/stop"))).status).toBe(200);
    release();
    const sent = await fake.waitForMessages(chat, 2);
    expect(sent.map((m) => m.payload.text)).toEqual([TEXT.language, "OK."]);
    await vi.waitFor(async () =>
      expect((await messages(`direction = 'out'`)).map((m) => [m.kind, m.status])).toEqual([
        ["text", "sent"],
        ["text", "cancelled"],
        ["text", "cancelled"],
        ["delete", "sent"],
        ["text", "sent"],
      ]),
    );
    await app.deliverer.afterPasses(3);
    expect(fake.sentMessages(chat)).toHaveLength(2);
  });

  it("/delete erases the person's data after confirmation; staff keep only a tombstone", async () => {
    const { post } = await startApp();
    const chat = newChat();
    const [greeting] = await exchange(post, chat, textUpdate(chat, "/start"), 1);
    await exchange(post, chat, callbackUpdate(chat, "en", messageId(greeting!)), 2);
    await exchange(post, chat, textUpdate(chat, "My name is Kim and I am in building 7"), 4);
    const [, , , confirm] = await exchange(post, chat, textUpdate(chat, "/delete"), 4).then(() => fake.waitForMessages(chat, 5)).then((m) => m.slice(1));
    expect(confirm!.payload.text).toContain("Erase now?");
    const all = await exchange(post, chat, callbackUpdate(chat, "erase", messageId(confirm!)), 6);
    expect(all.at(-1)!.payload.text).toBe("Your data has been erased. You can write again at any time.");
    await vi.waitFor(async () => {
      const [conversation] = await query<{ chatId: string; status: string; snapshot: string }>(db.url, `SELECT "chatId", status, snapshot FROM "Conversation"`);
      expect(conversation).toEqual({ chatId: "erased", status: "erased", snapshot: "{}" });
    });
    const rows = await messages();
    expect(rows.some((r) => (r.text ?? "").includes("Kim"))).toBe(false);
    expect(rows.filter((r) => r.kind !== "erased" && r.kind !== "delete").map((r) => r.text)).toEqual([all.at(-1)!.payload.text]);
    const [contact] = await query<{ platformUserId: string; language: string | null }>(db.url, `SELECT "platformUserId", language FROM "Contact"`);
    expect(contact!.platformUserId).toMatch(/^erased:/);
    expect(contact!.language).toBeNull();
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Contact" WHERE "platformUserId" = ?`, [String(chat)])).toBe(0);
    expect(fake.calls("deleteMessages")).toHaveLength(1);
    // Writing again starts afresh, as a new contact.
    await exchange(post, chat, textUpdate(chat, "hi"), 7);
    expect(fake.sentMessages(chat).at(-1)!.payload.text).toBe(TEXT.language);
  });

});

/** Writes all requests on one keep-alive connection at once (HTTP/1.1 pipelining); returns the statuses in order. */
function pipelinedPosts(base: string, bodies: string[]): Promise<number[]> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    const statuses = () => [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`pipelined posts: only ${statuses().length} of ${bodies.length} answers`));
    }, 20_000);
    socket.setEncoding("utf8");
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("data", (chunk: string) => {
      received += chunk;
      const got = statuses();
      if (got.length >= bodies.length) {
        clearTimeout(timer);
        socket.end();
        resolve(got);
      }
    });
    socket.on("connect", () => {
      const requests = bodies.map(
        (body) =>
          `POST /webhooks/telegram HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
          `${SECRET_HEADER}: ${WEBHOOK_SECRET}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
      );
      socket.write(requests.join(""));
    });
  });
}
