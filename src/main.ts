// `npm start`: validate config, apply migrations, start SafeLine.
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, { logger: log });
  const address = await app.start();
  const base = address.replace("127.0.0.1", "localhost");

  const lines = [`SafeLine is running on ${base} (database: ${app.store.provider}).`];
  if (config.webChatEnabled) lines.push(`Test chat: ${base}/try`);
  lines.push(`Staff console: ${base}/staff (first account: npm run staff:add -- --email <e-mail> --role admin)`);
  lines.push(
    config.TELEGRAM_BOT_TOKEN
      ? `Telegram: on (${config.PUBLIC_URL ? "webhook" : "long polling"}).`
      : "Telegram: off. Set TELEGRAM_BOT_TOKEN to enable it (and PUBLIC_URL + TELEGRAM_WEBHOOK_SECRET for webhook mode).",
  );
  lines.push(
    config.LINE_CHANNEL_SECRET
      ? `LINE: on (webhook at ${config.PUBLIC_URL ?? "<your public https URL>"}/webhooks/line).`
      : "LINE: off. LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN will enable it.",
  );
  console.log(lines.join("\n"));

  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await app.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: Error) => {
  console.error(`SafeLine failed to start: ${error.message}`);
  process.exit(1);
});
