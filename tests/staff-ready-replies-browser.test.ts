// Ready replies and queue rows in a real browser (Debian Chromium through playwright-core),
// against the running app on SQLite with Telegram in webhook mode (fake Bot API): an agent
// in the Korean console picks a ready reply, reads it in Korean, and the Vietnamese person
// receives it in Vietnamese; queue rows show the reference code, nationality, reason and
// risk; a closed case shows how long it took. Screenshots go to test-results/staff-console/.
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { launchBrowser, screenshot, watchPage, type PageProblems } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { query } from "./helpers/db-query.ts";
import { addStaffAccounts, STAFF_PASSWORD } from "./helpers/staff-accounts.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const SHOTS = "test-results/staff-console";
const AGENT = "agent@example.org";
const WAIT = { timeout: 15_000, interval: 100 };

// The console's Korean texts, and the bot's Korean and Vietnamese ones.
const KO = JSON.parse(readFileSync("locales/console/ko.json", "utf8")) as Record<string, string>;
const ko = (key: string, params: Record<string, string | number> = {}) => {
  const text = KO[key];
  if (text === undefined) throw new Error(`no console text ${key}`);
  return text.replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(params[name] ?? ""));
};
type Bundle = Record<string, unknown>;
const bot = (lang: string) => JSON.parse(readFileSync(`locales/${lang}.json`, "utf8")) as Bundle;
const text = (b: Bundle, key: string) => String(key.split(".").reduce<unknown>((node, k) => (node as Bundle)[k], b));
const [BOT_KO, BOT_VI] = [bot("ko"), bot("vi")];

