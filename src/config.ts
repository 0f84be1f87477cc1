// Configuration from the environment, validated once at start (see .env.example).
import { isIP } from "node:net";
import { z } from "zod";
import { parseStaffHours } from "./engine/staff-hours.ts";
import { FieldCipherError, parseKeys, type CipherKey } from "./store/field-cipher.ts";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A positive number (a whole one if `integer`), or `fallback` when unset. */
const positive = (fallback: number, integer = false) =>
  optional.transform((v) => (v === undefined ? fallback : Number(v))).pipe(integer ? z.number().int().positive() : z.number().positive().finite());

/** 1 to 3600 whole seconds, or `fallback` when unset. */
const wholeSeconds = (fallback: number) =>
  optional.transform((v) => (v === undefined ? fallback : Number(v))).pipe(z.number().int().min(1).max(3600));

/** A webhook secret anyone could try to guess must be long enough not to be guessed. */
const MIN_PRODUCTION_SECRET_LENGTH = 24;

/** Half a year after the last message: long enough for a consular case to be followed up. */
const DEFAULT_RETENTION_DAYS = 180;
const RETENTION_DAYS_RULE = 'a whole number of days up to 3650 (default 180), or 0 / "off" to keep conversations forever';

const isProxyAddress = (entry: string) => {
  const [address = "", bits, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return ["loopback", "linklocal", "uniquelocal"].includes(entry);
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};

const schema = z
  .object({
    DATABASE_URL: z
      .string()
      .default("file:./data/safeline.db")
      .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), "must start with file: (SQLite) or postgresql:// (PostgreSQL)"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    // The reverse proxies in front of SafeLine, so per-address limits see the client's address.
    TRUST_PROXY: optional
      .transform((v) => (v === undefined ? [] : v.split(",").map((a) => a.trim()).filter(Boolean)))
      .refine((list) => list.every(isProxyAddress), "comma-separated IP addresses, CIDR ranges, loopback, linklocal or uniquelocal"),
    PUBLIC_URL: optional.pipe(z.url({ protocol: /^https$/, error: "must be an https:// URL (Telegram only calls https webhooks)" }).optional()),
    TELEGRAM_BOT_TOKEN: optional.pipe(z.string().regex(/^\d+:[\w-]+$/, "looks like 123456:ABC-DEF…").optional()),
    TELEGRAM_WEBHOOK_SECRET: optional.pipe(
      z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "1–256 characters from A-Z a-z 0-9 _ -").optional(),
    ),
    TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
    LINE_CHANNEL_SECRET: optional,
    LINE_CHANNEL_ACCESS_TOKEN: optional,
    LINE_API_BASE_URL: z.url().default("https://api.line.me"),
    // LINE's data API (the content of photos and files people send).
    LINE_DATA_API_BASE_URL: z.url().default("https://api-data.line.me"),
    // Photos and files people send are fetched and kept as evidence up to this size; a larger
    // one is recorded as "too large" and not fetched. Telegram lets bots download up to 20 MB.
    EVIDENCE_MAX_BYTES: optional
      .transform((v) => (v === undefined ? 10 * 1024 * 1024 : Number(v)))
      .pipe(z.number({ error: "a whole number of bytes from 1024 to 20971520 (default 10485760, 10 MB)" }).int().min(1024).max(20 * 1024 * 1024)),
    // Rate limits (see .env.example): outbound to Telegram, inbound per person.
    TELEGRAM_SENDS_PER_SECOND: positive(30),
    TELEGRAM_CHAT_SENDS_PER_SECOND: positive(1),
    TELEGRAM_CHAT_BURST: positive(3, true),
    INBOUND_BURST: positive(20, true),
    INBOUND_PER_SECOND: positive(0.5),
    INBOUND_NOTICE_COOLDOWN_SECONDS: positive(60),
    // While staff have a conversation, at most one "received" note to the person per this many minutes.
    HANDOFF_RECEIPT_MINUTES: positive(10),
    // How often each process looks for chats whose auto-clear is due.
    AUTO_CLEAR_CHECK_SECONDS: wholeSeconds(15),
    STAFF_HOURS: optional.pipe(
      z.string().refine((v) => parseStaffHours(v) !== undefined, 'like "Mon-Fri 09:00-18:00 Asia/Seoul" (days, hours, IANA time zone)').optional(),
    ),
    WEB_CHAT: z.enum(["auto", "on", "off"]).default("auto"),
    NODE_ENV: optional,
    DATA_ENCRYPTION_KEYS: optional.pipe(
      z
        .string()
        .superRefine((v, ctx) => {
          try {
            parseKeys(v);
          } catch (error) {
            if (!(error instanceof FieldCipherError)) throw error;
            ctx.addIssue({ code: "custom", message: error.message });
          }
        })
        .optional(),
    ),
    // Days without activity after which a conversation is purged; 0 means never.
    RETENTION_DAYS: optional
      .pipe(z.string().regex(/^(off|\d{1,4})$/i, RETENTION_DAYS_RULE).optional())
      .transform((v) => (v === undefined ? DEFAULT_RETENTION_DAYS : /^off$/i.test(v) ? 0 : Number(v)))
      .pipe(z.number().max(3650, RETENTION_DAYS_RULE)),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // A claimed outbox message is reserved this long for the process sending it, which renews
    // the lease while the send lasts; only a claim that names no live process waits it out.
    OUTBOX_LEASE_SECONDS: wholeSeconds(10),
    // A delivering process whose heartbeat is older than this is taken for dead: its claims are
    // released for the other processes at once (on SQLite, a restart releases them at start).
    OUTBOX_HEARTBEAT_TIMEOUT_SECONDS: wholeSeconds(3),
    // Alerts to on-call staff about critical and high cases (see README "Alerts to on-call staff").
    STAFF_ALERT_TELEGRAM_CHAT_ID: optional.pipe(
      z.string().regex(/^(-?\d{1,20}|@[A-Za-z]\w{3,31})$/, "a Telegram chat id (e.g. -1001234567890) or @channelname").optional(),
    ),
    SMTP_URL: optional.pipe(z.url({ protocol: /^smtps?$/, error: "an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example.org:465" }).optional()),
    STAFF_ALERT_EMAILS: optional
      .transform((v) => (v === undefined ? [] : v.split(",").map((a) => a.trim()).filter(Boolean)))
      .refine((list) => list.length <= 50 && list.every((a) => z.email().safeParse(a).success), "comma-separated e-mail addresses (at most 50)"),
    STAFF_ALERT_EMAIL_FROM: z.string().trim().min(3).max(254).default("SafeLine <safeline@localhost>"),
    STAFF_ALERT_REPEAT_MINUTES: optional
      .transform((v) => (v === undefined ? 15 : /^off$/i.test(v) ? 0 : Number(v)))
      .pipe(z.number({ error: 'whole minutes up to 1440 (default 15), or 0 / "off" for no repeats' }).int().min(0).max(1440)),
    // On SIGTERM: the longest the server may take to finish requests and sends under way.
    SHUTDOWN_TIMEOUT_SECONDS: wholeSeconds(8),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_BOT_TOKEN && env.PUBLIC_URL && !env.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: "is required when PUBLIC_URL is set (Telegram webhook mode)",
      });
    }
    if (env.OUTBOX_HEARTBEAT_TIMEOUT_SECONDS > env.OUTBOX_LEASE_SECONDS) {
      ctx.addIssue({
        code: "custom",
        path: ["OUTBOX_HEARTBEAT_TIMEOUT_SECONDS"],
        message: "must not exceed OUTBOX_LEASE_SECONDS (a live process renews its claims with its heartbeat)",
      });
    }
    if (env.NODE_ENV === "production" && env.TELEGRAM_WEBHOOK_SECRET && env.TELEGRAM_WEBHOOK_SECRET.length < MIN_PRODUCTION_SECRET_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: `must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters when NODE_ENV=production, so it cannot be guessed (generate one: openssl rand -hex 32)`,
      });
    }
    if (env.NODE_ENV === "production" && !env.DATA_ENCRYPTION_KEYS) {
      ctx.addIssue({
        code: "custom",
        path: ["DATA_ENCRYPTION_KEYS"],
        message: 'is required when NODE_ENV=production: transcripts are encrypted at rest (generate one: echo "k1:$(openssl rand -base64 32)")',
      });
    }
    if (env.STAFF_ALERT_TELEGRAM_CHAT_ID && !env.TELEGRAM_BOT_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["STAFF_ALERT_TELEGRAM_CHAT_ID"], message: "needs TELEGRAM_BOT_TOKEN: the bot posts the alerts" });
    }
    if (Boolean(env.SMTP_URL) !== env.STAFF_ALERT_EMAILS.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: [env.SMTP_URL ? "STAFF_ALERT_EMAILS" : "SMTP_URL"],
        message: "e-mail alerts need both SMTP_URL and STAFF_ALERT_EMAILS",
      });
    }
    if (Boolean(env.LINE_CHANNEL_SECRET) !== Boolean(env.LINE_CHANNEL_ACCESS_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: [env.LINE_CHANNEL_SECRET ? "LINE_CHANNEL_ACCESS_TOKEN" : "LINE_CHANNEL_SECRET"],
        message: "LINE needs both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN",
      });
    }
  });

export type Config = z.output<typeof schema> & { webChatEnabled: boolean; dataKeys: CipherKey[] };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const anyRealChannel = Boolean(c.TELEGRAM_BOT_TOKEN || c.LINE_CHANNEL_SECRET);
  const webChatEnabled = c.WEB_CHAT === "on" || (c.WEB_CHAT === "auto" && !anyRealChannel);
  return { ...c, webChatEnabled, dataKeys: c.DATA_ENCRYPTION_KEYS ? parseKeys(c.DATA_ENCRYPTION_KEYS) : [] };
}
