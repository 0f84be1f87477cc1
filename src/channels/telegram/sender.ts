// Delivers outbox rows with the Bot API, silently, within Telegram's rate limits (see
// send-rate-limiter.ts); maps Bot API failures to retry decisions.
import { GrammyError, HttpError } from "grammy";
import type { RenderedPayload } from "../../engine/render.ts";
import { DeliveryError } from "../../outbox/delivery-error.ts";
import type { ChannelSender } from "../../outbox/deliverer.ts";
import { SendRateLimiter } from "../../outbox/send-rate-limiter.ts";
import type { OutboxItem } from "../../store/store.ts";
import type { BotApiClient } from "./bot-api-client.ts";
import { toTelegramSends } from "./outbound.ts";

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof GrammyError) {
    const reason = `telegram ${error.error_code}: ${error.description}`;
    if (error.error_code === 429) return new DeliveryError(reason, true, (error.parameters.retry_after ?? 1) * 1000, true);
    return new DeliveryError(reason, error.error_code >= 500);
  }
  if (error instanceof HttpError) return new DeliveryError("telegram network error", true);
  return new DeliveryError((error as Error).message ?? "unknown error", true);
}

/** deleteMessages takes at most 100 ids per call. */
const DELETE_BATCH = 100;
/**
 * A Bot API call is given up after this long (grammY's own default is 500 s). The outbox
 * renews a claim while its send waits for an answer, so this need not fit inside the lease;
 * it bounds how long one chat can be held by a send that never answers.
 */
export const SEND_TIMEOUT_MS = 10_000;

export class TelegramSender implements ChannelSender {
  private readonly api: BotApiClient;
  private readonly limiter: SendRateLimiter;
  private readonly timeoutMs: number;

  constructor(api: BotApiClient, limiter = new SendRateLimiter(), timeoutMs = SEND_TIMEOUT_MS) {
    this.api = api;
    this.limiter = limiter;
    this.timeoutMs = timeoutMs;
  }

  readyIn(item: OutboxItem): number {
    return this.limiter.readyIn(item.chatId);
  }

  async send([item]: OutboxItem[]): Promise<string[][]> {
    if (!item) return [];
    if (item.kind === "delete") return [await this.deleteMessages(item)];
    const ids: string[] = [];
    try {
      for (const part of toTelegramSends(item.text, item.payload as RenderedPayload | null)) {
        await this.limiter.acquire(item.chatId);
        const sent = await this.api.sendMessage(
          item.chatId,
          part.text,
          { disable_notification: true, ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}), ...(part.entities ? { entities: part.entities } : {}) },
          this.deadline(),
        );
        ids.push(String(sent.message_id));
      }
    } catch (error) {
      throw this.failed(item.chatId, error);
    }
    return [ids];
  }

  /** Quick exit: removes what it can. Messages Telegram no longer lets us delete are skipped. */
  private async deleteMessages(item: OutboxItem): Promise<string[]> {
    const ids = ((item.payload as { messageIds?: string[] } | null)?.messageIds ?? []).map(Number).filter(Number.isSafeInteger);
    for (let i = 0; i < ids.length; i += DELETE_BATCH) {
      try {
        await this.limiter.acquire(item.chatId);
        await this.api.deleteMessages(item.chatId, ids.slice(i, i + DELETE_BATCH), this.deadline());
      } catch (error) {
        const e = this.failed(item.chatId, error);
        if (e.retryable) throw e;
      }
    }
    return [];
  }

  private deadline(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs);
  }

  /** A 429 holds the chat (or, when several chats get one, every chat) for Telegram's retry_after. */
  private failed(chatId: string, error: unknown): DeliveryError {
    const e = toDeliveryError(error);
    if (e.rateLimited && error instanceof GrammyError) this.limiter.rateLimited(chatId, e.retryAfterMs ?? 1000);
    return e;
  }
}
