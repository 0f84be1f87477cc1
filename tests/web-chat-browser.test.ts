// The test chat at /try in a real browser (Debian's Chromium through playwright-core) on a
// 360 px phone screen, as a new user tries it: a whole conversation in Korean and in Thai with
// taps, a typed answer, a shared location and /delete; every language's glyphs rendered with
// real fonts; nothing on screen but what the person sent and what the bot sent, each once.
// Screenshots go to test-results/web-chat/.
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { horizontalOverflow, launchBrowser, screenshot, watchPage } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { silentLog } from "./helpers/engine-harness.ts";
import { LOOSE_WEB_CHAT_LIMITS } from "./helpers/web-chat-limits.ts";
import { startApp } from "./helpers/test-app.ts";

const SHOTS = "test-results/web-chat";
const WAIT = { timeout: 15_000 };
const PHONE = { width: 360, height: 740 };
const PLACE = { latitude: 11.5564, longitude: 104.9282 };

type Texts = Record<string, Record<string, string>>;
const locale = (lng: string) => JSON.parse(readFileSync(`locales/${lng}.json`, "utf8")) as Texts;
const firstLine = (text: string) => text.split("\n")[0]!;
const placeText = (L: Texts, p: typeof PLACE) =>
  L.try!.location!.replace("{{latitude}}", p.latitude.toFixed(5)).replace("{{longitude}}", p.longitude.toFixed(5));

/** Which installed fonts drew a fragment of the page: CSS.getPlatformFontsForNode, as DevTools shows it. */
async function fontsOf(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("DOM.enable");
  await cdp.send("CSS.enable");
  const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
  const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
  await cdp.detach();
  return fonts.filter((f) => f.glyphCount > 0).map((f) => f.familyName);
}

/** The bubbles on the page, in order, as [who, what]. */
async function bubbles(page: Page): Promise<[string, string][]> {
  return page.locator(".msg.in, .msg.out").evaluateAll((els) =>
    els.map((el) => [el.classList.contains("in") ? "in" : "out", (el.querySelector(".body") as unknown as { innerText: string }).innerText] as [string, string]),
  );
}

/** What the server holds for the page's session, as the page should show it. */
async function serverView(page: Page, base: string, L: Texts): Promise<[string, string][]> {
  const session = await page.evaluate("localStorage.getItem('safeline-session')");
  const { messages } = (await (await fetch(`${base}/try/api/messages?session=${session}`)).json()) as {
    messages: { direction: string; text: string | null; location?: typeof PLACE }[];
  };
  return messages.map((m) => [m.direction, m.location ? placeText(L, m.location) : m.text ?? ""]);
}

/**
 * Waits until the page has shown `n` more reads of the conversation: the page reads one
 * after another (every second, and after each send), so once read n + 1 has been asked for,
 * n have been shown.
 */
async function afterReads(page: Page, n: number) {
  for (let i = 0; i <= n; i++) await page.waitForRequest((request) => request.url().includes("/try/api/messages?"), WAIT);
}

async function botSays(page: Page, text: string, nth = 0) {
  await page.locator(".msg.out .body", { hasText: firstLine(text) }).nth(nth).waitFor(WAIT);
}

