import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { runScript } from "./helpers/server-process.ts";

describe("config", () => {
  it("has working defaults for the embedded start", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ DATABASE_URL: "file:./data/safeline.db", PORT: 3000, HOST: "127.0.0.1", TELEGRAM_API_ROOT: "https://api.telegram.org" });
    expect(c.TRUST_PROXY).toEqual([]);
    expect(c).toMatchObject({ OUTBOX_LEASE_SECONDS: 10, OUTBOX_HEARTBEAT_TIMEOUT_SECONDS: 3 });
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8,2001:db8::1" }).TRUST_PROXY).toEqual(["loopback", "10.0.0.0/8", "2001:db8::1"]);
  });

  it("reads the staff alert settings: none by default, repeats every 15 min unless told", () => {
    expect(loadConfig({})).toMatchObject({ STAFF_ALERT_EMAILS: [], STAFF_ALERT_REPEAT_MINUTES: 15, STAFF_ALERT_EMAIL_FROM: "SafeLine <safeline@localhost>" });
    const c = loadConfig({
      TELEGRAM_BOT_TOKEN: "1:a",
      STAFF_ALERT_TELEGRAM_CHAT_ID: "-1001234567890",
      SMTP_URL: "smtps://user:secret@mail.example.org:465",
      STAFF_ALERT_EMAILS: " oncall@example.org,duty@example.org ",
      STAFF_ALERT_REPEAT_MINUTES: "off",
    });
    expect(c).toMatchObject({ STAFF_ALERT_TELEGRAM_CHAT_ID: "-1001234567890", STAFF_ALERT_EMAILS: ["oncall@example.org", "duty@example.org"], STAFF_ALERT_REPEAT_MINUTES: 0 });
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: "1:a", STAFF_ALERT_TELEGRAM_CHAT_ID: "@safeline_oncall" }).STAFF_ALERT_TELEGRAM_CHAT_ID).toBe("@safeline_oncall");
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ PORT: "http" }, "PORT"],
    [{ TELEGRAM_BOT_TOKEN: "not a token" }, "TELEGRAM_BOT_TOKEN"],
    [{ TELEGRAM_BOT_TOKEN: "1:a", PUBLIC_URL: "https://x.example" }, "TELEGRAM_WEBHOOK_SECRET"],
    [{ TELEGRAM_WEBHOOK_SECRET: "has spaces" }, "TELEGRAM_WEBHOOK_SECRET"],
    [{ PUBLIC_URL: "ftp://x" }, "PUBLIC_URL"],
    [{ LINE_CHANNEL_SECRET: "s" }, "LINE_CHANNEL_ACCESS_TOKEN"],
    [{ WEB_CHAT: "maybe" }, "WEB_CHAT"],
    [{ TRUST_PROXY: "10.0.0.0/8, proxy.example" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "10.0.0.0/33" }, "TRUST_PROXY"],
    [{ OUTBOX_HEARTBEAT_TIMEOUT_SECONDS: "0" }, "OUTBOX_HEARTBEAT_TIMEOUT_SECONDS"],
    [{ OUTBOX_HEARTBEAT_TIMEOUT_SECONDS: "20", OUTBOX_LEASE_SECONDS: "10" }, "OUTBOX_HEARTBEAT_TIMEOUT_SECONDS"],
    [{ STAFF_ALERT_TELEGRAM_CHAT_ID: "-100123" }, "STAFF_ALERT_TELEGRAM_CHAT_ID"],
    [{ TELEGRAM_BOT_TOKEN: "1:a", STAFF_ALERT_TELEGRAM_CHAT_ID: "staff room" }, "STAFF_ALERT_TELEGRAM_CHAT_ID"],
    [{ SMTP_URL: "smtp://mail.example.org" }, "STAFF_ALERT_EMAILS"],
    [{ STAFF_ALERT_EMAILS: "oncall@example.org" }, "SMTP_URL"],
    [{ SMTP_URL: "http://mail.example.org", STAFF_ALERT_EMAILS: "oncall@example.org" }, "SMTP_URL"],
    [{ SMTP_URL: "smtp://mail.example.org", STAFF_ALERT_EMAILS: "oncall@example.org, not-an-address" }, "STAFF_ALERT_EMAILS"],
    [{ STAFF_ALERT_REPEAT_MINUTES: "soon" }, "STAFF_ALERT_REPEAT_MINUTES"],
    [{ STAFF_ALERT_REPEAT_MINUTES: "-5" }, "STAFF_ALERT_REPEAT_MINUTES"],
  ])("rejects %o naming %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}:`));
  });

  // Security finding 6: a 1-character TELEGRAM_WEBHOOK_SECRET was accepted.
  it("requires a webhook secret of at least 24 characters in production and says how to make one", () => {
    const production = { NODE_ENV: "production", DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString("base64")}`, TELEGRAM_BOT_TOKEN: "1:a", PUBLIC_URL: "https://x.example" };
    for (const secret of ["a", "x".repeat(23)]) {
      expect(() => loadConfig({ ...production, TELEGRAM_WEBHOOK_SECRET: secret })).toThrow(/TELEGRAM_WEBHOOK_SECRET: .*at least 24 characters.*openssl rand -hex 32/);
    }
    expect(loadConfig({ ...production, TELEGRAM_WEBHOOK_SECRET: "x".repeat(24) }).TELEGRAM_WEBHOOK_SECRET).toHaveLength(24);
    // Outside production (tests, trying it out) a short one still works.
    expect(loadConfig({ TELEGRAM_WEBHOOK_SECRET: "a" }).TELEGRAM_WEBHOOK_SECRET).toBe("a");
  });

  it("stops the process with a message naming the variable", async () => {
    const run = runScript("src/main.ts", [], { PORT: "not-a-port" });
    const error = await run.then(() => null, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain("PORT:");
  });
});
