// Retention and erasure, checked in the database itself: people write through the real
// Telegram webhook and web chat, the test ages their rows with direct SQL, the purge job
// runs (asked, at start, on its interval, from the CLI, from two processes at once), and
// direct SQL shows what is gone and what stayed. /delete is checked the same way. The
// console's audit log shows the run in Chromium.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import pg from "pg";
import { pino } from "pino";
import type { Browser } from "playwright-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp, type App, type AppOptions } from "../src/app.ts";
import { LOOSE_WEB_CHAT_LIMITS } from "./helpers/web-chat-limits.ts";
import { loadConfig } from "../src/config.ts";
import { retentionCutoff } from "../src/retention/purge-job.ts";
import { createStaffAccount } from "../src/staff/accounts.ts";
import { FieldCipher, parseKeys } from "../src/store/field-cipher.ts";
import type { PurgeCounts } from "../src/store/retention-store.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type DbKind, type TestDatabase } from "./helpers/databases.ts";
import { launchBrowser, watchPage } from "./helpers/browser.ts";
import { count, execute, query } from "./helpers/db-query.ts";
import { StaffClient } from "./helpers/staff-client.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { messageUpdate, textUpdate } from "./helpers/telegram-updates.ts";
import { TEST_HASH_COST } from "./helpers/staff-accounts.ts";
import { runScript } from "./helpers/server-process.ts";
import { startApp, startTelegramApp } from "./helpers/test-app.ts";

const PASSWORD = "a long test password";
const KEYS = `k1:${randomBytes(32).toString("base64")}`;
const DAY = 24 * 60 * 60 * 1000;
const OLD = 200; // days; RETENTION_DAYS defaults to 180
const ERASED_TEXT = "Your data has been erased. You can write again at any time.";
const NOTHING = { conversations: 0, messages: 0, reports: 0, handoffs: 0, contacts: 0 };
const SYSTEM = { id: null, email: "system" } as const;

