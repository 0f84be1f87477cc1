// Auto-clear on Telegram, through real HTTP with the fake Bot API, on SQLite and PostgreSQL:
// the person turns it on; once the chat has been quiet for the chosen time, every message
// of the conversation (theirs and the bot's) is deleted, once; new activity moves the clear
// on; staff writing a reply hold it; it survives a SIGKILL and restart; two instances clear
// a chat once. The clear job's clock is passed in (no waiting ten minutes); where a
// separate process runs the job, the stored due time is moved back instead, as if the quiet
// time had passed.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, execute, query } from "./helpers/db-query.ts";
import { killServerProcesses, sleep, startServerProcess, webhookModeEnv, type ServerProcess } from "./helpers/server-process.ts";
import { addStaffAccounts, signedInClient } from "./helpers/staff-accounts.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { textUpdate } from "./helpers/telegram-updates.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const MINUTE = 60_000;
let nextChat = 880_000;

interface Schedule {
  minutes: number;
  dueAt: Date | null;
  holdUntil: Date | null;
}

async function scheduleOf(url: string, chat: number): Promise<Schedule | undefined> {
  const [row] = await query<{ minutes: number; dueAt: string | Date | null; holdUntil: string | Date | null }>(
    url,
    `SELECT a.minutes, a."dueAt", a."holdUntil" FROM "AutoClear" a JOIN "Conversation" c ON c.id = a."conversationId" WHERE c."chatId" = ?`,
    [String(chat)],
  );
  if (!row) return undefined;
  const at = (v: string | Date | null) => (v === null ? null : new Date(v));
  return { minutes: Number(row.minutes), dueAt: at(row.dueAt), holdUntil: at(row.holdUntil) };
}

/** The events of the chat's transcript that concern auto-clear, in order. */
async function autoClearEvents(url: string, chat: number): Promise<string[]> {
  const rows = await query<{ kind: string }>(
    url,
    `SELECT m.kind FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE c."chatId" = ? AND m.direction = 'event' AND m.kind LIKE 'autoClear.%' ORDER BY m.id`,
    [String(chat)],
  );
  return rows.map((r) => r.kind);
}

/** Every reply delivered and recorded with its Telegram message id (what a clear ten minutes later finds). */
async function delivered(url: string): Promise<void> {
  await vi.waitFor(async () => expect(await count(url, `SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`)).toBe(0), {
    timeout: 10_000,
    interval: 50,
  });
}

/** A person on Telegram who also keeps the ids of the messages they typed (taps make none). */
class Person extends TelegramPerson {
  private readonly bot: FakeTelegramBotApi;
  readonly typed: number[] = [];
  constructor(base: string, bot: FakeTelegramBotApi, chatId: number) {
    super(base, bot, chatId);
    this.bot = bot;
  }
  async type(text: string, replies = 1): Promise<string[]> {
    const update = textUpdate(this.chatId, text);
    this.typed.push(update.message.message_id);
    await this.post(update);
    return this.waitFor(replies);
  }
  /** Every message id of this chat: the bot's and the person's. */
  allIds(): number[] {
    return [...this.messages().map((m) => (m.result as { message_id: number }).message_id), ...this.typed].sort((a, b) => a - b);
  }
  deleted(): number[] {
    return this.bot.deletedIds(this.chatId).sort((a, b) => a - b);
  }
  /** /start, English, "not safe", and auto-clear after 10 minutes. */
  async turnOnAfterNotSafe(): Promise<void> {
    await this.type("/start");
    await this.tap("en");
    const [later, offer] = await this.tap("no", 2);
    expect(later).toBe("OK, talk later. Write any message when you like.");
    expect(offer).toMatch(/^Should this chat clear itself/);
    expect(await this.tap("clear10")).toEqual(["OK. This chat will be cleared 10 minutes after the last message."]);
  }
}

