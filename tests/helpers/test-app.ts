// SafeLine in the test's own process, started and listening on a free port (a test that needs
// the app before it listens calls createApp itself). The fakes (Bot API, LINE API) and the
// database are the caller's.
import { createApp, type App, type AppOptions } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { TEST_DELIVERY, telegramWebhookEnv } from "./telegram-env.ts";

export interface RunningApp {
  app: App;
  /** The server's base URL. */
  base: string;
}

/** The app on the configuration `env` (as the process environment), with TEST_DELIVERY unless `options.delivery` says otherwise. */
export async function startApp(env: Record<string, string>, options: AppOptions = {}): Promise<RunningApp> {
  const app = await createApp(loadConfig(env), { delivery: TEST_DELIVERY, ...options });
  try {
    return { app, base: await app.start() };
  } catch (error) {
    await app.stop().catch(() => {});
    throw error;
  }
}

/** Telegram in webhook mode against the fake Bot API at `apiRoot` (telegramWebhookEnv), on the database at `databaseUrl`. */
export function startTelegramApp(
  databaseUrl: string,
  apiRoot: string,
  { env = {}, options = {} }: { env?: Record<string, string>; options?: AppOptions } = {},
): Promise<RunningApp> {
  return startApp(telegramWebhookEnv(databaseUrl, apiRoot, env), options);
}