describe("RETENTION_DAYS", () => {
  it("defaults to 180 days; 0 or off turns the purge off; anything else is refused", async () => {
    expect(loadConfig({}).RETENTION_DAYS).toBe(180);
    expect(loadConfig({ RETENTION_DAYS: "30" }).RETENTION_DAYS).toBe(30);
    expect(loadConfig({ RETENTION_DAYS: "off" }).RETENTION_DAYS).toBe(0);
    expect(loadConfig({ RETENTION_DAYS: "0" }).RETENTION_DAYS).toBe(0);
    for (const bad of ["-1", "1.5", "soon", "4000"]) expect(() => loadConfig({ RETENTION_DAYS: bad })).toThrow(/RETENTION_DAYS: a whole number of days/);
    const db = await createTestDatabase("sqlite");
    try {
      const app = await createApp(loadConfig({ DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent", RETENTION_DAYS: "off" }));
      expect(app.retention).toBeUndefined();
      await app.stop();
    } finally {
      await db.drop();
    }
  });
});

describe.each(DB_KINDS)("retention and erasure on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let apps: App[] = [];
  let chatSeq = 0;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
  });
  afterEach(async () => {
    for (const app of apps.reverse()) await app.stop().catch(() => {});
    apps = [];
    await fake.stop();
    await db.drop();
  });

  async function start(env: Record<string, string> = {}, options: AppOptions = {}) {
    const started = await startTelegramApp(db.url, fake.url, { env: { WEB_CHAT: "on", ...env }, options: { delivery: { pollMs: 50, backoff: { baseMs: 50, maxMs: 200 } }, ...options } });
    apps.push(started.app);
    return started;
  }

  const person = (base: string) => new TelegramPerson(base, fake, 8_880_000 + ++chatSeq);
  const s = helpers(kind, () => db.url);

  async function signIn(app: App, base: string, role: "admin" | "supervisor") {
    const email = `${role}-${++chatSeq}@example.org`;
    await createStaffAccount(app.store, { id: null, email: "test" }, { email, role, password: PASSWORD }, TEST_HASH_COST);
    const client = new StaffClient(base);
    expect((await client.login(email, PASSWORD)).status).toBe(200);
    return client;
  }

  async function handoffOf(p: TelegramPerson): Promise<string> {
    const [row] = await query<{ id: string }>(db.url, `SELECT h.id FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = ?`, [String(p.chatId)]);
    return row!.id;
  }

  const webChat = (base: string) => webChatConversation(base, db.url);

  it("purges conversations quiet for RETENTION_DAYS with all they hold, keeps recent and open ones, and audits the run once", { timeout: 120_000 }, async () => {
    const { logger, lines } = captureLog();
    const { app, base } = await start({ DATA_ENCRYPTION_KEYS: KEYS }, { logger });
    // The run at start found nothing; this one waits for it and finds nothing either.
    expect(await app.retention!.runOnce()).toEqual({ ...NOTHING, keptOpen: 0 });
    const admin = await signIn(app, base, "admin");
    const status = (handoff: string, to: string) => admin.json(admin.post(`/handoffs/${handoff}/status`, { status: to }));

    // Old, finished: a family report, a staff note and reply, closed by staff.
    const reported = person(base);
    await reported.toFamilyReport();
    const reportedHandoff = await handoffOf(reported);
    await admin.json(admin.post(`/handoffs/${reportedHandoff}/notes`, { text: "Called the embassy." }), 201);
    await admin.json(admin.post(`/handoffs/${reportedHandoff}/reply`, { text: "We are looking into it." }), 202);
    await reported.waitFor(1);
    await status(reportedHandoff, "closed");
    await reported.waitFor(2);
    // Old, with a handoff that is open, or in progress: kept however old.
    const open = person(base);
    await open.toCriticalHandoff();
    const inProgress = person(base);
    await inProgress.toHandoff();
    await status(await handoffOf(inProgress), "in_progress");
    // Old, handoff resolved: purged. The same, but staff changed the handoff recently: kept.
    const resolved = person(base);
    await resolved.toHandoff();
    await status(await handoffOf(resolved), "in_progress");
    await status(await handoffOf(resolved), "resolved");
    const touched = person(base);
    await touched.toHandoff();
    await status(await handoffOf(touched), "in_progress");
    await status(await handoffOf(touched), "resolved");
    // Recent: kept. Old but with one recent message: kept.
    const recent = person(base);
    await recent.say("/start");
    await recent.tap("en");
    const lastWord = person(base);
    await lastWord.say("/start");
    await lastWord.tap("en");
    // One contact, an old closed conversation and a new one: only the old one goes, the contact stays.
    const returning = person(base);
    await returning.say("/start");
    const [returningOld] = await s.conversationsOf(returning.chatId);
    await execute(db.url, `UPDATE "Conversation" SET status = 'closed' WHERE id = ?`, [returningOld!.id]);
    await returning.say("/start");
    // Erased with /delete: the tombstones go too once old.
    const erased = person(base);
    await erased.toHandoff();
    const [erasedConversation] = await s.conversationsOf(erased.chatId);
    await erased.say("/delete");
    await erased.tap("erase", 1);
    await vi.waitFor(async () => expect((await s.conversation(erasedConversation!.id))?.chatId).toBe("erased"));
    // The web test chat.
    const web = await webChat(base);
    await s.outboxDrained();

    const id = async (p: TelegramPerson) => (await s.conversationsOf(p.chatId)).at(-1)!.id;
    const purged = [await id(reported), await id(resolved), returningOld!.id, erasedConversation!.id, web];
    const kept = [await id(open), await id(inProgress), await id(touched), await id(recent), await id(lastWord), await id(returning)];
    for (const c of [...purged, await id(open), await id(inProgress), await id(touched), await id(lastWord)]) await s.age(c, OLD, { contact: c !== returningOld!.id });
    await execute(db.url, `UPDATE "Message" SET "createdAt" = ? WHERE id = (SELECT MAX(id) FROM "Message" WHERE "conversationId" = ?)`, [s.at(0), await id(lastWord)]);
    await execute(db.url, `UPDATE "HandoffRequest" SET "updatedAt" = ? WHERE "conversationId" = ?`, [s.at(0), await id(touched)]);

    const expected = await s.rowsOf(purged);
    expect(expected).toMatchObject({ conversations: 5, reports: 1, handoffs: 3 });
    const purgedContacts = await s.contactsOf(purged);
    const keptContacts = await s.contactsOf(kept);
    expect(purgedContacts.filter((c) => !keptContacts.includes(c))).toHaveLength(4);
    const sealed = await s.sealedValues(purged);
    expect(sealed.length).toBeGreaterThan(20);
    const keptBefore = await s.rowsOf(kept);
    const keptMessages = await s.messageIds(kept);

    const result = await app.retention!.runOnce();
    const purgedCounts = { ...expected, contacts: 4 };
    console.log(`retention on ${kind}: purged ${JSON.stringify(purgedCounts)}, kept ${kept.length} conversations (${result.keptOpen} old with an open handoff)`);
    expect(result).toEqual({ ...purgedCounts, keptOpen: 2 });

    // Gone from the database: rows, encrypted values, contacts.
    expect(await s.rowsOf(purged)).toEqual(NOTHING_ROWS);
    const remaining = new Set(await s.sealedValues());
    expect(sealed.filter((v) => remaining.has(v))).toEqual([]);
    expect(await s.existingContacts(purgedContacts)).toEqual(keptContacts.filter((c) => purgedContacts.includes(c)));
    // Untouched: recent, open, in progress, recently changed, and the returning person's new conversation.
    expect(await s.rowsOf(kept)).toEqual(keptBefore);
    expect(await s.messageIds(kept)).toEqual(keptMessages);
    expect(await s.existingContacts(keptContacts)).toEqual(keptContacts);

    // One audit entry, by the system, with the counts and nothing else.
    const audit = await s.purgeAudit();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: null, actorEmail: "system", targetType: null, targetId: null });
    const detail = JSON.parse(audit[0]!.detail) as Record<string, unknown>;
    expect(detail).toEqual({ days: 180, before: expect.any(String), ...purgedCounts, keptOpen: 2 });
    expect(Math.abs(Date.parse(detail.before as string) - (Date.now() - 180 * DAY))).toBeLessThan(5 * 60_000);
    // The console's audit log shows it.
    const { entries } = await admin.json<{ entries: { action: string; actor: string; detail: unknown }[] }>(admin.get("/audit"));
    expect(entries[0]).toMatchObject({ action: "retention.purge", actor: "system", detail });
    // Logged with counts only.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "retention purge");
    expect(logged).toHaveLength(1);
    const { level: _level, time: _time, msg: _msg, ...fields } = logged[0]!;
    expect(Object.values(fields).every((v) => typeof v === "number")).toBe(true);
    expect(fields).toMatchObject(purgedCounts);

    // Again: nothing more goes, no new entry.
    expect(await app.retention!.runOnce()).toEqual({ ...NOTHING, keptOpen: 2 });
    expect(await s.purgeAudit()).toHaveLength(1);
    expect(await s.rowsOf(kept)).toEqual(keptBefore);
  });

  it("/delete leaves no content in the database: texts, payloads, reports, snapshot, handoff details and the platform id", { timeout: 120_000 }, async () => {
    const { app, base } = await start({ DATA_ENCRYPTION_KEYS: KEYS });
    const supervisor = await signIn(app, base, "supervisor");
    const p = person(base);
    await p.toFamilyReport("Kim Minsu", "Building 7, Sihanoukville");
    const handoff = await handoffOf(p);
    await supervisor.json(supervisor.post(`/handoffs/${handoff}/notes`, { text: "Family called twice." }), 201);
    await supervisor.json(supervisor.post(`/handoffs/${handoff}/reply`, { text: "We have your report." }), 202);
    await p.waitFor(1);
    await p.post(messageUpdate(p.chatId, { location: { latitude: 10.6104, longitude: 103.5296 } }));
    expect(await p.waitFor(1)).toEqual(["Received. A person will answer here."]);
    await s.outboxDrained();
    const [conversation] = await s.conversationsOf(p.chatId);
    const conversationId = conversation!.id;
    const [contactId] = await s.contactsOf([conversationId]);
    expect(await s.rowsOf([conversationId])).toMatchObject({ reports: 1, handoffs: 1 });
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message" WHERE "conversationId" = ? AND direction = 'in' AND kind = 'location'`, [conversationId])).toBe(1);

    await p.say("/delete");
    expect(await p.tap("erase", 1)).toEqual([ERASED_TEXT]);
    await vi.waitFor(async () => expect((await s.conversation(conversationId))?.chatId).toBe("erased"));

    const messages = await query<{ id: number; direction: string; kind: string; text: string | null; payload: string | null; platformMessageId: string | null; lastError: string | null }>(
      db.url,
      `SELECT id, direction, kind, text, payload, "platformMessageId", "lastError" FROM "Message" WHERE "conversationId" = ? ORDER BY id`,
      [conversationId],
    );
    const [deletion, goodbye, ...more] = messages.filter((m) => m.text !== null || m.payload !== null);
    expect(more).toEqual([]);
    // What stays readable: the request to delete the chat's messages (ids only) and the goodbye.
    const cipher = new FieldCipher(parseKeys(KEYS));
    expect(deletion).toMatchObject({ direction: "out", kind: "delete", text: null });
    expect(Object.keys(JSON.parse(cipher.open("Message.payload", deletion!.payload)!) as object)).toEqual(["messageIds"]);
    expect(goodbye).toMatchObject({ direction: "out", kind: "text" });
    expect(cipher.open("Message.text", goodbye!.text)).toBe(ERASED_TEXT);
    expect(goodbye!.id).toBe(messages.at(-1)!.id);
    // Everything before is a tombstone: what the person, the bot and staff wrote, locations, notes, events.
    const tombstones = messages.filter((m) => m !== deletion && m !== goodbye);
    expect(new Set(tombstones.map((m) => m.direction))).toEqual(new Set(["in", "out", "note", "event"]));
    expect(tombstones.every((m) => m.kind === "erased" && m.text === null && m.payload === null && m.platformMessageId === null && m.lastError === null)).toBe(true);
    expect(await s.rowsOf([conversationId])).toMatchObject({ reports: 0, handoffs: 1 });
    expect(await query(db.url, `SELECT status, reason, risk FROM "HandoffRequest" WHERE "conversationId" = ?`, [conversationId])).toEqual([{ status: "erased", reason: "erased", risk: null }]);
    expect(await s.conversation(conversationId)).toMatchObject({ status: "erased", snapshot: "{}", language: null, chatId: "erased" });
    const [contact] = await query<{ platformUserId: string; language: string | null; active: unknown }>(db.url, `SELECT "platformUserId", language, active FROM "Contact" WHERE id = ?`, [contactId]);
    expect(contact!.platformUserId).toMatch(/^erased:[0-9a-f-]{36}$/);
    expect(contact!.language).toBeNull();
    expect(Boolean(contact!.active)).toBe(false);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Contact" WHERE "platformUserId" = ?`, [String(p.chatId)])).toBe(0);
    // No sealed value is left anywhere but in those two rows.
    expect((await s.sealedValues()).sort()).toEqual([deletion!.payload, goodbye!.text, goodbye!.payload].sort());
  });

  it("leaves a conversation alone that gets a message after the purge selected it", async () => {
    const { app, base } = await start();
    const p = person(base);
    await p.say("/start");
    await p.tap("en");
    await s.outboxDrained();
    const [conversation] = await s.conversationsOf(p.chatId);
    await s.age(conversation!.id, OLD);
    const before = await s.rowsOf([conversation!.id]);
    let raced = 0;
    const result = await app.store.retention.purge(retentionCutoff(180), {
      actor: SYSTEM,
      days: 180,
      // Between selection and deletion the person writes again (the step commits before the webhook answers).
      afterSelect: async () => {
        if (raced++ === 0) await p.post(textUpdate(p.chatId, "are you there?"));
      },
    });
    expect(raced).toBe(1);
    expect(result).toEqual({ ...NOTHING, keptOpen: 0 });
    const after = await s.rowsOf([conversation!.id]);
    expect(after.conversations).toBe(1);
    expect(after.messages).toBeGreaterThan(before.messages);
    expect(await s.purgeAudit()).toHaveLength(0);
    expect(await app.retention!.runOnce()).toEqual({ ...NOTHING, keptOpen: 0 });
  });

  it("runs by itself at start and then on its interval", async () => {
    const first = await start();
    const early = await webChat(first.base);
    await s.outboxDrained();
    await first.app.stop();
    apps = apps.filter((a) => a !== first.app);
    await s.age(early, OLD);

    const { base } = await start({}, { retention: { intervalMs: 300 } });
    await vi.waitFor(async () => expect(await s.conversation(early)).toBeUndefined(), { timeout: 15_000, interval: 100 });
    const later = await webChat(base);
    await s.outboxDrained();
    await s.age(later, OLD);
    await vi.waitFor(async () => expect(await s.conversation(later)).toBeUndefined(), { timeout: 15_000, interval: 100 });
    const audit = await s.purgeAudit();
    expect(audit.map((a) => [a.actorEmail, JSON.parse(a.detail).conversations])).toEqual([
      ["system", 1],
      ["system", 1],
    ]);
  });

  it("npm run db:purge counts with --dry-run, purges without it (audited as cli), and refuses when retention is off", { timeout: 120_000 }, async () => {
    const { base } = await start();
    const old = await webChat(base);
    const recent = await webChat(base);
    await s.outboxDrained();
    await s.age(old, OLD);
    const expected = await s.rowsOf([old]);
    const cli = (args: string[], env: Record<string, string> = {}) => runScript("src/cli/purge.ts", args, { DATABASE_URL: db.url, ...env });

    const dry = await cli(["--dry-run"]);
    expect(dry.stdout).toContain(`would delete 1 conversations, ${expected.messages} messages, 0 reports, 0 handoffs, 1 contacts.`);
    expect(await s.rowsOf([old])).toEqual(expected);
    expect(await s.purgeAudit()).toHaveLength(0);

    const real = await cli([]);
    expect(real.stdout).toContain(`deleted 1 conversations, ${expected.messages} messages, 0 reports, 0 handoffs, 1 contacts.`);
    expect(await s.rowsOf([old])).toEqual(NOTHING_ROWS);
    expect((await s.rowsOf([recent])).conversations).toBe(1);
    const audit = await s.purgeAudit();
    expect(audit.map((a) => a.actorEmail)).toEqual(["cli"]);

    // --days overrides RETENTION_DAYS for one run: 1 day purges nothing here, the recent chat is minutes old.
    expect((await cli(["--days", "1"])).stdout).toContain("deleted 0 conversations");
    await expect(cli([], { RETENTION_DAYS: "off" })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("Retention is off") });
    expect((await s.rowsOf([recent])).conversations).toBe(1);
  });
});