describe.each(DB_KINDS)("auto-clear on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let apps: App[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    fake = await FakeTelegramBotApi.start();
  });
  afterEach(async () => {
    for (const app of apps) await app.stop();
    apps = [];
    await killServerProcesses();
    await fake.stop();
    await db.drop();
  });

  /** SafeLine in this process; its auto-clear job runs only when the test calls runOnce with a time. */
  async function startApp() {
    const started = await startTelegramApp(db.url, fake.url, { env: { HOST: "127.0.0.1" }, options: { autoClear: { intervalMs: 24 * 60 * MINUTE } } });
    apps.push(started.app);
    return started;
  }

  it("clears every message of the chat once it has been quiet for the chosen time, once, and records it for staff", async () => {
    const { app, base } = await startApp();
    const person = new Person(base, fake, nextChat++);
    const before = Date.now();
    await person.turnOnAfterNotSafe();
    const schedule = (await scheduleOf(db.url, person.chatId))!;
    expect(schedule.minutes).toBe(10);
    const due = schedule.dueAt!.getTime();
    expect(due).toBeGreaterThanOrEqual(before + 10 * MINUTE);
    expect(due).toBeLessThanOrEqual(Date.now() + 10 * MINUTE);

    await delivered(db.url);
    expect(await app.autoClear.runOnce(new Date(due - MINUTE))).toBe(0);
    expect(fake.calls("deleteMessages")).toHaveLength(0);
    expect(await app.autoClear.runOnce(new Date(due + 1))).toBe(1);
    const ids = person.allIds();
    expect(ids.length).toBeGreaterThanOrEqual(6);
    await vi.waitFor(() => expect(person.deleted()).toEqual(ids));
    // Nothing is left in the chat, and nothing new was sent after the deletion.
    expect(fake.sentMessages(person.chatId)).toHaveLength(ids.length - person.typed.length);
    // Once: a later check finds nothing due.
    expect(await app.autoClear.runOnce(new Date(due + 60 * MINUTE))).toBe(0);
    expect(fake.calls("deleteMessages")).toHaveLength(1);
    expect(await autoClearEvents(db.url, person.chatId)).toEqual(["autoClear.on", "autoClear.done"]);
    await vi.waitFor(async () =>
      expect(await count(db.url, `SELECT COUNT(*) FROM "Message" WHERE kind = 'delete' AND status = 'sent'`)).toBe(1),
    );
    // Still on: the next message arms it again, and the next clear takes what is new.
    await person.type("hello again");
    const again = (await scheduleOf(db.url, person.chatId))!.dueAt!.getTime();
    expect(again).toBeGreaterThan(due);
    await delivered(db.url);
    expect(await app.autoClear.runOnce(new Date(again + 1))).toBe(1);
    await vi.waitFor(() => expect(person.deleted()).toEqual(person.allIds()));
  });

  it("does not clear when the person wrote again: the quiet time starts over", async () => {
    const { app, base } = await startApp();
    const person = new Person(base, fake, nextChat++);
    await person.turnOnAfterNotSafe();
    const first = (await scheduleOf(db.url, person.chatId))!.dueAt!.getTime();
    expect(await person.type("I am back")).toEqual(["Is it safe for you to chat right now?"]);
    const second = (await scheduleOf(db.url, person.chatId))!.dueAt!.getTime();
    expect(second).toBeGreaterThan(first);
    await delivered(db.url);
    expect(await app.autoClear.runOnce(new Date(first))).toBe(0);
    expect(fake.calls("deleteMessages")).toHaveLength(0);
    expect(await app.autoClear.runOnce(new Date(second))).toBe(1);
    await vi.waitFor(() => expect(person.deleted()).toEqual(person.allIds()));
  });

  it("turning it off removes the schedule; /help offers it and says how to keep the chat private", async () => {
    const { app, base } = await startApp();
    const person = new Person(base, fake, nextChat++);
    await person.turnOnAfterNotSafe();
    const [help, tips] = await person.type("/help", 2);
    expect(help).toContain("/autoclear");
    expect(tips).toMatch(/^To keep this chat private in Telegram/);
    const [offer] = await person.type("/autoclear");
    expect(offer).toMatch(/^Should this chat clear itself/);
    await person.tap("clearOff");
    expect(await scheduleOf(db.url, person.chatId)).toBeUndefined();
    expect(await app.autoClear.runOnce(new Date(Date.now() + 24 * 60 * MINUTE))).toBe(0);
    expect(await autoClearEvents(db.url, person.chatId)).toEqual(["autoClear.on", "autoClear.off"]);
  });

  it("waits while staff write a reply; their reply starts the quiet time again", async () => {
    const { app, base } = await startApp();
    await addStaffAccounts(app.store, ["agent"]);
    const person = new Person(base, fake, nextChat++);
    await person.turnOnAfterNotSafe();
    await person.type("ok now");
    await person.tap("yes");
    await person.tap("person", 2);
    const agent = await signedInClient(base, "agent");
    const { handoffs } = await agent.json<{ handoffs: { id: string }[] }>(agent.get("/handoffs"));
    const handoff = handoffs[0]!.id;
    // The chat has been quiet for its ten minutes; then staff start writing.
    await execute(db.url, `UPDATE "AutoClear" SET "dueAt" = ?`, [kind === "sqlite" ? new Date(Date.now() - MINUTE).toISOString().replace("Z", "+00:00") : new Date(Date.now() - MINUTE)]);
    expect((await agent.post(`/handoffs/${handoff}/writing`)).status).toBe(204);
    expect(await app.autoClear.runOnce(new Date())).toBe(0);
    // The reply goes out: ten quiet minutes from now, and no hold.
    await agent.json(agent.post(`/handoffs/${handoff}/reply`, { text: "Hello, I read your messages." }), 202);
    const [reply] = await person.waitFor(1);
    expect(reply).toBe("Reply: Hello, I read your messages.");
    const schedule = (await scheduleOf(db.url, person.chatId))!;
    expect(schedule.holdUntil).toBeNull();
    expect(schedule.dueAt!.getTime()).toBeGreaterThan(Date.now() + 9 * MINUTE);
    expect(await app.autoClear.runOnce(new Date())).toBe(0);
    await delivered(db.url);
    expect(await app.autoClear.runOnce(new Date(schedule.dueAt!.getTime() + 1))).toBe(1);
    await vi.waitFor(() => expect(person.deleted()).toEqual(person.allIds()));
  });

  // Two server starts: given time like the other tests with server processes (a busy machine took over 30 s).
  it("survives a SIGKILL: the restarted process clears the chat when it is due", { timeout: 90_000 }, async () => {
    const env = webhookModeEnv(db.url, fake.url, { AUTO_CLEAR_CHECK_SECONDS: "1" });
    let server: ServerProcess = await startServerProcess({ env });
    const person = new Person(server.url, fake, nextChat++);
    // A second chat, made due only after the first is cleared: its clear comes from a later check.
    const marker = new Person(server.url, fake, nextChat++);
    await Promise.all([person.turnOnAfterNotSafe(), marker.turnOnAfterNotSafe()]);
    await person.type("one more thing");
    await delivered(db.url);
    await server.kill();
    // While it was down, the quiet time passed.
    const past = () => {
      const at = new Date(Date.now() - MINUTE);
      return kind === "sqlite" ? at.toISOString().replace("Z", "+00:00") : at;
    };
    const makeDue = (chat: Person) =>
      execute(db.url, `UPDATE "AutoClear" SET "dueAt" = ? WHERE "conversationId" = (SELECT id FROM "Conversation" WHERE "chatId" = ?)`, [past(), String(chat.chatId)]);
    await makeDue(person);
    server = await startServerProcess({ env, port: server.port });
    await vi.waitFor(() => expect(person.deleted()).toEqual(person.allIds()), { timeout: 10_000, interval: 100 });
    await makeDue(marker);
    await vi.waitFor(() => expect(marker.deleted()).toEqual(marker.allIds()), { timeout: 10_000, interval: 100 });
    expect(fake.calls("deleteMessages").filter((c) => String(c.payload.chat_id) === String(person.chatId))).toHaveLength(1);
    expect(await autoClearEvents(db.url, person.chatId)).toEqual(["autoClear.on", "autoClear.done"]);
  });
});

