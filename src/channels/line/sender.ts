// Delivers outbox rows with the Messaging API. A step's replies go out together with the
// event's reply token while it is valid (free, one call, at most 5 bubbles); otherwise, or
// when LINE refuses the token, each row is pushed with an X-Line-Retry-Key derived from the
// row id, so a retried push is sent at most once (LINE answers 409 to a repeat).
// LINE's rate limits are per channel (2,000 requests/s for reply and push, far above what
// SafeLine sends), so there is no pacing here, only a pause of every send when LINE answers
// 429 for its rate limit: for its Retry-After, or a backoff growing with each 429 in a row.
import { createHash } from "node:crypto";
import { HTTPFetchError, type messagingApi } from "@line/bot-sdk";
import type { RenderedPayload } from "../../engine/render.ts";
import { nextDelayMs } from "../../outbox/backoff.ts";
import { DeliveryError } from "../../outbox/delivery-error.ts";
import type { ChannelSender } from "../../outbox/deliverer.ts";
import { SendRateLimiter } from "../../outbox/send-rate-limiter.ts";
import type { OutboxItem } from "../../store/store.ts";
import { LINE_MESSAGES_PER_CALL, toLineMessages } from "./outbound.ts";

/** A UUID-shaped key that is the same every time the same chunk of the same row is pushed. */
export function retryKey(rowId: number, chunk: number): string {
  const hex = createHash("sha256").update(`safeline-line-push:${rowId}:${chunk}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function retryAfterMs(error: HTTPFetchError): number | undefined {
  const seconds = Number(error.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** LINE also answers 429 when the month's message quota is used up; pausing would not help, so that is retried like any failure. */
const isQuotaExhausted = (error: HTTPFetchError) => /monthly limit/i.test(String(error.body ?? ""));

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof HTTPFetchError) {
    const reason = `line ${error.status}`;
    const transient = error.status === 429 || error.status >= 500;
    const rateLimited = error.status === 429 && !isQuotaExhausted(error);
    return new DeliveryError(reason, transient, transient ? retryAfterMs(error) : undefined, rateLimited);
  }
  return new DeliveryError("line network error", true);
}

/** Pauses after LINE 429s that carry no Retry-After: 1 s, 2 s, 4 s… up to a minute. */
const RATE_LIMIT_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

const payloadOf = (item: OutboxItem) => item.payload as RenderedPayload | null;
const ids = (response: { sentMessages?: { id: string }[] }) => (response.sentMessages ?? []).map((m) => m.id);

export class LineSender implements ChannelSender {
  private readonly client: messagingApi.MessagingApiClient;
  readonly batchSize = LINE_MESSAGES_PER_CALL;
  private readonly limiter = new SendRateLimiter();
  /** LINE 429s in a row (for the pause when LINE gives no Retry-After). */
  private strikes = 0;

  constructor(client: messagingApi.MessagingApiClient) {
    this.client = client;
  }

  readyIn(item: OutboxItem): number {
    return this.limiter.readyIn(item.chatId);
  }

  async send(items: OutboxItem[]): Promise<string[][]> {
    try {
      const replied = await this.tryReply(items);
      const sent = replied ?? [await this.push(items[0]!)];
      this.strikes = 0;
      return sent;
    } catch (error) {
      const e = toDeliveryError(error);
      if (e.rateLimited && error instanceof HTTPFetchError) {
        this.limiter.pauseAll(e.retryAfterMs ?? nextDelayMs(++this.strikes, RATE_LIMIT_BACKOFF));
      }
      throw e;
    }
  }

  /** Replies with as many rows as fit in one call; undefined when the token cannot be used. */
  private async tryReply(items: OutboxItem[]): Promise<string[][] | undefined> {
    const reply = payloadOf(items[0]!)?.reply;
    if (!reply || Date.parse(reply.until) <= Date.now()) return undefined;
    const rows: { item: OutboxItem; messages: messagingApi.TextMessage[] }[] = [];
    let count = 0;
    for (const item of items) {
      if (payloadOf(item)?.reply?.token !== reply.token) break;
      const messages = toLineMessages(item.text, payloadOf(item));
      if (count + messages.length > LINE_MESSAGES_PER_CALL) break;
      rows.push({ item, messages });
      count += messages.length;
    }
    if (rows.length === 0) return undefined;
    try {
      await this.limiter.acquire(items[0]!.chatId);
      const response = await this.client.replyMessage({
        replyToken: reply.token,
        messages: rows.flatMap((r) => r.messages),
        notificationDisabled: true,
      });
      const sent = ids(response);
      let offset = 0;
      return rows.map((r) => {
        const part = sent.slice(offset, offset + r.messages.length);
        offset += r.messages.length;
        return part;
      });
    } catch (error) {
      // A used or expired token is refused with 400: push instead.
      if (error instanceof HTTPFetchError && error.status === 400) return undefined;
      throw error;
    }
  }

  private async push(item: OutboxItem): Promise<string[]> {
    const messages = toLineMessages(item.text, payloadOf(item));
    const sent: string[] = [];
    for (let chunk = 0; chunk * LINE_MESSAGES_PER_CALL < messages.length; chunk++) {
      const part = messages.slice(chunk * LINE_MESSAGES_PER_CALL, (chunk + 1) * LINE_MESSAGES_PER_CALL);
      try {
        await this.limiter.acquire(item.chatId);
        const response = await this.client.pushMessage({ to: item.chatId, messages: part, notificationDisabled: true }, retryKey(item.id, chunk));
        sent.push(...ids(response));
      } catch (error) {
        // 409: this exact push was accepted before (a retry after a lost response).
        if (error instanceof HTTPFetchError && error.status === 409) continue;
        throw error;
      }
    }
    return sent;
  }
}