describe("retention with several server processes on postgresql", () => {
  let db: TestDatabase;
  let apps: App[] = [];

  beforeEach(async () => {
    db = await createTestDatabase("postgresql");
  });
  afterEach(async () => {
    for (const app of apps.reverse()) await app.stop().catch(() => {});
    apps = [];
    await db.drop();
  });

  async function start() {
    const started = await startApp(
      { DATABASE_URL: db.url, PORT: "0", WEB_CHAT: "on", LOG_LEVEL: "silent" },
      { delivery: { pollMs: 50 }, retention: { batchSize: 3 }, webChatLimits: LOOSE_WEB_CHAT_LIMITS },
    );
    apps.push(started.app);
    return started;
  }
  const s = helpers("postgresql", () => db.url);

  async function webChats(base: string, n: number): Promise<string[]> {
    const sessions = Array.from({ length: n }, (_, i) => `pg-session-${i}-${randomBytes(4).toString("hex")}`);
    await Promise.all(
      sessions.map(async (session) => {
        const res = await fetch(`${base}/try/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ session, id: `message-${session}`, text: "/start" }) });
        expect(res.status).toBe(200);
      }),
    );
    await s.outboxDrained();
    return Promise.all(sessions.map(async (session) => (await s.conversationsOf(session))[0]!.id));
  }

  it("two processes purging at once delete and count every row once", async () => {
    const [a, b] = [await start(), await start()];
    const ids = await webChats(a.base, 20);
    for (const id of ids) await s.age(id, OLD);
    const expected = { ...(await s.rowsOf(ids)), contacts: 20 };
    const [ra, rb] = await Promise.all([a.app.retention!.runOnce(), b.app.retention!.runOnce()]);
    const total = sumCounts(ra, rb);
    const audited = (await s.purgeAudit()).map((e) => JSON.parse(e.detail) as PurgeCounts).reduce(sumCounts, { ...NOTHING });
    console.log(`retention on postgresql, 2 processes at once: ${ra.conversations} + ${rb.conversations} conversations purged of ${ids.length}; audited ${audited.conversations}; errors 0`);
    expect(total).toEqual(expected);
    expect(audited).toEqual(expected);
    expect(await s.rowsOf(ids)).toEqual(NOTHING_ROWS);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Contact"`)).toBe(0);
  });

  it("skips a person whose step holds their contact right now, without waiting, and purges them on the next run", async () => {
    const { app, base } = await start();
    const [held, free] = await webChats(base, 2);
    for (const id of [held!, free!]) await s.age(id, OLD);
    const [contact] = await s.contactsOf([held!]);
    const step = new pg.Client({ connectionString: db.url });
    await step.connect();
    try {
      await step.query("BEGIN");
      await step.query(`SELECT id FROM "Contact" WHERE id = $1 FOR UPDATE`, [contact]);
      expect((await app.retention!.runOnce()).conversations).toBe(1);
      expect(await s.conversation(held!)).toBeDefined();
      expect(await s.conversation(free!)).toBeUndefined();
      await step.query("COMMIT");
    } finally {
      await step.end();
    }
    expect((await app.retention!.runOnce()).conversations).toBe(1);
    expect(await s.conversation(held!)).toBeUndefined();
  });
});

describe("the purge in the staff console", () => {
  const EN = JSON.parse(readFileSync("locales/console/en.json", "utf8")) as Record<string, string>;
  const KO = JSON.parse(readFileSync("locales/console/ko.json", "utf8")) as Record<string, string>;
  const fill = (text: string | undefined, params: object) => text!.replace(/{{(\w+)}}/g, (_, name: string) => String((params as Record<string, unknown>)[name]));
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App | undefined;
  let browser: Browser | undefined;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase("sqlite"), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
  });
  afterEach(async () => {
    await browser?.close().catch(() => {});
    await app?.stop().catch(() => {});
    await fake.stop();
    await db.drop();
  });

  it("shows the run in the audit log: SafeLine as the actor and the counts in words, in English and Korean", { timeout: 120_000 }, async () => {
    const started = await startTelegramApp(db.url, fake.url, { env: { WEB_CHAT: "on" }, options: { delivery: { pollMs: 50 } } });
    app = started.app;
    const { base } = started;
    const s = helpers("sqlite", () => db.url);
    await createStaffAccount(app.store, { id: null, email: "test" }, { email: "admin@example.org", role: "admin", password: PASSWORD }, TEST_HASH_COST);
    const chats = [await webChatConversation(base, db.url), await webChatConversation(base, db.url)];
    const waiting = new TelegramPerson(base, fake, 8_990_001);
    await waiting.toCriticalHandoff();
    await s.outboxDrained();
    for (const id of [...chats, (await s.conversationsOf(waiting.chatId))[0]!.id]) await s.age(id, OLD);
    const result = await app.retention!.runOnce();
    expect(result).toMatchObject({ conversations: 2, contacts: 2, keptOpen: 1 });

    browser = await launchBrowser();
    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    const problems = watchPage(page);
    await page.goto(`${base}/staff`);
    const form = page.locator("#signin");
    await form.getByLabel(EN["auth.email"]!, { exact: true }).fill("admin@example.org");
    await form.getByLabel(EN["auth.password"]!, { exact: true }).fill(PASSWORD);
    await form.getByRole("button", { name: EN["auth.submit"]!, exact: true }).click();
    await page.locator("#whoami").waitFor({ state: "visible", timeout: 10_000 });
    await page.goto(`${base}/staff#/audit`);
    for (const [texts, switchTo] of [[EN, undefined], [KO, "langSwitch.ko"]] as const) {
      if (switchTo) {
        await page.getByRole("button", { name: texts[switchTo]!, exact: true }).click();
        await page.locator("html[lang=ko]").waitFor({ state: "attached" });
      }
      const row = page.locator("tr[data-action='retention.purge']");
      await row.locator("td", { hasText: texts["action.retention.purge"]! }).waitFor({ timeout: 10_000 });
      const cells = await row.locator("td").allInnerTexts();
      expect(cells.slice(1, 4)).toEqual([texts["actor.system"], texts["action.retention.purge"], texts["common.none"]]);
      expect(cells[4]).toBe([fill(texts["audit.purged"], result), fill(texts["audit.purgedWhy"], { days: 180 }), fill(texts["audit.purgeKept"], { count: 1 })].join(" "));
    }
    expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
  });
});