/** Nothing but people's words on screen: no ids, events, keys, placeholders or the session. */
async function expectOnlyWords(page: Page) {
  const screen = await page.locator("body").innerText();
  const session = String(await page.evaluate("localStorage.getItem('safeline-session')"));
  expect(screen).not.toContain(session);
  expect(screen).not.toMatch(/\[[a-z_.]+\]|handoff\.|delete\.|try\.|\{\{|\b[0-9a-f]{32}\b|undefined|null/);
}

/** The whole conversation in one picture: the page grown to its content, then back to a phone screen. */
async function wholeConversation(page: Page, name: string) {
  await page.evaluate("document.body.style.height = 'auto'; document.getElementById('log').style.overflow = 'visible'");
  await screenshot(page, SHOTS, name);
  await page.evaluate("document.body.style.height = ''; document.getElementById('log').style.overflow = ''");
}

async function expectPhoneFit(page: Page) {
  expect(await horizontalOverflow(page)).toBe(0);
}

describe("test chat in a browser, as a person on a phone", { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let app: App;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    ({ app, base } = await startApp(
      { DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent" },
      // Ten phones from one address: the limits themselves are tested in web-chat.test.ts.
      { logger: silentLog, delivery: { pollMs: 20 }, webChatLimits: LOOSE_WEB_CHAT_LIMITS },
    ));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await app?.stop();
    await db?.drop();
  });

  async function phone(lng: string, withPosition: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      locale: lng,
      ...(withPosition ? { geolocation: PLACE, permissions: ["geolocation"] } : {}),
    });
    contexts.push(context);
    return { context, page: await context.newPage() };
  }

  it("Korean: taps, a typed answer, the device's location, a second tab, /delete and clearing the page", async () => {
    const L = locale("ko");
    const { context, page } = await phone("ko-KR", true);
    const problems = watchPage(page);
    await page.goto(`${base}/try`);
    await botSays(page, L.language!.prompt!);
    await page.getByRole("button", { name: L.language!.ko, exact: true }).click();
    await botSays(page, L.safety!.prompt!);
    expect(await page.evaluate("document.documentElement.lang")).toBe("ko");
    await expect.poll(() => page.getByRole("button", { name: L.try!.send }).isVisible()).toBe(true);
    // A typed answer: the label typed counts as the tap.
    await page.getByRole("textbox", { name: L.try!.message }).fill(L.common!.yes!);
    await page.keyboard.press("Enter");
    await botSays(page, L.menu!.prompt!);
    await screenshot(page, SHOTS, "ko-1-menu");
    await expectPhoneFit(page);
    expect((await fontsOf(page, ".msg.out .body")).join(",")).toMatch(/CJK/);

    await page.getByRole("button", { name: L.menu!.danger, exact: true }).click();
    await botSays(page, L.emergency!.askNationality!);
    await page.getByRole("button", { name: L.emergency!.shareLocation, exact: true }).first().click();
    await botSays(page, L.emergency!.locationPrompt!);
    await page.locator(".choices button.location").click();
    await page.getByRole("button", { name: L.try!.useDevice }).click();
    await expect.poll(() => page.getByLabel(L.try!.latitude!).inputValue()).toBe(PLACE.latitude.toFixed(5));
    await screenshot(page, SHOTS, "ko-2-location");
    await expectPhoneFit(page);
    await page.getByRole("button", { name: L.try!.sendLocation, exact: true }).click();
    await botSays(page, L.emergency!.locationThanks!);
    await botSays(page, L.handoff!.created!);
    await page.locator(".msg.in .body", { hasText: placeText(L, PLACE) }).waitFor(WAIT);
    // A few reads overlap with what is already shown: still each message once, in the server's order.
    await afterReads(page, 2);
    const shown = await bubbles(page);
    expect(shown).toEqual(await serverView(page, base, L));
    expect(shown.filter(([who]) => who === "in").map(([, text]) => text)).toEqual([
      "/start",
      L.language!.ko,
      L.common!.yes,
      L.menu!.danger,
      L.emergency!.shareLocation,
      placeText(L, PLACE),
    ]);
    await expectOnlyWords(page);
    await wholeConversation(page, "ko-3-conversation");

    // A second tab on the same session shows the same conversation, once.
    const second = await context.newPage();
    const secondProblems = watchPage(second);
    await second.goto(`${base}/try`);
    await botSays(second, L.handoff!.created!);
    await afterReads(second, 2);
    expect(await bubbles(second)).toEqual(shown);
    // Closed before /delete: the erasure's end goes to the tab that reads it first (README, "The test chat").
    await second.close();
    expect(secondProblems).toEqual({ errors: [], csp: [], dialogs: [] });

    await page.getByRole("textbox", { name: L.try!.message }).fill("/delete");
    await page.keyboard.press("Enter");
    await botSays(page, L.delete!.confirm!);
    await page.getByRole("button", { name: L.delete!.yes, exact: true }).click();
    await botSays(page, L.delete!.done!);
    await botSays(page, L.stop!.deleteYourself!);
    await page.getByRole("button", { name: L.try!.clear }).waitFor(WAIT);
    const end = await bubbles(page);
    expect(end.slice(-5)).toEqual([
      ["in", "/delete"],
      ["out", L.delete!.confirm],
      ["in", L.delete!.yes],
      ["out", L.stop!.deleteYourself],
      ["out", L.delete!.done],
    ]);
    expect(new Set(end.map((b) => b.join("|"))).size).toBe(end.length);
    await expectOnlyWords(page);
    await wholeConversation(page, "ko-4-deleted");
    await expectPhoneFit(page);

    await page.getByRole("button", { name: L.try!.clear }).click();
    expect(await bubbles(page)).toEqual([]);
    await page.locator(".notice", { hasText: L.try!.cleared! }).waitFor(WAIT);
    // Writing again starts afresh, with nothing of the erased chat.
    await page.getByRole("textbox", { name: L.try!.message }).fill("/start");
    await page.keyboard.press("Enter");
    await botSays(page, L.language!.prompt!);
    await afterReads(page, 1);
    expect(await bubbles(page)).toEqual([
      ["in", "/start"],
      ["out", L.language!.prompt],
    ]);
    await screenshot(page, SHOTS, "ko-5-cleared");
    expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
  });

  it("Thai, by keyboard and on a slow network: Tab to a button, Enter, a place typed in numbers, fast typing, /delete", async () => {
    const L = locale("th");
    const { page } = await phone("th-TH", false);
    const problems = watchPage(page);
    // A slow network: every read takes longer than the page's polling interval.
    await page.route(/\/try\/api\/messages\?/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await route.continue();
    });
    await page.goto(`${base}/try`);
    await page.getByRole("button", { name: L.language!.th, exact: true }).waitFor(WAIT);
    // Tab from the top of the page reaches the language buttons; the focused one is visibly marked.
    let focused = "";
    for (let i = 0; i < 12 && focused !== L.language!.th; i++) {
      await page.keyboard.press("Tab");
      focused = String(await page.evaluate("document.activeElement?.textContent ?? ''"));
    }
    expect(focused).toBe(L.language!.th);
    expect(await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")).not.toBe("none");
    await page.keyboard.press("Enter");
    await botSays(page, L.safety!.prompt!);
    expect(await page.evaluate("document.documentElement.lang")).toBe("th");
    expect((await fontsOf(page, ".msg.out:last-child .body")).join(",")).toMatch(/Thai/);
    await page.getByRole("button", { name: L.common!.yes, exact: true }).last().click();
    await botSays(page, L.menu!.prompt!);
    await page.getByRole("button", { name: L.menu!.danger, exact: true }).click();
    await botSays(page, L.emergency!.askNationality!);
    await page.getByRole("button", { name: L.emergency!.shareLocation, exact: true }).first().click();
    await botSays(page, L.emergency!.locationPrompt!);
    // The page's own location control, numbers typed, sent with Enter.
    await page.getByRole("button", { name: L.try!.shareLocation, exact: true }).click();
    await page.getByLabel(L.try!.latitude!).fill("abc");
    await page.getByRole("button", { name: L.try!.sendLocation, exact: true }).click();
    await page.getByText(L.try!.locationInvalid!).waitFor(WAIT);
    await page.getByLabel(L.try!.latitude!).fill(String(PLACE.latitude));
    await page.getByLabel(L.try!.longitude!).fill(String(PLACE.longitude));
    await expect.poll(() => page.getByText(L.try!.locationInvalid!).isVisible()).toBe(false);
    await screenshot(page, SHOTS, "th-1-location");
    await expectPhoneFit(page);
    await page.keyboard.press("Enter");
    await botSays(page, L.emergency!.locationThanks!);
    await botSays(page, L.handoff!.created!);
    // Fast typing while staff have the conversation: each message once, in order, and one receipt.
    const input = page.getByRole("textbox", { name: L.try!.message });
    for (const word of ["หนึ่ง", "สอง", "สาม"]) {
      await input.fill(word);
      await page.keyboard.press("Enter");
    }
    await botSays(page, L.handoff!.received!);
    await afterReads(page, 2);
    const shown = await bubbles(page);
    expect(shown).toEqual(await serverView(page, base, L));
    expect(shown.filter(([who]) => who === "in").map(([, text]) => text)).toEqual([
      "/start",
      L.language!.th,
      L.common!.yes,
      L.menu!.danger,
      L.emergency!.shareLocation,
      placeText(L, PLACE),
      "หนึ่ง",
      "สอง",
      "สาม",
    ]);
    expect(shown.filter(([, text]) => text === L.handoff!.received)).toHaveLength(1);
    await expectOnlyWords(page);
    await wholeConversation(page, "th-2-conversation");

    await input.fill("/delete");
    await page.keyboard.press("Enter");
    await botSays(page, L.delete!.confirm!);
    await page.getByRole("button", { name: L.delete!.yes, exact: true }).click();
    await botSays(page, L.delete!.done!);
    await page.getByRole("button", { name: L.try!.clear }).waitFor(WAIT);
    const end = await bubbles(page);
    expect(new Set(end.map((b) => b.join("|"))).size).toBe(end.length);
    expect(end.at(-3)).toEqual(["in", L.delete!.yes]);
    await expectOnlyWords(page);
    await wholeConversation(page, "th-3-deleted");
    await expectPhoneFit(page);
    await page.getByRole("button", { name: L.try!.clear }).press("Enter");
    expect(await bubbles(page)).toEqual([]);
    await screenshot(page, SHOTS, "th-4-cleared");
    expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
  });

  it("English: a send that failed is tried again and kept once; /stop, then clearing, hides the chat for good on this browser", async () => {
    const L = locale("en");
    const { page } = await phone("en-US", false);
    const problems = watchPage(page);
    await page.goto(`${base}/try`);
    await page.getByRole("button", { name: L.language!.en, exact: true }).click();
    await botSays(page, L.safety!.prompt!);
    // The network drops the next send: the page says so and offers to try again.
    let dropped = 0;
    await page.route("**/try/api/messages", async (route) => {
      if (route.request().method() === "POST" && dropped++ === 0) return route.abort("failed");
      return route.continue();
    });
    await page.getByRole("button", { name: L.common!.yes, exact: true }).click();
    const retry = page.getByRole("button", { name: `${L.try!.notSent} ${L.try!.retry}` });
    await retry.click();
    await botSays(page, L.menu!.prompt!);
    await page.getByRole("textbox", { name: L.try!.message }).fill("/stop");
    await page.keyboard.press("Enter");
    await botSays(page, L.stop!.deleteYourself!);
    await afterReads(page, 1);
    expect(await bubbles(page)).toEqual(await serverView(page, base, L));
    expect((await bubbles(page)).filter(([, text]) => text === L.common!.yes)).toHaveLength(1);
    await page.getByRole("button", { name: L.try!.clear }).click();
    expect(await bubbles(page)).toEqual([]);
    await page.reload();
    await page.locator("html[lang=en]").waitFor({ state: "attached" });
    await afterReads(page, 1);
    expect(await bubbles(page)).toEqual([]);
    // The conversation itself goes on: writing again gets the bot's answer, and only that is shown.
    await page.getByRole("textbox", { name: L.try!.message }).fill("hello");
    await page.keyboard.press("Enter");
    await botSays(page, L.safety!.prompt!);
    expect((await bubbles(page))[0]).toEqual(["in", "hello"]);
    expect(problems.errors).toEqual([]);
    expect(problems.csp).toEqual([]);
  });

  it("speaks every language: lang attribute, the page's words, real glyphs, 360 px", async () => {
    const families: Record<string, RegExp> = { ko: /CJK/, ja: /CJK/, zh: /CJK/, th: /Thai/, km: /Khmer/ };
    // Eight phones at once: each mostly waits for the page's next read.
    const speaks = async (lng: string) => {
      const L = locale(lng);
      const { context, page } = await phone(lng, false);
      const problems = watchPage(page);
      await page.goto(`${base}/try`);
      await page.getByRole("button", { name: L.language![lng], exact: true }).click();
      await botSays(page, L.safety!.prompt!);
      await expect.poll(() => page.evaluate("document.documentElement.lang")).toBe(lng);
      await expect.poll(() => page.getByRole("button", { name: L.try!.send, exact: true }).isVisible()).toBe(true);
      expect(await page.getByRole("textbox").getAttribute("placeholder")).toBe(L.try!.placeholder);
      if (families[lng]) expect((await fontsOf(page, "h1")).join(",")).toMatch(families[lng]!);
      await expectPhoneFit(page);
      await screenshot(page, SHOTS, `lang-${lng}`);
      expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
      await context.close();
    };
    await Promise.all(["ko", "en", "zh", "vi", "th", "id", "km", "ja"].map(speaks));
  });
});