describe("auto-clear with two instances on postgresql", () => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  beforeEach(async () => {
    db = await createTestDatabase("postgresql");
    fake = await FakeTelegramBotApi.start();
  });
  afterEach(async () => {
    await killServerProcesses();
    await fake.stop();
    await db.drop();
  });

  it("each due chat is cleared once, by one of them", { timeout: 90_000 }, async () => {
    const env = (token: string) => webhookModeEnv(db.url, fake.url, { AUTO_CLEAR_CHECK_SECONDS: "1", TELEGRAM_BOT_TOKEN: token });
    const servers = await Promise.all(["123456:instance-a", "123456:instance-b"].map((token) => startServerProcess({ env: env(token) })));
    const people = Array.from({ length: 6 }, (_, i) => new Person(servers[i % 2]!.url, fake, nextChat++));
    await Promise.all(people.map((p) => p.turnOnAfterNotSafe()));
    await delivered(db.url);
    await execute(db.url, `UPDATE "AutoClear" SET "dueAt" = ?`, [new Date(Date.now() - MINUTE)]);
    for (const person of people) await vi.waitFor(() => expect(person.deleted()).toEqual(person.allIds()), { timeout: 10_000, interval: 100 });
    // Both keep checking every second: nobody clears a chat twice.
    await sleep(2500);
    for (const person of people) {
      expect(fake.calls("deleteMessages").filter((c) => String(c.payload.chat_id) === String(person.chatId))).toHaveLength(1);
      expect(await autoClearEvents(db.url, person.chatId)).toEqual(["autoClear.on", "autoClear.done"]);
    }
    expect(await count(db.url, `SELECT COUNT(*) FROM "AutoClear" WHERE "dueAt" IS NOT NULL`)).toBe(0);
  });
});
