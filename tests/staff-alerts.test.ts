// Alerts to on-call staff over real HTTP and SMTP, on SQLite and PostgreSQL: a new critical or
// high case (a handoff or a report shared with consent) reaches the staff Telegram chat (fake
// Bot API) and a real local SMTP server once, with no personal data; a critical case left
// unassigned is alerted again; failed sends are retried, and alerts survive a restart.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { execute, query } from "./helpers/db-query.ts";
import { SmtpSink } from "./helpers/smtp-sink.ts";
import { addStaffAccounts, signedInClient } from "./helpers/staff-accounts.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { messageUpdate } from "./helpers/telegram-updates.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const STAFF_CHAT = "-1001234567890";

describe.each(DB_KINDS)("staff alerts on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let smtp: SmtpSink;
  let app: App | undefined;
  let base: string;
  let chatSeq = 0;

  const alertEnv = (extra: Record<string, string> = {}) => ({
    STAFF_ALERT_TELEGRAM_CHAT_ID: STAFF_CHAT,
    SMTP_URL: smtp.url,
    STAFF_ALERT_EMAILS: "oncall@example.org, duty@example.org",
    STAFF_ALERT_EMAIL_FROM: "SafeLine <alerts@example.org>",
    ...extra,
  });

  async function start(env: Record<string, string>) {
    ({ app, base } = await startTelegramApp(db.url, fake.url, { env, options: { alerts: { pollMs: 100, backoff: { baseMs: 100, maxMs: 300 } } } }));
  }

  const person = () => new TelegramPerson(base, fake, 9_990_000 + ++chatSeq);
  const staffAlerts = () => fake.sentMessages(STAFF_CHAT);
  const handoffOf = async (p: TelegramPerson) =>
    (await query<{ id: string }>(db.url, `SELECT h.id FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = ?`, [String(p.chatId)]))[0]!.id;

  beforeEach(async () => {
    [db, fake, smtp] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN }), SmtpSink.start()]);
  });

  afterEach(async () => {
    await app?.stop().catch(() => {});
    app = undefined;
    await Promise.all([fake.stop(), smtp.stop()]);
    await db.drop();
  });

  it("a critical handoff and a shared high-risk report alert the staff chat and e-mail once each, with no personal data; a medium case does not", async () => {
    await start(alertEnv());
    const critical = person();
    await critical.toCriticalHandoff();
    await critical.post(messageUpdate(critical.chatId, { text: "My name is Nguyen Thi Lan, building C7 in Sihanoukville" }));
    await critical.post(messageUpdate(critical.chatId, { location: { latitude: 10.6271, longitude: 103.5224 } }));
    const reporter = person();
    await reporter.toSelfReport("yes");
    const medium = person();
    await medium.toHandoff();

    await fake.waitForMessages(STAFF_CHAT, 2);
    await smtp.waitFor(2);
    await app!.alerts!.afterPasses(3); // several more passes of the alert job: still once per case
    expect(staffAlerts()).toHaveLength(2);
    expect(smtp.mails).toHaveLength(2);

    const criticalId = await handoffOf(critical);
    const reportId = await handoffOf(reporter);
    const telegramText = (id: string) => String(staffAlerts().find((m) => String(m.payload.text).includes(id))?.payload.text);
    const first = telegramText(criticalId);
    expect(first).toContain("New case: Critical");
    expect(first).toContain("Risk: Critical · Channel: Telegram · Language: English · Waiting: under 1 min");
    expect(first).toContain(`https://example.test/staff#/handoff/${criticalId}`);
    expect(first).toContain("새 사건: 긴급");
    expect(telegramText(reportId)).toContain("New case: High");
    // Meant to wake someone: not sent silently like messages to people.
    expect(staffAlerts()[0]!.payload.disable_notification).toBeUndefined();

    for (const mail of smtp.mails) {
      expect(mail.to).toEqual(["oncall@example.org", "duty@example.org"]);
      expect(mail.from).toBe("alerts@example.org");
      expect(mail.subject).toMatch(/^\[SafeLine\] 새 사건: (긴급|높음) \/ New case: (Critical|High)$/);
    }
    const mailFor = (id: string) => smtp.mails.find((m) => m.text.includes(id))!;
    expect(mailFor(criticalId).text).toContain("Risk: Critical · Channel: Telegram · Language: English");

    // Nothing the person wrote or shared, and no platform id, in any alert.
    const everything = [...staffAlerts().map((m) => String(m.payload.text)), ...smtp.mails.map((m) => m.raw), ...smtp.mails.map((m) => m.text)].join("\n");
    for (const secret of ["Nguyen", "Sihanoukville", "C7", "10.627", "103.522", String(critical.chatId), String(reporter.chatId), String(medium.chatId)]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(await handoffOf(medium));
    expect(await query(db.url, `SELECT "round", "target", "status" FROM "StaffAlert" ORDER BY "handoffId", "target"`)).toHaveLength(4);
  });

  it("repeats for a critical case still unassigned after STAFF_ALERT_REPEAT_MINUTES, and stops once someone takes it", async () => {
    await start(alertEnv({ STAFF_ALERT_REPEAT_MINUTES: "1" }));
    const p = person();
    await p.toCriticalHandoff();
    await fake.waitForMessages(STAFF_CHAT, 1);
    await smtp.waitFor(1);
    const id = await handoffOf(p);

    // A minute passes without anyone taking the case.
    const aMinuteAgo = new Date(Date.now() - 61_000).toISOString().replace("Z", "+00:00");
    await execute(db.url, `UPDATE "HandoffRequest" SET "createdAt" = ?`, [aMinuteAgo]);
    await execute(db.url, `UPDATE "StaffAlert" SET "createdAt" = ?`, [aMinuteAgo]);
    await fake.waitForMessages(STAFF_CHAT, 2);
    await smtp.waitFor(2);
    const repeat = String(staffAlerts()[1]!.payload.text);
    expect(repeat).toMatch(/^[^\n]*담당자 없음: 긴급/);
    expect(repeat).toContain("Still unassigned after 1 min: Critical");
    expect(repeat).toContain(`#/handoff/${id}`);
    expect(smtp.mails[1]!.subject).toContain("Still unassigned after 1 min: Critical");
    await app!.alerts!.afterPasses(2);
    expect(staffAlerts()).toHaveLength(2);

    // Someone takes it: no more repeats however long it then stays open.
    const { supervisor } = await addStaffAccounts(app!.store, ["supervisor"]);
    const officer = await signedInClient(base, "supervisor");
    await officer.json(officer.post(`/handoffs/${id}/assign`, { staffId: supervisor }));
    await execute(db.url, `UPDATE "StaffAlert" SET "createdAt" = ?`, [aMinuteAgo]);
    await app!.alerts!.afterPasses(2);
    expect(staffAlerts()).toHaveLength(2);
    expect(smtp.mails).toHaveLength(2);
  });

  it("retries an alert the mail server or Telegram refused for now, and sends alerts left behind by a stopped server once after a restart", async () => {
    smtp.failNext(2);
    fake.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 1, STAFF_CHAT);
    await start(alertEnv());
    const p = person();
    await p.toCriticalHandoff();
    await fake.waitForMessages(STAFF_CHAT, 1);
    await smtp.waitFor(1);
    const failedTries = fake.calls("sendMessage").filter((c) => String(c.payload.chat_id) === STAFF_CHAT && c.error);
    expect(failedTries).toHaveLength(1);
    await vi.waitFor(async () => {
      const rows = await query<{ target: string; status: string; attempts: number }>(db.url, `SELECT "target", "status", "attempts" FROM "StaffAlert" ORDER BY "target"`);
      expect(rows.map((r) => [r.target, r.status, Number(r.attempts)])).toEqual([["email", "sent", 3], ["telegram", "sent", 2]]);
    });

    // A case arrives while no alert is configured (as if the server died before alerting) ...
    await app!.stop();
    await start({});
    const q = person();
    await q.toCriticalHandoff();
    const missed = await handoffOf(q);
    // ... and a Telegram alert was left "sending" by a process that died mid-send.
    const expired = new Date(Date.now() - 1000).toISOString().replace("Z", "+00:00");
    await execute(db.url, `INSERT INTO "StaffAlert" ("handoffId", "round", "target", "status", "attempts", "nextAttemptAt", "createdAt") VALUES (?, 0, 'telegram', 'sending', 1, ?, ?)`, [missed, expired, expired]);
    await app!.stop();
    await start(alertEnv());
    await fake.waitForMessages(STAFF_CHAT, 2);
    await smtp.waitFor(2);
    await app!.alerts!.afterPasses(2);
    expect(staffAlerts().filter((m) => String(m.payload.text).includes(missed))).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.text.includes(missed))).toHaveLength(1);
  });
});
