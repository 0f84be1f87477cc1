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

  // SIGTERM (process managers) or SIGINT (Ctrl-C): finish what is under way, then exit 0;
  // exit 1 if that takes longer than SHUTDOWN_TIMEOUT_SECONDS. A repeated signal changes nothing.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      log.error({ timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS }, "shutdown timed out: exiting with work unfinished");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    app.stop().then(
      () => {
        clearTimeout(deadline);
        log.info("stopped");
        process.exit(0);
      },
      (error: Error) => {
        log.error({ err: error.message }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: Error) => {
  console.error(`SafeLine failed to start: ${error.message}`);
  process.exit(1);
});
