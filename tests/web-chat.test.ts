// The /try test chat over real HTTP, answered by the engine, on both databases.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { launchBrowser, watchPage } from "./helpers/browser.ts";
import { silentLog } from "./helpers/engine-harness.ts";
import { createStaffAccount } from "../src/staff/accounts.ts";
import { StaffClient } from "./helpers/staff-client.ts";
import { count } from "./helpers/db-query.ts";

describe.each(DB_KINDS)("web test chat on %s", (kind) => {
  let db: TestDatabase;
  let app: App;
  let base: string;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    app = await createApp(loadConfig({ DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent" }), {
      logger: silentLog,
      delivery: { pollMs: 20 },
    });
    base = await app.start();
  });
  afterEach(async () => {
    await app.stop();
    await db.drop();
  });

  const post = (body: unknown) =>
    fetch(`${base}/try/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  /** Waits until at least `count` messages are visible, then lets extras (which would be a bug) arrive. */
  async function messages(session: string, count: number) {
    const read = async () => {
      const res = await fetch(`${base}/try/api/messages?session=${session}`);
      return ((await res.json()) as { messages: { direction: string; text: string; payload: any }[] }).messages;
    };
    const end = Date.now() + 5000;
    while ((await read()).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 30));
    await new Promise((r) => setTimeout(r, 200));
    return read();
  }

  it("serves the page and its script, and is ready", async () => {
    const page = await fetch(`${base}/try`);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain('<script src="/try/try.js">');
    expect((await fetch(`${base}/try/try.js`)).status).toBe(200);
    expect((await fetch(`${base}/try/try.css`)).headers.get("content-type")).toContain("text/css");
    // Its own script and stylesheet only, nothing inline, never framed; conversations never cached.
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/style-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const list = await fetch(`${base}/try/api/messages?session=session9999`);
    expect(list.headers.get("cache-control")).toBe("no-store");
    expect(list.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true });
  });

  it("answers through the engine: /start, a typed choice, a tapped choice", async () => {
    const session = "session0001";
    expect((await post({ session, id: "msg0000001", text: "/start" })).status).toBe(200);
    expect((await post({ session, id: "msg0000002", text: "English" })).status).toBe(200);
    expect((await post({ session, id: "msg0000003", choice: "yes" })).status).toBe(200);
    const list = await messages(session, 6);
    expect(list.map((m) => [m.direction, m.text])).toEqual([
      ["in", "/start"],
      ["out", "Hello. Which language would you like?"],
      ["in", "English"],
      ["out", "Is it safe for you to chat right now?"],
      ["in", null],
      ["out", "How can I help?"],
    ]);
    expect(list[5]!.payload.choices.map((c: { id: string }) => c.id)).toEqual(["danger", "me", "other", "job", "info", "person"]);
  });

  it("ignores a retried post with the same id", async () => {
    const session = "session0002";
    const first = (await (await post({ session, id: "samepost01", text: "/start" })).json()) as { duplicate: boolean };
    const again = (await (await post({ session, id: "samepost01", text: "/start" })).json()) as { duplicate: boolean };
    expect([first.duplicate, again.duplicate]).toEqual([false, true]);
    expect(await messages(session, 2)).toHaveLength(2);
  });

  it("rejects bad input with 400 and stores nothing", async () => {
    const session = "session0003";
    for (const body of [{}, { session, id: "x" }, { session, id: "badpost001" }, { session: "a b", id: "badpost002", text: "hi" }, { session, id: "badpost003", text: "x".repeat(4001) }]) {
      expect((await post(body)).status).toBe(400);
    }
    const malformed = await fetch(`${base}/try/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(malformed.status).toBe(400);
    expect((await fetch(`${base}/try/api/messages?session=bad`)).status).toBe(400);
    expect(await messages(session, 0)).toHaveLength(0);
  });
  // Security finding 1: 60 new sessions of 4,000 characters from one address were accepted in 1 s.
  it("refuses a flood of new sessions from one address with 429 and stores nothing for it", async () => {
    const text = "x".repeat(4000);
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post({ session: `flood${String(i).padStart(4, "0")}`, id: "floodmsg01", text })),
    );
    const accepted = statuses.filter((r) => r.status === 200).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(5);
    const refused = statuses.find((r) => r.status === 429)!;
    expect(await refused.json()).toEqual({ error: "rate_limited", retryAfterSeconds: expect.any(Number) });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Contact"`)).toBe(accepted);
  });

  // Security finding 2: the test chat showed an internal note, the assignee's e-mail and status events.
  it("shows the person only what was said to or by them, numbered per chat", async () => {
    const session = "session0004";
    await post({ session, id: "handoff001", text: "/start" });
    await post({ session, id: "handoff002", choice: "en" });
    await post({ session, id: "handoff003", choice: "yes" });
    await post({ session, id: "handoff004", choice: "person" });
    const before = await messages(session, 8);
    await createStaffAccount(app.store, { id: null, email: "test" }, { email: "agent@example.org", role: "agent", password: "a long test password" });
    const agent = new StaffClient(base);
    expect((await agent.login("agent@example.org", "a long test password")).status).toBe(200);
    const { handoffs } = await agent.json<{ handoffs: { id: string }[] }>(agent.get("/handoffs"));
    const id = handoffs[0]!.id;
    await agent.json(agent.post(`/handoffs/${id}/notes`, { text: "INTERNAL NOTE: caller may be trafficker" }), 201);
    await agent.json(agent.post(`/handoffs/${id}/assign`, { staffId: (await agent.json<{ account: { id: string } }>(agent.get("/me"))).account.id }));
    await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "Hello, I am here to help." }), 202);
    const after = await messages(session, before.length + 1);
    const shown = JSON.stringify(after);
    expect(shown).toContain("Hello, I am here to help.");
    expect(shown).not.toMatch(/INTERNAL NOTE|agent@example\.org|"kind":"handoff|in_progress/);
    expect(after.every((m) => m.direction === "in" || m.direction === "out")).toBe(true);
    // Ids count this chat's messages (1, 2, …), not the database's global sequence.
    expect(after.map((m) => (m as unknown as { id: number }).id)).toEqual(after.map((_, i) => i + 1));
    const res = await fetch(`${base}/try/api/messages?session=${session}&after=${before.length}`);
    expect(((await res.json()) as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual([after.at(-1)!.text]);
  });
});

