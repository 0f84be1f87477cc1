// Telegram's side of a webhook, for reliability tests: a person's flow events as Telegram
// updates, and delivery as Telegram does it — an update not answered 200 is posted again
// (after a refused connection, a reset, a timeout or an error status), and one chat's
// updates go one after another, in order.
import type { PersonEvent } from "../../flows/types.ts";
import { callbackUpdate, messageUpdate, textUpdate } from "./telegram-updates.ts";
import { WEBHOOK_SECRET } from "./telegram-env.ts";

export type TelegramUpdate = { update_id: number } & Record<string, unknown>;

/** The update a person's client sends for a flow event (a tap answers the bot's message 1). */
export function eventUpdate(chatId: number, event: PersonEvent, updateId: number): TelegramUpdate {
  switch (event.type) {
    case "COMMAND":
      return textUpdate(chatId, `/${event.command}`, updateId);
    case "TEXT":
      return textUpdate(chatId, event.text, updateId);
    case "CHOICE":
      return callbackUpdate(chatId, event.id, 1, updateId);
    case "LOCATION":
      return messageUpdate(chatId, { location: { latitude: event.latitude, longitude: event.longitude } }, updateId);
    case "UNSUPPORTED":
      return messageUpdate(chatId, { photo: [{ file_id: "photo", file_unique_id: "photo", width: 90, height: 90 }] }, updateId);
  }
}

/** One POST to `${base}/webhooks/telegram`; the status, or 0 when no answer came. */
export async function postUpdate(base: string, update: TelegramUpdate, secret = WEBHOOK_SECRET, timeoutMs = 20_000): Promise<number> {
  try {
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export interface RedeliveryOptions {
  secret?: string;
  /** Pause between attempts. */
  retryMs?: number;
  /** Give up (throw) when not acknowledged within this long. */
  giveUpMs?: number;
  /** Called after every attempt that was not acknowledged. */
  onRefused?: (status: number) => void;
  /** Stops re-sending (throws) once aborted: a test that failed ends its load at once. */
  signal?: AbortSignal;
}

/** Posts `update` until it is answered 200; returns the number of attempts. `base()` is read at every attempt. */
export async function deliverUntilAcknowledged(base: () => string, update: TelegramUpdate, options: RedeliveryOptions = {}): Promise<number> {
  const giveUpAt = Date.now() + (options.giveUpMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    const status = await postUpdate(base(), update, options.secret);
    if (status === 200) return attempt;
    options.onRefused?.(status);
    options.signal?.throwIfAborted();
    if (Date.now() > giveUpAt) throw new Error(`update ${update.update_id} not acknowledged after ${attempt} attempts (last status ${status})`);
    await new Promise((r) => setTimeout(r, options.retryMs ?? 100));
  }
}
