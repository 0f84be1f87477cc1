// Logs carry internal ids and counts only: never message text, names or platform ids.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { StaffClient } from "./helpers/staff-client.ts";
import { capturedLog } from "./helpers/log-capture.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { createStaffAccount } from "../src/staff/accounts.ts";
import { TEST_HASH_COST } from "./helpers/staff-accounts.ts";

const TOKEN = "123456:ABC-def";
const SECRET = "privacy_secret";
const USER_ID = 987_654_321;
const NAME = "Sokha Chanthavong";
const SECRET_TEXT = "my passport number is M1234567";

describe("logs", () => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let lines: string[];

  beforeEach(async () => {
    db = await createTestDatabase("sqlite");
    fake = await FakeTelegramBotApi.start({ token: TOKEN });
    const log = capturedLog();
    lines = log.lines;
    const logger = log.logger;
    const config = loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      PUBLIC_URL: "https://example.test",
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: fake.url,
      WEB_CHAT: "on",
    });
    app = await createApp(config, { logger, delivery: { pollMs: 20, backoff: { baseMs: 20, maxMs: 50 } } });
  });
  afterEach(async () => {
    await app.stop();
    await fake.stop();
    await db.drop();
  });

  it("contain no message text, names or platform ids, also when things fail", async () => {
    const base = await app.start();
    const from = { id: USER_ID, is_bot: false, first_name: NAME, language_code: "en" };
    const chat = { id: USER_ID, type: "private", first_name: NAME };
    let update = 1;
    const post = (message: Record<string, unknown>) =>
      fetch(`${base}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
        body: JSON.stringify({ update_id: update++, message: { message_id: update, date: 1, chat, from, ...message } }),
      });
    fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    await post({ text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] });
    await post({ text: SECRET_TEXT });
    await post({ text: SECRET_TEXT }); // duplicate handling path is logged too
    await fetch(`${base}/try/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: "websession01", id: "webmsg0001", text: SECRET_TEXT }),
    });
    await fake.waitForMessages(USER_ID, 4, 8000);
    expect(lines.length).toBeGreaterThan(3);
    const all = lines.join("\n");
    for (const forbidden of [SECRET_TEXT, "M1234567", NAME, "Sokha", String(USER_ID), "websession01", TOKEN, SECRET]) {
      expect(all, forbidden).not.toContain(forbidden);
    }
  });

  it("contain no staff replies, notes, passwords or e-mails from the staff console", async () => {
    const base = await app.start();
    const password = "staff password 123";
    await createStaffAccount(app.store, { id: null, email: "test" }, { email: "officer@example.org", role: "agent", password }, TEST_HASH_COST);
    const person = new TelegramPerson(base, fake, USER_ID, SECRET);
    await person.toCriticalHandoff();
    const staff = new StaffClient(base);
    expect((await staff.login("officer@example.org", "wrong password 123")).status).toBe(401);
    expect((await staff.login("officer@example.org", password)).status).toBe(200);
    const { handoffs } = await staff.json<{ handoffs: { id: string }[] }>(staff.get("/handoffs"));
    await staff.json(staff.post(`/handoffs/${handoffs[0]!.id}/reply`, { text: SECRET_TEXT }), 202);
    await staff.json(staff.post(`/handoffs/${handoffs[0]!.id}/notes`, { text: `note ${SECRET_TEXT}` }), 201);
    await staff.json(staff.get(`/handoffs/${handoffs[0]!.id}/export`));
    await person.waitFor(1);
    expect(lines.some((l) => l.includes("staff action committed"))).toBe(true);
    const all = lines.join("\n");
    for (const forbidden of [SECRET_TEXT, "M1234567", password, "wrong password", "officer@example.org", String(USER_ID), TOKEN, SECRET]) {
      expect(all, forbidden).not.toContain(forbidden);
    }
  });
});