describe("ready replies and queue rows in a browser (SQLite, Telegram webhook)", { timeout: 90_000 }, () => {
  let browser: Browser;
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;
  let contexts: BrowserContext[] = [];
  let watched: PageProblems[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase("sqlite"), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
    ({ app, base } = await startTelegramApp(db.url, fake.url));
    await addStaffAccounts(app.store, ["agent"]);
  });

  afterEach(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    contexts = [];
    const problems = watched;
    watched = [];
    await app.stop().catch(() => {});
    await fake.stop();
    await db.drop();
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [], dialogs: [] });
  });

  /** A page in a Korean browser: the console starts in Korean. */
  async function koreanPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: "ko-KR" });
    contexts.push(context);
    const page = await context.newPage();
    watched.push(watchPage(page));
    return page;
  }

  async function signIn(page: Page) {
    const form = page.locator("#signin");
    await form.getByLabel(ko("auth.email"), { exact: true }).fill(AGENT);
    await form.getByLabel(ko("auth.password"), { exact: true }).fill(STAFF_PASSWORD);
    await form.getByRole("button", { name: ko("auth.submit"), exact: true }).click();
    await page.locator("#whoami").filter({ hasText: AGENT }).waitFor({ state: "visible", timeout: 10_000 });
  }

  async function handoffOf(chatId: number): Promise<string> {
    const [row] = await query<{ id: string }>(db.url, `SELECT h."id" FROM "HandoffRequest" h JOIN "Conversation" c ON c."id" = h."conversationId" WHERE c."chatId" = ?`, [String(chatId)]);
    return row!.id;
  }

  it("an agent picks a ready reply in the Korean console; the person receives it in Vietnamese; the closed case shows how long it took", async () => {
    const person = new TelegramPerson(base, fake, 7_200_001);
    await person.say("/start");
    for (const answer of ["vi", "yes"]) await person.tap(answer);
    await person.tap("person", 2); // the hand-off card, and a neutral line for the chat list
    const handoffId = await handoffOf(person.chatId);

    const page = await koreanPage();
    await page.goto(`${base}/staff#/handoff/${handoffId}`);
    await signIn(page);
    expect(await page.getAttribute("html", "lang")).toBe("ko");

    // The panel: the list in Korean, the person's lines by their nationality (guessed from Vietnamese).
    const panel = page.locator('form[data-composer="ready"]');
    await panel.getByRole("heading", { name: ko("readyReply.title"), exact: true }).waitFor();
    const nationality = ko("readyReply.guessed", { nationality: ko("nationality.vn") });
    await vi.waitFor(async () => expect(await panel.locator(".hint").textContent()).toBe(ko("readyReply.hint", { language: ko("language.vi"), nationality })), WAIT);
    const pick = panel.getByLabel(ko("readyReply.pick"), { exact: true });
    expect(await pick.locator("option").count()).toBeGreaterThanOrEqual(10);
    await pick.selectOption({ label: ko("readyReply.callNow") });
    const choice = panel.getByLabel(ko("readyReply.option"), { exact: true });
    await choice.selectOption({ label: `${text(BOT_KO, "contacts.vnCitizenProtection")}: +84-981-84-84-84` });
    const inKorean = `${text(BOT_KO, "staffReply.callNow")}\n• ${text(BOT_KO, "contacts.vnCitizenProtection")}: +84-981-84-84-84`;
    const inVietnamese = `${text(BOT_VI, "staffReply.callNow")}\n• ${text(BOT_VI, "contacts.vnCitizenProtection")}: +84-981-84-84-84`;
    expect(await panel.locator('[data-ready="preview"]').textContent()).toBe(inKorean);
    expect(await panel.locator('[data-ready="theirs"]').textContent()).toBe(inVietnamese);
    expect(await panel.getByText(ko("readyReply.theirs", { language: ko("language.vi") }), { exact: true }).count()).toBe(1);
    await screenshot(page, SHOTS, "ready-reply-ko");

    const before = person.messages().length;
    await panel.getByRole("button", { name: ko("readyReply.send"), exact: true }).click();
    expect(await person.waitFor(1)).toEqual([inVietnamese]);
    expect(person.messages()).toHaveLength(before + 1);

    // The transcript shows it in Korean, with what the person read in Vietnamese.
    const item = page.locator(".transcript li.msg.role-staff").filter({ has: page.locator('[data-ready="callNow"]') });
    await item.locator('[data-delivery="sent"]').waitFor({ timeout: 10_000 });
    expect(await item.locator('[data-ready="callNow"]').textContent()).toBe(inKorean);
    expect(await item.locator("[data-they-saw]").textContent()).toBe(ko("transcript.readyTheySaw", { text: inVietnamese }));
    await screenshot(page, SHOTS, "ready-reply-sent");

    // Closed: the case shows how long it took, not how long someone waits.
    await page.locator('button[data-status="closed"]').click();
    await page.locator("#confirm-ok").click();
    await page.locator(".conv-head").filter({ hasText: ko("handoff.took") }).waitFor({ timeout: 10_000 });
    expect(await page.locator(".conv-head").innerText()).not.toContain(ko("handoff.waiting"));
    await page.goto(`${base}/staff#/`);
    await page.getByLabel(ko("queue.filterStatus"), { exact: true }).selectOption("closed");
    const closed = page.locator(`tr[data-handoff-id="${handoffId}"]`);
    await closed.waitFor({ state: "visible", timeout: 10_000 });
    expect(await closed.locator("[data-took]").textContent()).toBe(ko("queue.took", { time: ko("wait.lessThanMinute") }));
    expect(await closed.locator("[data-since]").count()).toBe(0);
    await screenshot(page, SHOTS, "queue-closed-took");
  });

  it("queue rows show the reference code, the nationality, the reason and the risk", async () => {
    // A family report about a Vietnamese relative, then "talk to a person".
    const family = new TelegramPerson(base, fake, 7_200_002);
    await family.say("/start");
    for (const answer of ["en", "yes", "other", "child"]) await family.tap(answer);
    await family.say("Nguyen Van A");
    for (const answer of ["vn", "skip", "week"]) await family.tap(answer);
    await family.say("Bavet", 1);
    await family.tap("ad");
    await family.tap("no", 3);
    await family.tap("person");
    const handoffId = await handoffOf(family.chatId);
    const [report] = await query<{ code: string }>(db.url, `SELECT "code" FROM "Report"`);
    const [{ risk } = { risk: null }] = await query<{ risk: string | null }>(db.url, `SELECT "risk" FROM "HandoffRequest" WHERE "id" = ?`, [handoffId]);

    const page = await koreanPage();
    await page.goto(`${base}/staff#/`);
    await signIn(page);
    const row = page.locator(`tr[data-handoff-id="${handoffId}"]`);
    await row.waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.locator("th.col-nationality").textContent()).toBe(ko("queue.colNationality"));
    expect(await row.locator("td.col-reference").textContent()).toBe(report!.code);
    expect(await row.locator("td.col-nationality").textContent()).toBe(ko("nationality.vn"));
    expect(await row.locator("td.col-reason").textContent()).toBe(ko("reason.family"));
    expect(await row.locator("td.col-risk").textContent()).toBe(ko(`risk.${risk ?? "none"}`));
    await screenshot(page, SHOTS, "queue-row-nationality");

    // And in the conversation's head.
    await row.getByRole("link").click();
    await page.locator(".conv-head").filter({ hasText: ko("nationality.vn") }).waitFor({ timeout: 10_000 });
  });
});
