// The evidence fetcher as the configuration asks for it: a fetcher for each platform that is
// turned on (Telegram, LINE); none when neither is (the test chat takes no files).
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { Channel } from "../store/types.ts";
import { EvidenceFetcher, type EvidenceFetcherOptions } from "./evidence-fetcher.ts";
import type { FileFetcher } from "./file-fetcher.ts";
import { LineContentFetcher } from "./line-content-fetcher.ts";
import { TelegramFileFetcher } from "./telegram-file-fetcher.ts";

const FETCH_TIMEOUT_MS = 60_000;

export function configuredEvidence(
  config: Config,
  store: Store,
  log: Logger,
  options: Partial<EvidenceFetcherOptions> = {},
  onSettled?: () => void,
): EvidenceFetcher | undefined {
  const fetchers: Partial<Record<Channel, FileFetcher>> = {};
  if (config.TELEGRAM_BOT_TOKEN) {
    fetchers.telegram = new TelegramFileFetcher({ apiRoot: config.TELEGRAM_API_ROOT, token: config.TELEGRAM_BOT_TOKEN, timeoutMs: FETCH_TIMEOUT_MS });
  }
  if (config.LINE_CHANNEL_SECRET && config.LINE_CHANNEL_ACCESS_TOKEN) {
    fetchers.line = new LineContentFetcher({ dataApiBaseUrl: config.LINE_DATA_API_BASE_URL, channelAccessToken: config.LINE_CHANNEL_ACCESS_TOKEN, timeoutMs: FETCH_TIMEOUT_MS });
  }
  if (Object.keys(fetchers).length === 0) return undefined;
  return new EvidenceFetcher(store.evidence, fetchers, log, { maxBytes: config.EVIDENCE_MAX_BYTES, ...options }, onSettled);
}
