// The staff console in a real browser (Chromium through playwright-core) against the running
// app on SQLite, with Telegram in webhook mode talking to the fake Bot API: a person's
// emergency appears in the queue live, the transcript is shown safely (no HTML from people
// is ever interpreted), a reply reaches the person, closing the case sends the closing
// message; an expired session keeps the draft; sign-in errors, roles, admin pages, 403/404,
// Korean, and phone width. Screenshots go to test-results/staff-console/.
import { readdirSync, readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { createStaffAccount } from "../src/staff/accounts.ts";
import { NOTE_MAX_LENGTH, REPLY_MAX_LENGTH } from "../src/staff/console-definitions.ts";
import { NEXT_STATUSES } from "../src/staff/policy.ts";
import { DEFAULT_SESSION_POLICY } from "../src/staff/sessions.ts";
import type { StaffRole } from "../src/store/staff-types.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { horizontalOverflow, launchBrowser, screenshot, watchPage, type PageProblems } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { execute, query } from "./helpers/db-query.ts";
import { seedOpenHandoffs } from "./helpers/handoff-backlog.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { messageUpdate, textUpdate } from "./helpers/telegram-updates.ts";
import { TEST_HASH_COST } from "./helpers/staff-accounts.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const SHOTS = "test-results/staff-console";
const PASSWORD = "correct horse battery staple";
const AGENT = "agent@example.org";
const XSS = `<img src=x onerror=alert(1)><script>alert(2)</script>`;
const LONG_WORD = "A".repeat(600);
const WAIT = { timeout: 15_000, interval: 100 };

// What the console says (locales/console/en.json), looked up so a wording change is one edit.
const EN = JSON.parse(readFileSync("locales/console/en.json", "utf8")) as Record<string, string>;
const KO = JSON.parse(readFileSync("locales/console/ko.json", "utf8")) as Record<string, string>;
const en = (key: string, params: Record<string, string | number> = {}) => {
  const text = EN[key];
  if (text === undefined) throw new Error(`no console text ${key}`);
  return text.replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(params[name] ?? ""));
};
const BOT_CLOSED = "This conversation is finished for now.";
const BOT_EN = JSON.parse(readFileSync("locales/en.json", "utf8")) as Record<string, Record<string, string>>;

