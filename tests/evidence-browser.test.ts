// Photos and files in the staff console, in a real browser (Chromium through playwright-core),
// on SQLite with Telegram in webhook mode against the fake Bot API: the agent on the case sees
// the photo in the transcript (an <img> from the console's API, decoded by the browser), a file
// as a download link, a file over EVIDENCE_MAX_BYTES as "too large", and a fetch that fails as
// "retrying" then as "failed after N tries". Screenshot: test-results/staff-console/evidence.png.
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { launchBrowser, screenshot, watchPage, type PageProblems } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { execute, query } from "./helpers/db-query.ts";
import { addStaffAccounts, STAFF_PASSWORD } from "./helpers/staff-accounts.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { messageUpdate } from "./helpers/telegram-updates.ts";
import { testPng } from "./helpers/test-image.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const SHOTS = "test-results/staff-console";
const WAIT = { timeout: 15_000, interval: 100 };
const EN = JSON.parse(readFileSync("locales/console/en.json", "utf8")) as Record<string, string>;
const en = (key: string, params: Record<string, string | number> = {}) => {
  const text = EN[key];
  if (text === undefined) throw new Error(`no console text ${key}`);
  return text.replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(params[name] ?? ""));
};

describe("photos and files in the staff console (browser, SQLite, Telegram)", { timeout: 90_000 }, () => {
  let browser: Browser;
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;
  let context: BrowserContext | undefined;
  let problems: PageProblems | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase("sqlite"), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
    ({ app, base } = await startTelegramApp(db.url, fake.url, {
      env: { EVIDENCE_MAX_BYTES: "20000" },
      // The retry waits until the test has seen "retrying" and makes it due (however slow the page is to open).
      options: { evidence: { pollMs: 100, maxAttempts: 2, backoff: { baseMs: 600_000, maxMs: 600_000 } } },
    }));
  });

  afterEach(async () => {
    await context?.close().catch(() => {});
    context = undefined;
    await app.stop().catch(() => {});
    await fake.stop();
    await db.drop();
    // The page never threw, broke the CSP or opened a dialog.
    if (problems) expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
    problems = undefined;
  });

  it("the agent sees the photo in the transcript, a file as a download, one too large and one failing as such", async () => {
    // The case is unassigned: an agent may open it.
    await addStaffAccounts(app.store, ["agent"]);
    const person = new TelegramPerson(base, fake, 5_550_001);
    await person.say("/start");
    for (const answer of ["en", "yes", "person"]) await person.tap(answer);
    const [handoff] = await query<{ id: string }>(db.url, `SELECT id FROM "HandoffRequest"`);
    const photo = testPng(21);
    const full = fake.addFile(photo);
    await person.post(messageUpdate(person.chatId, { photo: [{ ...full, width: 160, height: 120 }] }));
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(2000, 7)]);
    await person.post(messageUpdate(person.chatId, { document: { ...fake.addFile(pdf, "documents", ".pdf"), file_name: "contract.pdf", mime_type: "application/pdf" } }));
    const big = testPng(22, 400, 300);
    expect(big.length).toBeGreaterThan(20000);
    await person.post(messageUpdate(person.chatId, { photo: [{ ...fake.addFile(big), width: 400, height: 300 }] }));
    // The last one: Telegram's download fails on both tries.
    fake.failNext("file", { error_code: 502, description: "Bad Gateway" }, 2);
    await vi.waitFor(async () => {
      const rows = await query<{ status: string }>(db.url, `SELECT status FROM "EvidenceFile" ORDER BY "messageId"`);
      expect(rows.map((r) => r.status)).toEqual(["stored", "stored", "too_large"]);
    }, WAIT);
    await person.post(messageUpdate(person.chatId, { photo: [{ ...fake.addFile(testPng(23)), width: 160, height: 120 }] }));

    context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "en-US" });
    const page = await context.newPage();
    problems = watchPage(page);
    await page.goto(`${base}/staff#/handoff/${handoff!.id}`);
    const form = page.locator("#signin");
    await form.getByLabel(en("auth.email"), { exact: true }).fill("agent@example.org");
    await form.getByLabel(en("auth.password"), { exact: true }).fill(STAFF_PASSWORD);
    await form.getByRole("button", { name: en("auth.submit"), exact: true }).click();

    // The photo, decoded by the browser at its real size.
    const img = page.locator(".transcript li.msg.role-user figure.evidence-image img");
    await img.waitFor({ state: "visible", timeout: 15_000 });
    await vi.waitFor(async () => expect(await img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(160), WAIT);
    expect(await img.getAttribute("alt")).toBe(en("evidence.photoAlt"));
    const src = await img.getAttribute("src");
    expect(src).toMatch(/^\/staff\/api\/handoffs\/[\w-]+\/evidence\/[\w-]+$/);

    // The file, as a download link with its name.
    const link = page.locator(".transcript a.evidence-download");
    expect(await link.innerText()).toBe(en("evidence.download", { name: "contract.pdf" }));
    expect(await link.getAttribute("download")).toBe("contract.pdf");

    // Too large: said so, with its size, not fetched.
    const tooLarge = page.locator('.transcript [data-evidence-status="too_large"]');
    expect(await tooLarge.innerText()).toBe(en("evidence.too_large", { kind: en("kind.photo"), size: en("evidence.sizeKb", { n: Math.round(big.length / 1024) }) }));

    // The failing one: "retrying" after the first try (the page follows changes live), then "failed after 2 tries".
    const retrying = page.locator('.transcript [data-evidence-status="retrying"]');
    await retrying.waitFor({ state: "visible", timeout: 15_000 });
    expect(await retrying.innerText()).toBe(en("evidence.retrying", { kind: en("kind.photo"), count: 1 }));
    await execute(db.url, `UPDATE "EvidenceFile" SET "nextAttemptAt" = ? WHERE status = 'pending'`, [new Date(Date.now() - 1000).toISOString().replace("Z", "+00:00")]);
    const failed = page.locator('.transcript [data-evidence-status="failed"]');
    await failed.waitFor({ state: "visible", timeout: 15_000 });
    expect(await failed.innerText()).toBe(en("evidence.failed", { kind: en("kind.photo"), count: 2 }));
    await img.scrollIntoViewIfNeeded();
    await screenshot(page, SHOTS, "evidence");
    await page.locator(".transcript").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await screenshot(page, SHOTS, "evidence-states");

    // The photo was opened once and audited once, though the live page redrew the transcript as
    // the failing fetch changed (the browser reuses an image already in the document).
    const views = await query<{ actorEmail: string; targetType: string }>(db.url, `SELECT "actorEmail", "targetType" FROM "AuditEntry" WHERE action = 'evidence.view'`);
    expect(views).toEqual([{ actorEmail: "agent@example.org", targetType: "evidence" }]);
  });
});