describe.each(DB_KINDS)("web test chat limits on %s", (kind) => {
  let db: TestDatabase;
  let app: App;
  let base: string;
  const slow = { burst: 1, perSecond: 0.001 };

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    app = await createApp(loadConfig({ DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent", TRUST_PROXY: "loopback" }), {
      logger: silentLog,
      webChatLimits: {
        sessionsPerAddress: { ...slow, burst: 3 },
        messagesPerAddress: { ...slow, burst: 6 },
        sessionsOverall: { ...slow, burst: 5 },
        messagesOverall: { ...slow, burst: 100 },
      },
    });
    base = await app.start();
  });
  afterEach(async () => {
    await app.stop();
    await db.drop();
  });

  const postFrom = (address: string, session: string, id: string) =>
    fetch(`${base}/try/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ session, id, text: "/start" }),
    }).then((r) => r.status);

  it("limits new sessions and messages per client address, and new sessions over all addresses", async () => {
    const a = "203.0.113.1";
    expect([await postFrom(a, "sessionA1", "message01"), await postFrom(a, "sessionA2", "message01"), await postFrom(a, "sessionA3", "message01")]).toEqual([200, 200, 200]);
    expect(await postFrom(a, "sessionA4", "message01")).toBe(429);
    // A known session goes on until the address's messages run out (6: 3 already used).
    expect([await postFrom(a, "sessionA1", "message02"), await postFrom(a, "sessionA1", "message03"), await postFrom(a, "sessionA1", "message04")]).toEqual([200, 200, 200]);
    expect(await postFrom(a, "sessionA1", "message05")).toBe(429);
    // Another address has its own limit, until the cap over all addresses (5 new sessions) is reached.
    expect(await postFrom("198.51.100.2", "sessionB1", "message01")).toBe(200);
    expect(await postFrom("198.51.100.3", "sessionC1", "message01")).toBe(200);
    expect(await postFrom("198.51.100.4", "sessionD1", "message01")).toBe(429);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Contact"`)).toBe(5);
  });
});

describe("web test chat in Chromium", () => {
  let db: TestDatabase;
  let app: App;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    app = await createApp(loadConfig({ DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent" }), { logger: silentLog, delivery: { pollMs: 20 } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db?.drop();
  });

  it("works under its Content-Security-Policy: styled, greets, answers a tap, no violation", async () => {
    const base = await app.start();
    const page = await browser.newPage();
    const problems = watchPage(page);
    await page.goto(`${base}/try`);
    await page.getByText("Hello. Which language would you like?").waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "English" }).click();
    await page.getByText("Is it safe for you to chat right now?").waitFor({ timeout: 10_000 });
    // The stylesheet applied: the page background comes from try.css.
    expect(await page.evaluate("getComputedStyle(document.body).backgroundColor")).toBe("rgb(244, 245, 247)");
    expect(problems).toEqual({ errors: [], csp: [], dialogs: [] });
  });
});

describe("web test chat switch", () => {
  it("is off when a real channel is configured, unless enabled explicitly", () => {
    const telegram = { TELEGRAM_BOT_TOKEN: "123:abc" };
    expect(loadConfig({}).webChatEnabled).toBe(true);
    expect(loadConfig(telegram).webChatEnabled).toBe(false);
    expect(loadConfig({ ...telegram, WEB_CHAT: "on" }).webChatEnabled).toBe(true);
    expect(loadConfig({ WEB_CHAT: "off" }).webChatEnabled).toBe(false);
  });
});