describe("staff console in a browser (SQLite, Telegram webhook)", { timeout: 60_000 }, () => {
  let browser: Browser;
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;
  let contexts: BrowserContext[] = [];
  let watched: PageProblems[] = [];
  let chatSeq = 0;
  const newChat = () => 7_770_000 + ++chatSeq;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase("sqlite"), FakeTelegramBotApi.start({ token: BOT_TOKEN, maxLongPollMs: 500 })]);
    ({ app, base } = await startTelegramApp(db.url, fake.url, {
      // A lock after 5 failures in a row (50 by default), so the admin test has one to lift.
      options: { staffSessions: { ...DEFAULT_SESSION_POLICY, lockAfterFailures: 5 } },
    }));
  });

  afterEach(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    contexts = [];
    // Whatever a test did, the pages never ran injected script, broke the CSP or threw.
    const problems = watched;
    watched = [];
    await app.stop().catch(() => {});
    await fake.stop();
    await db.drop();
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [], dialogs: [] });
  });

  const addAccount = (email: string, role: StaffRole) => createStaffAccount(app.store, { id: null, email: "test" }, { email, role, password: PASSWORD }, TEST_HASH_COST);

  async function openPage(options: { width?: number; height?: number; locale?: string } = {}): Promise<{ page: Page; context: BrowserContext; problems: PageProblems }> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      locale: options.locale ?? "en-US",
    });
    contexts.push(context);
    const page = await context.newPage();
    const problems = watchPage(page);
    watched.push(problems);
    return { page, context, problems };
  }

  async function signIn(page: Page, email: string, password = PASSWORD) {
    const form = page.locator("#signin");
    await form.getByLabel(en("auth.email"), { exact: true }).fill(email);
    await form.getByLabel(en("auth.password"), { exact: true }).fill(password);
    await form.getByRole("button", { name: en("auth.submit"), exact: true }).click();
  }

  async function signedIn(page: Page, email: string) {
    await page.locator("#whoami").filter({ hasText: email }).waitFor({ state: "visible", timeout: 10_000 });
  }

  const newPerson = () => new TelegramPerson(base, fake, newChat());

  /** /start → English → safe → "I am in danger now" → share location: a critical handoff with a location. */
  async function emergencyWithLocation(person: TelegramPerson): Promise<string> {
    await person.say("/start");
    await person.tap("en");
    await person.tap("yes");
    await person.tap("danger", 2); // the emergency card, and one tap to give the nationality
    await person.tap("location");
    await person.post(messageUpdate(person.chatId, { location: { latitude: 11.5564, longitude: 104.9282 } }));
    const [thanks, handedOff] = await person.waitFor(2);
    expect(thanks).toBe("Location received.");
    expect(handedOff).toContain("A person will read this conversation");
    return handoffIdOf(person.chatId);
  }

  /** Help for me: the triage questions, a description, consent, a report; then "talk to a person". Returns the report code. */
  async function selfReportThenPerson(person: TelegramPerson, description: string): Promise<string> {
    await person.say("/start");
    for (const answer of ["en", "yes", "me", "no", "no", "no", "passport"]) await person.tap(answer);
    await person.tap("yes", 2); // phone checked: how to keep the chat private, and the auto-clear offer
    await person.tap("clearOff"); // not now: on to where
    for (const answer of ["skip", "skip", "yes"]) await person.tap(answer);
    await person.say(description);
    await person.tap("done");
    const [saved] = await person.tap("yes");
    const code = /\b([A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(saved ?? "")?.[1];
    expect(code).toBeDefined();
    const [handedOff] = await person.tap("person", 2);
    expect(handedOff).toContain("A person will read this conversation");
    return code!;
  }

  /** Every console session ends on the server, as when it runs out. */
  const deleteSessions = () => execute(db.url, `DELETE FROM "StaffSession"`);

  async function handoffIdOf(chat: number): Promise<string> {
    const rows = await query<{ id: string }>(
      db.url,
      `SELECT h.id FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = ?`,
      [String(chat)],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.id;
  }

  /** Waits until the bot (or staff through it) sent the person a message containing `text`. */
  const delivered = (person: TelegramPerson, text: string) =>
    fake.waitFor(() => person.messages().find((c) => String(c.payload.text).includes(text)), 10_000);

  /** Signs in through the API (no browser) and returns a fetch bound to that session. */
  async function apiSession(email: string) {
    const login = await fetch(`${base}/staff/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(login.status).toBe(200);
    const { csrf } = (await login.json()) as { csrf: string };
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    return (path: string, body?: unknown) =>
      fetch(`${base}/staff/api${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  }

  const transcriptItem = (page: Page, role: string, text: string) => page.locator(`.transcript li.msg.role-${role}`).filter({ hasText: text });

  it("a Telegram emergency appears live; the transcript is shown safely; a reply is delivered; closing tells the person", async () => {
    await addAccount(AGENT, "agent");
    const { page, problems } = await openPage();
    await page.goto(`${base}/staff`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await page.getByRole("heading", { name: en("auth.title") }).waitFor();
    await signIn(page, AGENT);
    await signedIn(page, AGENT);
    // Agents do not see the admin pages.
    expect(await page.locator("#nav-audit").isVisible()).toBe(false);
    expect(await page.locator("#nav-accounts").isVisible()).toBe(false);
    await page.getByText(en("queue.empty"), { exact: true }).waitFor();
    expect(await page.locator("tr[data-handoff-id]").count()).toBe(0);
    // Keyboard: the view's heading has the focus; Tab reaches the filters with a visible outline.
    expect(await page.evaluate("document.activeElement.tagName")).toBe("H1");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.tagName + ' ' + getComputedStyle(document.activeElement).outlineStyle")).toBe("SELECT solid");

    // A person in danger writes on Telegram while the queue is open: no reload needed.
    await page.evaluate("window.__sameDocument = 'still here'");
    const person = newPerson();
    const handoffId = await emergencyWithLocation(person);
    const row = page.locator(`tr[data-handoff-id="${handoffId}"]`);
    await row.waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.evaluate("window.__sameDocument")).toBe("still here");
    expect(await row.getAttribute("data-risk")).toBe("critical");
    const rowText = await row.innerText();
    for (const text of [en("risk.critical"), en("channel.telegram"), en("language.en"), en("reason.emergency"), en("status.open"), en("queue.unassigned")]) {
      expect(rowText.toLowerCase()).toContain(text.toLowerCase());
    }
    expect(rowText).toMatch(/under 1 min|\d+ min/);
    // The announcement for screen readers.
    await vi.waitFor(async () => expect(await page.locator("#live").textContent()).toContain(en("risk.critical")), WAIT);
    await screenshot(page, SHOTS, "queue");

    // Open the conversation.
    await row.getByRole("link").click();
    await page.waitForURL(`**/staff#/handoff/${handoffId}`);
    await page.locator(".conv-head").filter({ hasText: en("reason.emergency") }).waitFor();
    const head = await page.locator(".conv-head").innerText();
    expect(head).toContain(en("handoff.personHidden")); // agents do not see platform ids
    expect(head).not.toContain(String(person.chatId));
    const mapLink = page.getByRole("link", { name: new RegExp(en("location.openMap")) }).first();
    expect(await mapLink.getAttribute("target")).toBe("_blank");
    expect(await mapLink.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await mapLink.getAttribute("href")).toMatch(/^https:\/\/www\.openstreetmap\.org\/.*11\.5564/);
    expect(await page.locator(".conv-details").innerText()).toContain("11.55640, 104.92820");
    await transcriptItem(page, "bot", "A person will read this conversation").waitFor();
    await transcriptItem(page, "user", "/start").waitFor();
    await page.locator(".transcript li.msg.role-system").first().waitFor();

    // The person writes HTML and a very long word while the conversation is open: shown live, as text.
    await person.post(textUpdate(person.chatId, XSS));
    await person.post(textUpdate(person.chatId, LONG_WORD));
    const xssText = page.locator(".transcript .msg-text").getByText(XSS, { exact: true });
    await xssText.waitFor({ state: "visible", timeout: 10_000 });
    await transcriptItem(page, "user", LONG_WORD).waitFor();
    expect(await page.locator(".transcript img, .transcript script, .transcript iframe").count()).toBe(0);
    expect(await page.locator("img[src='x'], body script:not([src])").count()).toBe(0);
    expect(problems.dialogs).toEqual([]);
    expect(await horizontalOverflow(page)).toBe(0);

    // Take it, then answer with Ctrl+Enter.
    await page.getByRole("button", { name: en("assign.take"), exact: true }).click();
    await page.getByRole("button", { name: en("assign.release"), exact: true }).waitFor();
    await page.locator("[data-assignee]").filter({ hasText: AGENT }).waitFor();
    const replyText = "Hello, this is the consular office. Are you able to talk now?";
    const reply = page.getByLabel(en("reply.label"), { exact: true });
    await reply.fill(replyText);
    await reply.press("Control+Enter");
    const sent = await delivered(person, replyText);
    expect(sent.payload).toMatchObject({ chat_id: String(person.chatId), disable_notification: true });
    const staffItem = transcriptItem(page, "staff", replyText);
    await staffItem.locator('[data-delivery="sent"]').waitFor({ timeout: 10_000 });
    expect(await staffItem.innerText()).toContain(AGENT);
    expect(await staffItem.locator(".delivery").innerText()).toBe(en("delivery.sent"));
    expect(await reply.inputValue()).toBe("");

    // An internal note: shown to staff, never sent.
    const sentBefore = person.messages().length;
    const noteText = "Called the embassy duty phone; they will call back.";
    await page.getByLabel(en("note.label"), { exact: true }).fill(noteText);
    await page.getByRole("button", { name: en("note.save"), exact: true }).click();
    await transcriptItem(page, "note", noteText).waitFor();
    await app.deliverer.afterPasses(2);
    expect(person.messages()).toHaveLength(sentBefore);
    await screenshot(page, SHOTS, "conversation");

    // The status changes offered and the boxes' limits are the server's (GET /staff/api/definitions).
    await page.locator('.conv-head [data-status="in_progress"]').waitFor();
    const offered = await page.locator(".conv-actions button[data-status]").evaluateAll((buttons) => buttons.map((b) => b.getAttribute("data-status")));
    expect(offered).toEqual(NEXT_STATUSES.in_progress);
    expect(await reply.getAttribute("maxlength")).toBe(String(REPLY_MAX_LENGTH));
    expect(await page.getByLabel(en("note.label"), { exact: true }).getAttribute("maxlength")).toBe(String(NOTE_MAX_LENGTH));

    // Export link and the print view (rendered from the export JSON).
    const exportLink = page.getByRole("link", { name: en("export.json"), exact: true });
    expect(await exportLink.getAttribute("href")).toMatch(new RegExp(`^/staff/api/handoffs/${handoffId}/export`));
    expect(await exportLink.getAttribute("download")).not.toBeNull();
    await page.getByRole("link", { name: en("export.print"), exact: true }).click();
    await page.waitForURL(`**/staff#/print/${handoffId}`);
    await page.locator(".print-page").getByText(XSS, { exact: true }).waitFor();
    expect(await page.locator(".print-page").innerText()).toContain(`${en("print.exported", { at: "", by: "" }).split(" ")[0]}`);
    expect(await page.locator(".print-page").innerText()).toContain(AGENT);
    await page.getByRole("button", { name: en("print.print"), exact: true }).waitFor();
    await screenshot(page, SHOTS, "print");
    await page.getByRole("link", { name: en("print.back"), exact: true }).click();
    await page.waitForURL(`**/staff#/handoff/${handoffId}`);
    await page.getByLabel(en("reply.label"), { exact: true }).waitFor();

    // Phone width: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 812 });
    await expect.poll(() => horizontalOverflow(page)).toBe(0);
    await screenshot(page, SHOTS, "conversation-phone");
    const sideBySide = await page.evaluate(
      "(() => { const a = document.querySelector('.conv-main').getBoundingClientRect(); const b = document.querySelector('.conv-side').getBoundingClientRect(); return b.top >= a.bottom - 1; })()",
    );
    expect(sideBySide).toBe(true);

    // Close the case: confirm first; the person gets the closing message.
    await page.getByRole("button", { name: en("statusAction.closed"), exact: true }).click();
    const dialog = page.getByRole("dialog", { name: en("close.title") });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: en("common.cancel"), exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(person.messages().some((c) => String(c.payload.text).includes(BOT_CLOSED))).toBe(false);
    await page.getByRole("button", { name: en("statusAction.closed"), exact: true }).click();
    await dialog.getByRole("button", { name: en("close.confirm"), exact: true }).click();
    const closing = await delivered(person, BOT_CLOSED);
    expect(closing.payload).toMatchObject({ chat_id: String(person.chatId), disable_notification: true });
    await page.locator('.conv-head [data-status="closed"]').waitFor();
    expect(await page.getByLabel(en("reply.label"), { exact: true }).isDisabled()).toBe(true);

    // The queue at phone width: stacked cards, no horizontal scrolling; closed cases are filtered out by default.
    await page.getByRole("link", { name: en("nav.queue"), exact: true }).click();
    await page.getByText(en("queue.empty"), { exact: true }).waitFor();
    await page.getByLabel(en("queue.filterStatus"), { exact: true }).selectOption("closed");
    await row.waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.evaluate(`getComputedStyle(document.querySelector('tr[data-handoff-id="${handoffId}"]')).display`)).toBe("block");
    await screenshot(page, SHOTS, "queue-phone");
    expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
  });

  it("an expired session brings back the sign-in form; after signing in the route and the reply draft are still there", async () => {
    await addAccount(AGENT, "agent");
    const person = newPerson();
    const description = "They took my passport. <b>Not bold</b>\nSecond line";
    const code = await selfReportThenPerson(person, description);
    const handoffId = await handoffIdOf(person.chatId);
    const { page } = await openPage();
    await page.goto(`${base}/staff#/handoff/${handoffId}`);
    await signIn(page, AGENT);
    await signedIn(page, AGENT);
    await page.waitForURL(`**/staff#/handoff/${handoffId}`);
    const reply = page.getByLabel(en("reply.label"), { exact: true });
    await reply.waitFor();
    await transcriptItem(page, "bot", "A person will read this conversation").waitFor();
    expect(await page.locator(".conv-head").innerText()).toContain(en("reason.report"));
    // The report: code, kind, consent, and the answers as question and answer (typed text as text).
    const report = page.locator(`.report[data-code="${code}"]`);
    await report.waitFor();
    const reportText = await report.innerText();
    for (const text of [code, en("reportKind.self"), en("reports.consentYes"), en("risk.high")]) expect(reportText).toContain(text);
    const answer = (key: string) => report.locator(`.answer[data-key="${key}"]`);
    expect(await answer("triage.documents").locator("dt").innerText()).toBe("Has someone taken your passport or phone?");
    expect(await answer("triage.documents").locator("dd").innerText()).toBe("My passport");
    // The question as the bot asked it (flows/data/questions.ts).
    expect(await answer("report.description").locator("dt").innerText()).toBe(BOT_EN.report!.describe);
    expect(await answer("report.description").locator("dd").textContent()).toBe(description);
    expect(await report.locator("b").count()).toBe(0);

    const draft = "Draft: we have contacted the embassy <b>not bold</b> and will write again.";
    // Typing tells the server a reply is being written (auto-clear waits); that signal is answered
    // before the session runs out, so the 401 below is met by the send itself.
    const writing = page.waitForResponse((r) => r.url().endsWith(`/handoffs/${handoffId}/writing`));
    writing.catch(() => {}); // observed now; awaited below
    await reply.fill(draft);
    expect((await writing).status()).toBe(204);

    // The session runs out on the server (as after 2 hours idle): this page does not know yet.
    await deleteSessions();

    // Sending now meets a 401: the sign-in form comes back, nothing is sent, the draft stays.
    await page.getByRole("button", { name: en("reply.send"), exact: true }).click();
    await page.getByText(en("auth.expired"), { exact: true }).waitFor({ timeout: 10_000 });
    expect(await reply.isVisible()).toBe(false);
    expect(person.messages().some((c) => String(c.payload.text).includes("Draft:"))).toBe(false);
    expect(page.url()).toContain(`#/handoff/${handoffId}`);

    await signIn(page, AGENT);
    await signedIn(page, AGENT);
    await reply.waitFor({ state: "visible" });
    expect(page.url()).toContain(`#/handoff/${handoffId}`);
    expect(await reply.inputValue()).toBe(draft);

    // The draft also survives a reload (sessionStorage, per handoff).
    await page.reload();
    await reply.waitFor({ state: "visible" });
    await transcriptItem(page, "bot", "A person will read this conversation").waitFor();
    expect(await reply.inputValue()).toBe(draft);

    await page.getByRole("button", { name: en("reply.send"), exact: true }).click();
    expect((await delivered(person, draft)).payload.chat_id).toBe(String(person.chatId));
    await transcriptItem(page, "staff", draft).locator('[data-delivery="sent"]').waitFor({ timeout: 10_000 });
    expect(await reply.inputValue()).toBe("");
    // Sent drafts are forgotten.
    await page.reload();
    await reply.waitFor({ state: "visible" });
    expect(await reply.inputValue()).toBe("");
  });

  it("admin: sign-in errors and lockout, accounts (unlock, create, duplicate, disable, enable), the audit log in pages", async () => {
    await addAccount(AGENT, "agent");
    await addAccount("other.agent@example.org", "agent");
    await addAccount("admin@example.org", "admin");
    const person = newPerson();
    await person.toHandoff();
    const handoffId = await handoffIdOf(person.chatId);

    const { page } = await openPage({ width: 1100, height: 850 });
    await page.goto(`${base}/staff`);
    await signIn(page, AGENT, "not the password at all");
    await page.getByText(en("auth.invalid"), { exact: true }).waitFor();
    for (let i = 0; i < 5; i++) {
      const answered = page.waitForResponse((response) => response.url().endsWith("/staff/api/login"));
      answered.catch(() => {}); // observed now; awaited below
      await signIn(page, AGENT, `wrong password number ${i}`);
      await answered;
    }
    // The sixth try from this address waits (30 s, shown as a minute); the five failures locked the account.
    await page.getByText(en("auth.tooMany", { minutes: 1 }), { exact: true }).waitFor({ timeout: 10_000 });
    await screenshot(page, SHOTS, "signin-locked");

    // Admin: nav links, the accounts page (unlock, create, disable, enable).
    await signIn(page, "admin@example.org");
    await signedIn(page, "admin@example.org");
    await page.locator(`tr[data-handoff-id="${handoffId}"]`).waitFor();
    await page.getByRole("link", { name: en("nav.accounts"), exact: true }).click();
    await page.waitForURL("**/staff#/accounts");
    const agentRow = page.locator(`tr[data-email="${AGENT}"]`);
    await agentRow.waitFor();
    expect(await agentRow.innerText()).toContain(en("accounts.lockedUntil", { time: "" }).trim().split(" ")[0]!);
    await agentRow.getByRole("button", { name: en("accounts.unlock"), exact: true }).click();
    await agentRow.getByRole("button", { name: en("accounts.unlock"), exact: true }).waitFor({ state: "detached" });

    const create = page.locator("form.create-account");
    await create.getByLabel(en("accounts.email"), { exact: true }).fill("supervisor@example.org");
    await create.getByLabel(en("accounts.role"), { exact: true }).selectOption("supervisor");
    await create.getByLabel(en("accounts.password"), { exact: true }).fill(PASSWORD);
    await create.getByRole("button", { name: en("accounts.submit"), exact: true }).click();
    const supervisorRow = page.locator('tr[data-email="supervisor@example.org"]');
    await supervisorRow.waitFor();
    expect(await supervisorRow.locator("select").inputValue()).toBe("supervisor");
    // The same e-mail again: a clear error.
    await create.getByLabel(en("accounts.email"), { exact: true }).fill("supervisor@example.org");
    await create.getByLabel(en("accounts.password"), { exact: true }).fill(PASSWORD);
    await create.getByRole("button", { name: en("accounts.submit"), exact: true }).click();
    await create.getByText(en("accounts.exists"), { exact: true }).waitFor();
    // Disable the other agent, then enable again.
    const otherRow = page.locator('tr[data-email="other.agent@example.org"]');
    await otherRow.getByRole("button", { name: en("accounts.disable"), exact: true }).click();
    await otherRow.getByRole("button", { name: en("accounts.enable"), exact: true }).click();
    await otherRow.getByRole("button", { name: en("accounts.disable"), exact: true }).waitFor();
    await screenshot(page, SHOTS, "accounts");

    // The new supervisor reads the handoff 50 times (each read is audited) and assigns it, through the API.
    const supervisor = await apiSession("supervisor@example.org");
    for (let i = 0; i < 50; i++) expect((await supervisor(`/handoffs/${handoffId}`)).status).toBe(200);
    const { staff } = (await (await supervisor("/handoffs")).json()) as { staff: { id: string; email: string }[] };
    const otherAgent = staff.find((s) => s.email === "other.agent@example.org");
    expect(otherAgent).toBeDefined();
    expect((await supervisor(`/handoffs/${handoffId}/assign`, { staffId: otherAgent!.id })).status).toBe(200);

    // The audit log, newest first, 50 at a time.
    await page.getByRole("link", { name: en("nav.audit"), exact: true }).click();
    await page.waitForURL("**/staff#/audit");
    await page.locator('tr[data-action="assign"]').first().waitFor();
    expect(await page.locator("tr[data-audit-id]").count()).toBe(50);
    expect(await page.locator("tr[data-audit-id]").first().getAttribute("data-action")).toBe("assign");
    await page.getByRole("button", { name: en("audit.older"), exact: true }).click();
    await page.locator('tr[data-action="account.create"]').first().waitFor();
    const ids = (await page.evaluate("[...document.querySelectorAll('tr[data-audit-id]')].map((r) => Number(r.dataset.auditId))")) as number[];
    expect(ids.length).toBeGreaterThan(55);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    const audit = await page.locator(".audit-table").innerText();
    for (const action of ["login", "login.failed", "account.create", "account.update", "transcript.view", "assign"]) expect(audit).toContain(en(`action.${action}`));
    await screenshot(page, SHOTS, "audit");
  });

  it("agents: another agent's handoff is 'not allowed', an unknown one 'not found', no admin pages; Korean and the browser's language", async () => {
    await addAccount(AGENT, "agent");
    await addAccount("other.agent@example.org", "agent");
    const person = newPerson();
    await person.toHandoff();
    const handoffId = await handoffIdOf(person.chatId);
    // The other agent takes it (through the API).
    const other = await apiSession("other.agent@example.org");
    const { account } = (await (await other("/me")).json()) as { account: { id: string } };
    expect((await other(`/handoffs/${handoffId}/assign`, { staffId: account.id })).status).toBe(200);

    const { page } = await openPage({ width: 1100, height: 850 });
    await page.goto(`${base}/staff#/handoff/${handoffId}`);
    await signIn(page, AGENT);
    await signedIn(page, AGENT);
    expect(await page.locator("#nav-accounts").isVisible()).toBe(false);
    expect(await page.locator("#nav-audit").isVisible()).toBe(false);
    await page.locator('h1[data-problem="403"]').filter({ hasText: en("error.forbidden") }).waitFor();
    await page.goto(`${base}/staff#/`);
    await page.getByText(en("queue.empty"), { exact: true }).waitFor();
    await page.goto(`${base}/staff#/handoff/no-such-handoff`);
    await page.locator('h1[data-problem="404"]').filter({ hasText: en("error.notFound") }).waitFor();
    await page.goto(`${base}/staff#/audit`);
    await page.getByRole("heading", { name: en("error.forbidden") }).waitFor();

    // Korean: the switch changes every text and is remembered.
    await page.goto(`${base}/staff#/`);
    await page.getByRole("button", { name: KO["langSwitch.ko"]!, exact: true }).click();
    await page.locator("html[lang=ko]").waitFor({ state: "attached" });
    await page.getByRole("heading", { name: KO["queue.title"]!, exact: true }).waitFor();
    await page.getByText(KO["queue.empty"]!, { exact: true }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: KO["auth.signOut"]!, exact: true }).waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    await screenshot(page, SHOTS, "queue-ko");

    // Without a stored choice the browser's language decides: Korean for ko-*, else English.
    const korean = await openPage({ locale: "ko-KR" });
    await korean.page.goto(`${base}/staff`);
    await korean.page.getByRole("heading", { name: KO["auth.title"]!, exact: true }).waitFor();
    expect(await korean.page.getAttribute("html", "lang")).toBe("ko");
    const french = await openPage({ locale: "fr-FR" });
    await french.page.goto(`${base}/staff`);
    await french.page.getByRole("heading", { name: en("auth.title"), exact: true }).waitFor();
    expect(await french.page.getAttribute("html", "lang")).toBe("en");
  });

  it("the queue at scale: with 2,000 open handoffs a new critical one is first; counts per status and risk; more on demand; finished cases show how long they took", async () => {
    await seedOpenHandoffs(db.url, 2000);
    await addAccount("supervisor@example.org", "supervisor");
    const { page } = await openPage();
    await page.goto(`${base}/staff`);
    await signIn(page, "supervisor@example.org");
    await signedIn(page, "supervisor@example.org");
    const rows = page.locator("tr[data-handoff-id]");
    await vi.waitFor(async () => expect(await rows.count()).toBe(50), WAIT);

    // A new critical case arrives live and goes to the top, ahead of 2,000 older ones.
    const person = newPerson();
    await person.toCriticalHandoff();
    const critical = await handoffIdOf(person.chatId);
    await vi.waitFor(async () => expect(await rows.first().getAttribute("data-handoff-id")).toBe(critical), WAIT);
    expect(await rows.first().getAttribute("data-risk")).toBe("critical");
    await vi.waitFor(async () => expect(await page.locator(".queue-count").textContent()).toBe(en("queue.count", { count: 50, total: 2001 })), WAIT);
    const counts = page.locator(".queue-counts");
    expect(await counts.locator('[data-count="status:open"]').textContent()).toBe(en("queue.countOf", { label: en("status.open"), n: 2001 }));
    expect(await counts.locator('[data-count="risk:critical"]').textContent()).toBe(en("queue.countOf", { label: en("risk.critical"), n: 1 }));
    expect(await counts.locator('[data-count="risk:none"]').textContent()).toBe(en("queue.countOf", { label: en("risk.none"), n: 500 }));
    await screenshot(page, SHOTS, "queue-at-scale");

    // More on demand: the next page follows, in the same order, nothing twice.
    await page.getByRole("button", { name: en("list.more"), exact: true }).click();
    await vi.waitFor(async () => expect(await rows.count()).toBe(100), WAIT);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-handoff-id")));
    expect(new Set(ids).size).toBe(100);
    expect(await page.locator(".queue-count").textContent()).toBe(en("queue.count", { count: 100, total: 2001 }));

    // A resolved case shows how long it took, not a waiting time.
    const session = await apiSession("supervisor@example.org");
    expect((await session(`/handoffs/${critical}/status`, { status: "resolved" })).status).toBe(200);
    await page.getByLabel(en("queue.filterStatus"), { exact: true }).selectOption("resolved");
    // The critical case is also the open list's first row: wait for the resolved list itself.
    await vi.waitFor(async () => expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-handoff-id")))).toEqual([critical]), WAIT);
    const resolved = page.locator(`tr[data-handoff-id="${critical}"]`);
    expect(await resolved.locator("[data-took]").textContent()).toBe(en("queue.took", { time: en("wait.lessThanMinute") }));
    expect(await resolved.locator("[data-since]").count()).toBe(0);
  });

  it("Reports: a family report appears with its reference code, is found by search and opens its answers and its conversation; a private report is not there", async () => {
    await addAccount(AGENT, "agent");
    const family = newPerson();
    // The family flow to its saved report, without asking for a person.
    await family.toFamilyReportSaved("Kim Minsu", "Sihanoukville");
    const kept = newPerson();
    await kept.toSelfReport("no");
    const codes = await query<{ code: string; kind: string }>(db.url, `SELECT "code", "kind" FROM "Report" ORDER BY "kind"`);
    const familyCode = codes.find((c) => c.kind === "family")!.code;
    const privateCode = codes.find((c) => c.kind === "self")!.code;

    const { page } = await openPage();
    await page.goto(`${base}/staff#/reports`);
    await signIn(page, AGENT);
    await signedIn(page, AGENT);
    const rows = page.locator("tr[data-report-id]");
    await page.locator(`tr[data-code="${familyCode}"]`).waitFor({ state: "visible", timeout: 10_000 });
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain(en("reportKind.family"));
    await screenshot(page, SHOTS, "reports");

    // Search by reference code, typed as read out over the phone.
    const search = page.getByLabel(en("reportList.code"), { exact: true });
    await search.fill(privateCode.toLowerCase());
    await page.getByRole("button", { name: en("reportList.find"), exact: true }).click();
    await page.getByText(en("reportList.noCode", { code: privateCode.toLowerCase() }), { exact: true }).waitFor();
    await search.fill(familyCode.replace("-", " ").toLowerCase());
    await page.getByRole("button", { name: en("reportList.find"), exact: true }).click();
    await page.locator(`tr[data-code="${familyCode}"]`).waitFor({ state: "visible", timeout: 10_000 });
    await search.fill("12");
    await page.getByRole("button", { name: en("reportList.find"), exact: true }).click();
    await page.getByText(en("reportList.badCode"), { exact: true }).waitFor();
    await page.getByRole("button", { name: en("reportList.showAll"), exact: true }).click();
    await page.locator(`tr[data-code="${familyCode}"]`).waitFor({ state: "visible", timeout: 10_000 });

    // Open it: the answers as the bot asked them, and the case it put in the queue.
    await page.getByRole("link", { name: en("reportList.openLabel", { code: familyCode }), exact: true }).click();
    await page.getByRole("heading", { name: en("reports.code", { code: familyCode }), exact: true }).first().waitFor();
    const answers = page.locator(".answers");
    expect(await answers.locator('[data-key="family.relationship"] dd').textContent()).toBe("My child");
    expect(await answers.locator('[data-key="family.lastPlace"] dd').textContent()).toBe("Sihanoukville");
    expect(await page.locator(".report-case").innerText()).toContain(en("status.open"));
    await screenshot(page, SHOTS, "report");
    await page.locator('[data-action="open-conversation"]').click();
    await page.locator(".conv-head").filter({ hasText: en("reason.report") }).waitFor();
    expect(await page.locator(".conv-head").innerText()).toContain(familyCode);

    // The queue shows the case with its reason and reference code.
    await page.goto(`${base}/staff#/`);
    const row = page.locator("tr[data-handoff-id]");
    await vi.waitFor(async () => expect(await row.count()).toBe(1), WAIT);
    expect(await row.innerText()).toContain(familyCode);
    expect(await row.innerText()).toContain(en("reason.report"));
  });

  it("taps read as the question and the label chosen, with what the person saw in their language", async () => {
    await addAccount(AGENT, "agent");
    const person = newPerson();
    await person.say("/start");
    for (const answer of ["vi", "yes", "person"]) await person.tap(answer);
    const handoffId = await handoffIdOf(person.chatId);
    const [enBot, viBot] = [BOT_EN, JSON.parse(readFileSync("locales/vi.json", "utf8")) as typeof BOT_EN];

    const { page } = await openPage();
    await page.goto(`${base}/staff#/handoff/${handoffId}`);
    await signIn(page, AGENT);
    await signedIn(page, AGENT);
    const taps = page.locator(".transcript li.msg.role-user [data-tap]");
    await vi.waitFor(async () => expect(await taps.count()).toBe(3), WAIT);
    const safety = taps.nth(1);
    expect(await safety.locator(".tap-question").textContent()).toBe(enBot.safety!.prompt);
    expect(await safety.locator(".tap-answer").textContent()).toBe(enBot.common!.yes);
    expect(await safety.locator(".tap-original").textContent()).toBe(en("transcript.theySaw", { answer: viBot.common!.yes! }));
    expect(await safety.locator(".tap-original").getAttribute("lang")).toBe("vi");
    expect(await safety.getAttribute("title")).toBe(en("transcript.askedAs", { question: viBot.safety!.prompt!, answer: viBot.common!.yes! }));
    expect(await page.locator(".transcript").innerText()).not.toContain(en("kind.choice"));
    await screenshot(page, SHOTS, "transcript-taps");
  });

  it("the page and its texts: every text key the page uses exists in both languages", async () => {
    expect(Object.keys(KO).sort()).toEqual(Object.keys(EN).sort());
    const modules = readdirSync("src/staff/public/js", { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".js"));
    expect(modules).toContain("main.js");
    const js = modules.map((file) => readFileSync(`src/staff/public/js/${file}`, "utf8")).join("\n");
    const html = readFileSync("src/staff/public/index.html", "utf8");
    const used = new Set([
      ...[...js.matchAll(/\bt\("([\w.]+)"/g)].map((m) => m[1]!),
      ...[...html.matchAll(/data-t(?:-aria-label)?="([\w.]+)"/g)].map((m) => m[1]!),
    ]);
    expect([...used].filter((key) => !(key in EN))).toEqual([]);
    const enumerations: Record<string, string[]> = {
      role: ["agent", "supervisor", "admin"],
      status: ["open", "in_progress", "resolved", "closed", "erased"],
      statusAction: ["open", "in_progress", "resolved", "closed"],
      risk: ["critical", "high", "medium", "low", "none"],
      channel: ["telegram", "line", "web"],
      reason: ["emergency", "requested", "family", "report", "erased"],
      reportKind: ["self", "family"],
      transcriptRole: ["user", "bot", "staff", "note", "system"],
      delivery: ["pending", "sending", "sent", "failed", "received", "unsent", "cancelled"],
      action: ["login", "login.failed", "logout", "transcript.view", "report.view", "reply", "note", "assign", "status", "export", "account.create", "account.update"],
      language: ["ko", "en", "zh", "vi", "th", "id", "km", "ja"],
    };
    for (const [prefix, values] of Object.entries(enumerations)) for (const v of values) expect(EN, `${prefix}.${v}`).toHaveProperty([`${prefix}.${v}`]);
    const placeholders = (s: string) => [...s.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort().join(",");
    for (const key of Object.keys(EN)) expect(placeholders(KO[key]!), key).toBe(placeholders(EN[key]!));
    // No markup from data: the script never uses innerHTML/outerHTML/insertAdjacentHTML/document.write/eval.
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    // Nothing inline that the CSP would block.
    expect(html).not.toMatch(/<style|style=|\son\w+=|<script(?![^>]*\bsrc=)/i);
  });
});
