// The environment of SafeLine in Telegram webhook mode against a fake Bot API, for tests.
export const BOT_TOKEN = "123456:ABC-def";
export const WEBHOOK_SECRET = "test_Secret-0123456789";

/**
 * Telegram's outbound pacing (1 message/s per chat after a burst of 3) switched off: flows send
 * several messages a step, so it would only stretch every test. tests/rate-limits.test.ts tests it.
 */
export const UNPACED = { TELEGRAM_SENDS_PER_SECOND: "10000", TELEGRAM_CHAT_SENDS_PER_SECOND: "10000", TELEGRAM_CHAT_BURST: "100" };

/** Webhook mode, unpaced, on the database at `databaseUrl`, the Bot API at `apiRoot`; `extra` adds or overrides. */
export function telegramWebhookEnv(databaseUrl: string, apiRoot: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: "0",
    PUBLIC_URL: "https://example.test",
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_API_ROOT: apiRoot,
    WEB_CHAT: "off",
    LOG_LEVEL: "silent",
    ...UNPACED,
    ...extra,
  };
}

/** What an English-speaking person reads after typing something at the language question: "please tap", the choices numbered. */
export const PICK_ONE_LANGUAGE = ["Please tap one of the options, or type its number:", ...["한국어", "English", "中文", "Tiếng Việt", "ไทย", "Bahasa Indonesia", "ខ្មែរ", "日本語"].map((l, i) => `${i + 1}. ${l}`)].join("\n");

/** Outbox timing for in-process tests: polls often, short lease and backoff, so replies arrive within milliseconds. */
export const TEST_DELIVERY = { pollMs: 50, leaseMs: 5000, maxAttempts: 5, concurrency: 8, backoff: { baseMs: 50, maxMs: 500 } };
