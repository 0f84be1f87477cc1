// Security findings 4 and 6 on the webhooks and the server's own answers: refused webhook
// calls (bad Telegram secret, bad LINE signature) are counted in log lines limited per
// address, carrying no secret, body or address; errors and unknown paths answer with our
// own short codes, never the framework's codes or the URL.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { FakeLineApi, signLineBody } from "./fakes/line-api.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { capturedLog } from "./helpers/log-capture.ts";
import { BOT_TOKEN, telegramWebhookEnv, WEBHOOK_SECRET } from "./helpers/telegram-env.ts";
import { startApp } from "./helpers/test-app.ts";

const LINE_SECRET = "line-channel-secret";
const LINE_TOKEN = "line-access-token";

describe("webhook security", () => {
  let db: TestDatabase;
  let telegram: FakeTelegramBotApi;
  let line: FakeLineApi;
  let app: App;
  let base: string;
  let lines: string[];

  beforeEach(async () => {
    [db, telegram, line] = await Promise.all([createTestDatabase("sqlite"), FakeTelegramBotApi.start({ token: BOT_TOKEN }), new FakeLineApi(LINE_TOKEN).start()]);
    const log = capturedLog("info");
    lines = log.lines;
    const env = telegramWebhookEnv(db.url, telegram.url, { LINE_CHANNEL_SECRET: LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN, LINE_API_BASE_URL: line.url, TRUST_PROXY: "loopback" });
    ({ app, base } = await startApp(env, { logger: log.logger, delivery: { pollMs: 50 } }));
  });
  afterEach(async () => {
    await app.stop();
    await telegram.stop();
    await line.stop();
    await db.drop();
  });

  const telegramPost = (address: string, secret: string, body = '{"update_id":1}') =>
    fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret, "x-forwarded-for": address },
      body,
    });
  const linePost = (address: string, signature: string, body = '{"destination":"U1","events":[]}') =>
    fetch(`${base}/webhooks/line`, { method: "POST", headers: { "content-type": "application/json", "x-line-signature": signature, "x-forwarded-for": address }, body });
  const securityLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "security event");

  it("logs refused webhook calls as counted events, at most one line per kind and address a minute, without secrets or addresses", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await telegramPost("203.0.113.7", "guessed-secret-value");
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "invalid_secret" });
    }
    expect((await telegramPost("198.51.100.4", "")).status).toBe(401);
    for (let i = 0; i < 3; i++) expect(await (await linePost("203.0.113.7", "forged-signature")).json()).toEqual({ error: "invalid_signature" });
    // Accepted calls are no security events.
    expect((await telegramPost("203.0.113.7", WEBHOOK_SECRET, "{}")).status).toBe(400);
    const body = '{"destination":"U1","events":[]}';
    expect((await linePost("203.0.113.7", signLineBody(body, LINE_SECRET), body)).status).toBe(200);

    expect(securityLines().map((l) => [l.event, l.count])).toEqual([
      ["webhook.telegram.bad_secret", 1],
      ["webhook.telegram.bad_secret", 1],
      ["webhook.line.bad_signature", 1],
    ]);
    expect(lines.join("\n")).not.toMatch(/guessed-secret-value|forged-signature|203\.0\.113|198\.51\.100|update_id/);
  });

  it("answers errors and unknown paths with short codes of its own", async () => {
    const notFound = await fetch(`${base}/no-such-page/%3Cscript%3E?x=secret-looking`);
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toBe('{"error":"not_found"}');
    const badJson = await telegramPost("203.0.113.7", WEBHOOK_SECRET, "{nope");
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ error: "bad_request" });
    const wrongType = await fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "text/xml", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: "<x/>",
    });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toEqual({ error: "unsupported_media_type" });
    const tooLarge = await telegramPost("203.0.113.7", WEBHOOK_SECRET, JSON.stringify({ update_id: 1, pad: "x".repeat(300 * 1024) }));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ error: "too_large" });
    expect(await (await fetch(`${base}/staff/api/no-such-endpoint`)).json()).toEqual({ error: "not_found" });
  });
});
