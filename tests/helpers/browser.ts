// A real browser for UI tests: Debian's Chromium (apt-get install chromium) driven by
// playwright-core (`npx playwright install` cannot download browsers here).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface PageProblems {
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Content-Security-Policy violations reported on the console. */
  csp: string[];
  /** Native dialogs (alert, confirm, prompt); each is dismissed. */
  dialogs: string[];
}

/** Records what must never happen on a page: script errors, CSP violations, native dialogs. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], csp: [], dialogs: [] };
  page.on("pageerror", (error) => problems.errors.push(error.message));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())) problems.csp.push(message.text());
  });
  page.on("dialog", (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  return problems;
}

/** How many CSS pixels the page is wider than the viewport (0 = no horizontal scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return Number(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
}

/** A full-page screenshot under `dir` (created when missing); returns the path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