const NOTHING_ROWS = { conversations: 0, messages: 0, reports: 0, handoffs: 0 };

/** A web test-chat conversation: /start and a language, with the bot's two answers; returns its id. */
async function webChatConversation(base: string, url: string): Promise<string> {
  const session = `session-${randomBytes(6).toString("hex")}`;
  for (const [i, text] of ["/start", "English"].entries()) {
    const res = await fetch(`${base}/try/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session, id: `message-${i}-${session}`, text }),
    });
    expect(res.status).toBe(200);
  }
  const sent = `SELECT COUNT(*) AS n FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE c."chatId" = ? AND m.direction = 'out' AND m.status = 'sent'`;
  await vi.waitFor(async () => expect(await count(url, sent, [session])).toBe(2));
  const [row] = await query<{ id: string }>(url, `SELECT id FROM "Conversation" WHERE "chatId" = ?`, [session]);
  return row!.id;
}

function sumCounts(a: PurgeCounts, b: PurgeCounts): PurgeCounts {
  return {
    conversations: a.conversations + b.conversations,
    messages: a.messages + b.messages,
    reports: a.reports + b.reports,
    handoffs: a.handoffs + b.handoffs,
    contacts: a.contacts + b.contacts,
  };
}

function captureLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "info", base: undefined }, sink), lines };
}

/** Direct SQL on the test database: reading rows of conversations and aging them. */
function helpers(kind: DbKind, url: () => string) {
  const list = (ids: unknown[]) => ids.map(() => "?").join(", ") || "NULL";
  /** A time `days` ago as the provider stores it (Prisma keeps SQLite times as ISO text with +00:00). */
  const at = (days: number) => {
    const iso = new Date(Date.now() - days * DAY).toISOString();
    return kind === "sqlite" ? iso.replace("Z", "+00:00") : iso;
  };
  return {
    at,
    conversationsOf: (chatId: string | number) =>
      query<{ id: string }>(url(), `SELECT id FROM "Conversation" WHERE "chatId" = ? ORDER BY "createdAt", id`, [String(chatId)]),
    conversation: async (id: string) =>
      (await query<{ chatId: string; status: string; snapshot: string; language: string | null }>(url(), `SELECT "chatId", status, snapshot, language FROM "Conversation" WHERE id = ?`, [id]))[0],
    /** Moves a conversation's every time `days` into the past, as if nobody had written since. */
    async age(conversationId: string, days: number, { contact = true } = {}) {
      const t = at(days);
      await execute(url(), `UPDATE "Conversation" SET "createdAt" = ?, "updatedAt" = ? WHERE id = ?`, [t, t, conversationId]);
      await execute(url(), `UPDATE "Message" SET "createdAt" = ? WHERE "conversationId" = ?`, [t, conversationId]);
      await execute(url(), `UPDATE "HandoffRequest" SET "createdAt" = ?, "updatedAt" = ? WHERE "conversationId" = ?`, [t, t, conversationId]);
      await execute(url(), `UPDATE "Report" SET "createdAt" = ? WHERE "conversationId" = ?`, [t, conversationId]);
      if (contact) await execute(url(), `UPDATE "Contact" SET "createdAt" = ?, "lastSeenAt" = ? WHERE id = (SELECT "contactId" FROM "Conversation" WHERE id = ?)`, [t, t, conversationId]);
    },
    async rowsOf(ids: string[]) {
      const n = (table: string, column: string) => count(url(), `SELECT COUNT(*) AS n FROM "${table}" WHERE "${column}" IN (${list(ids)})`, ids);
      return { conversations: await n("Conversation", "id"), messages: await n("Message", "conversationId"), reports: await n("Report", "conversationId"), handoffs: await n("HandoffRequest", "conversationId") };
    },
    messageIds: async (ids: string[]) => (await query<{ id: number }>(url(), `SELECT id FROM "Message" WHERE "conversationId" IN (${list(ids)}) ORDER BY id`, ids)).map((r) => Number(r.id)),
    contactsOf: async (ids: string[]) =>
      [...new Set((await query<{ contactId: string }>(url(), `SELECT "contactId" FROM "Conversation" WHERE id IN (${list(ids)})`, ids)).map((r) => r.contactId))].sort(),
    existingContacts: async (ids: string[]) => (await query<{ id: string }>(url(), `SELECT id FROM "Contact" WHERE id IN (${list(ids)}) ORDER BY id`, ids)).map((r) => r.id).sort(),
    /** Every encrypted value stored (of these conversations, or anywhere). */
    async sealedValues(ids?: string[]) {
      const where = (column: string) => (ids ? `WHERE "${column}" IN (${list(ids)})` : "");
      const params = ids ?? [];
      const values = [
        ...(await query<{ v: string | null }>(url(), `SELECT text AS v FROM "Message" ${where("conversationId")}`, params)),
        ...(await query<{ v: string | null }>(url(), `SELECT payload AS v FROM "Message" ${where("conversationId")}`, params)),
        ...(await query<{ v: string | null }>(url(), `SELECT snapshot AS v FROM "Conversation" ${where("id")}`, params)),
        ...(await query<{ v: string | null }>(url(), `SELECT answers AS v FROM "Report" ${where("conversationId")}`, params)),
      ];
      return values.map((r) => r.v).filter((v): v is string => v !== null && v.startsWith("enc:"));
    },
    purgeAudit: () =>
      query<{ actorId: string | null; actorEmail: string; targetType: string | null; targetId: string | null; detail: string }>(
        url(),
        `SELECT "actorId", "actorEmail", "targetType", "targetId", detail FROM "AuditEntry" WHERE action = 'retention.purge' ORDER BY id`,
      ),
    async outboxDrained() {
      await vi.waitFor(async () => expect(await count(url(), `SELECT COUNT(*) AS n FROM "Message" WHERE direction = 'out' AND status IN ('pending', 'sending')`)).toBe(0), { timeout: 15_000 });
    },
  };
}
