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
import { count, query } from "./helpers/db-query.ts";
import type { SeenMessage } from "../src/store/person-view.ts";
import { readFileSync } from "node:fs";
import { TEST_HASH_COST } from "./helpers/staff-accounts.ts";
import { startApp } from "./helpers/test-app.ts";

const BOT_EN = JSON.parse(readFileSync("locales/en.json", "utf8")) as Record<string, Record<string, string>>;

/** A message as the page receives it: the person's view, with the page's own id for what it sent. */
type Seen = Omit<SeenMessage, "eventId"> & { clientId?: string };

describe.each(DB_KINDS)("web test chat on %s", (kind) => {
  let db: TestDatabase;
  let app: App;
  let base: string;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    ({ app, base } = await startApp({ DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent" }, { logger: silentLog, delivery: { pollMs: 20 } }));
  });
  afterEach(async () => {
    await app.stop();
    await db.drop();
  });

  const post = (body: unknown) =>
    fetch(`${base}/try/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  /** Waits until at least `count` messages are visible, then until the outbox has had two more passes to show extras (which would be a bug). */
  async function messages(session: string, count: number) {
    const read = async () => {
      const res = await fetch(`${base}/try/api/messages?session=${session}`);
      return ((await res.json()) as { messages: Seen[] }).messages;
    };
    const end = Date.now() + 5000;
    while ((await read()).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 30));
    await app.deliverer.afterPasses(2);
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
      ["in", "Yes"],
      ["out", "How can I help?"],
    ]);
    expect(list[5]!.choices!.map((c) => c.id)).toEqual(["danger", "me", "other", "job", "info", "person"]);
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
    await createStaffAccount(app.store, { id: null, email: "test" }, { email: "agent@example.org", role: "agent", password: "a long test password" }, TEST_HASH_COST);
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
  const read = async (session: string, after = 0) =>
    (await (await fetch(`${base}/try/api/messages?session=${session}&after=${after}`)).json()) as { language: string | null; next: number; messages: Seen[] };

  /** Reads until a message with `text` arrives (the outbox delivers in the background). */
  async function readUntil(session: string, text: string, after = 0) {
    const end = Date.now() + 5000;
    for (;;) {
      const answer = await read(session, after);
      if (answer.messages.some((m) => m.text === text) || Date.now() > end) return answer;
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  it("shows a tap as its label in the person's language, typed text as typed, and the page's own id to match its copy", async () => {
    const session = "session0005";
    await post({ session, id: "labels0001", text: "/start", language: "ko-KR" });
    await post({ session, id: "labels0002", choice: "ko" });
    // The page has read the question; the tap and the next question come in a later read.
    const first = await readUntil(session, "지금 안전하게 대화할 수 있나요?");
    await post({ session, id: "labels0003", choice: "yes" });
    await post({ session, id: "labels0004", text: "1" });
    const later = await messages(session, 9);
    expect(later.map((m) => [m.direction, m.text?.split("\n")[0]])).toEqual([
      ["in", "/start"],
      ["out", expect.any(String)],
      ["in", "한국어"],
      ["out", "지금 안전하게 대화할 수 있나요?"],
      ["in", "예"],
      ["out", expect.stringMatching(/무엇을 도와/)],
      ["in", "1"],
      ["out", expect.any(String)],
      ["out", expect.any(String)],
    ]);
    const tail = await read(session, first.next);
    expect(tail.messages[0]).toMatchObject({ direction: "in", kind: "choice", text: "예", clientId: "labels0003" });
    expect(later.filter((m) => m.direction === "in").map((m) => m.clientId)).toEqual(["labels0001", "labels0002", "labels0003", "labels0004"]);
    expect(tail.language).toBe("ko");
    // Only what the person saw: no message keys, tokens, internal ids or the session.
    const json = JSON.stringify(tail);
    expect(json).not.toMatch(/"key"|"payload"|forgetChat|eventId|session0005|"reply"/);
  });

  it("reads the same messages under the same ids however the reads overlap", async () => {
    const session = "session0006";
    await post({ session, id: "overlap001", text: "/start" });
    await post({ session, id: "overlap002", choice: "en" });
    await messages(session, 4);
    const reads = await Promise.all([read(session), read(session, 1), read(session, 2), read(session)]);
    const byId = new Map<number, string>();
    for (const answer of reads) for (const m of answer.messages) {
      expect(byId.get(m.id) ?? JSON.stringify(m)).toBe(JSON.stringify(m));
      byId.set(m.id, JSON.stringify(m));
    }
    expect([...byId.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(reads.map((r) => r.next)).toEqual([4, 4, 4, 4]);
  });

  it("takes a shared location as the same event as Telegram and LINE: the emergency location step", async () => {
    const session = "session0007";
    for (const [id, body] of [["place00001", { text: "/start" }], ["place00002", { choice: "en" }], ["place00003", { choice: "yes" }], ["place00004", { choice: "danger" }], ["place00005", { choice: "location" }]] as const) {
      await post({ session, id, ...body });
    }
    const asked = await readUntil(session, BOT_EN.emergency!.locationPrompt!);
    const prompt = asked.messages.find((m) => m.text === BOT_EN.emergency!.locationPrompt)!;
    expect(prompt.requestLocation).toEqual({ label: BOT_EN.emergency!.shareLocation });
    expect((await post({ session, id: "place00006", location: { latitude: 11.5564, longitude: 104.9282 } })).status).toBe(200);
    const after = await readUntil(session, BOT_EN.emergency!.locationThanks!, asked.next);
    expect(after.messages[0]).toMatchObject({ direction: "in", kind: "location", text: null, location: { latitude: 11.5564, longitude: 104.9282 }, clientId: "place00006" });
    // Stored as LINE and Telegram store it: a location message with its coordinates; the flow kept it for staff.
    const rows = await query<{ kind: string }>(db.url, `SELECT "kind" FROM "Message" WHERE "platformEventId" = ?`, [`${session}:place00006`]);
    expect(rows.map((r) => r.kind)).toEqual(["location"]);
    for (const m of after.messages) expect(m.text ?? "").not.toMatch(/handoff\.|\[|{{/);
    expect((await post({ session, id: "place00007", location: { latitude: 91, longitude: 0 } })).status).toBe(400);
  });

  it("/delete: the confirmation is shown, then the chat is forgotten; writing again starts afresh", async () => {
    const session = "session0008";
    for (const [id, body] of [["erase00001", { text: "/start" }], ["erase00002", { choice: "en" }], ["erase00003", { choice: "yes" }], ["erase00004", { text: "/delete" }]] as const) {
      await post({ session, id, ...body });
    }
    const asked = await readUntil(session, BOT_EN.delete!.confirm!);
    await post({ session, id: "erase00005", choice: "erase" });
    // Delivered (the outbox is done with it), but the page has not read it: the chat is still known.
    const chatOf = async () => (await query<{ chatId: string }>(db.url, `SELECT "chatId" FROM "Conversation" WHERE "status" = 'erased'`)).map((r) => r.chatId);
    const end = Date.now() + 5000;
    while ((await count(db.url, `SELECT COUNT(*) AS n FROM "Message" WHERE "direction" = 'out' AND "status" = 'pending'`)) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 30));
    await app.deliverer.afterPasses(2);
    expect(await chatOf()).toEqual([session]);
    const done = await read(session, asked.next);
    // The tap that confirmed it was erased with the rest: the page keeps its own copy of it.
    expect(done.messages.map((m) => [m.direction, m.text, m.end])).toEqual([
      ["out", BOT_EN.stop!.deleteYourself, "stopped"],
      ["out", BOT_EN.delete!.done, "erased"],
    ]);
    // Read once: now the chat id is forgotten, and nothing of the old chat is shown any more.
    expect(await chatOf()).toEqual(["erased"]);
    expect((await read(session)).messages).toEqual([]);
    await post({ session, id: "erase00006", text: "hello" });
    const again = await messages(session, 2);
    expect(again.map((m) => [m.id, m.direction, m.text])).toEqual([
      [1, "in", "hello"],
      [2, "out", BOT_EN.language!.prompt],
    ]);
  });

  it("/stop: the neutral reply and how to delete the chat, marked as the end for the page", async () => {
    const session = "session0009";
    await post({ session, id: "stop000001", text: "/start" });
    await post({ session, id: "stop000002", choice: "en" });
    await post({ session, id: "stop000003", text: "/stop" });
    const list = await messages(session, 7);
    expect(list.slice(5).map((m) => [m.direction, m.text, m.end])).toEqual([
      ["out", BOT_EN.stop!.deleteYourself, "stopped"],
      ["out", BOT_EN.stop!.done, "stopped"],
    ]);
  });

  it("serves the page's own words in every language", async () => {
    const { languages, texts } = (await (await fetch(`${base}/try/texts.json`)).json()) as { languages: string[]; texts: Record<string, Record<string, string>> };
    expect(languages.sort()).toEqual(["en", "id", "ja", "km", "ko", "th", "vi", "zh"]);
    for (const lng of languages) {
      expect(Object.keys(texts[lng]!).sort()).toEqual(Object.keys(texts.en!).sort());
      expect(texts[lng]!["try.send"]).toBeTruthy();
    }
    expect(texts.ko!["try.send"]).toBe("보내기");
  });
});

describe.each(DB_KINDS)("web test chat limits on %s", (kind) => {
  let db: TestDatabase;
  let app: App;
  let base: string;
  const slow = { burst: 1, perSecond: 0.001 };

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    ({ app, base } = await startApp(
      { DATABASE_URL: db.url, PORT: "0", LOG_LEVEL: "silent", TRUST_PROXY: "loopback" },
      {
        logger: silentLog,
        delivery: {},
        webChatLimits: {
          sessionsPerAddress: { ...slow, burst: 3 },
          messagesPerAddress: { ...slow, burst: 6 },
          sessionsOverall: { ...slow, burst: 5 },
          messagesOverall: { ...slow, burst: 100 },
        },
      },
    ));
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
