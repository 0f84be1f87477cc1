// Delivers outbox rows with the Messaging API. A step's replies go out together with the
// event's reply token while it is valid (free, one call, at most 5 bubbles); otherwise, or
// when LINE refuses the token, each row is pushed with an X-Line-Retry-Key derived from the
// row id, so a retried push is sent at most once (LINE answers 409 to a repeat).
import { createHash } from "node:crypto";
import { HTTPFetchError, type messagingApi } from "@line/bot-sdk";
import type { RenderedPayload } from "../../engine/render.ts";
import { DeliveryError } from "../../outbox/delivery-error.ts";
import type { ChannelSender } from "../../outbox/deliverer.ts";
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

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof HTTPFetchError) {
    const reason = `line ${error.status}`;
    const transient = error.status === 429 || error.status >= 500;
    return new DeliveryError(reason, transient, transient ? retryAfterMs(error) : undefined);
  }
  return new DeliveryError("line network error", true);
}

const payloadOf = (item: OutboxItem) => item.payload as RenderedPayload | null;
const ids = (response: { sentMessages?: { id: string }[] }) => (response.sentMessages ?? []).map((m) => m.id);

export class LineSender implements ChannelSender {
  readonly batchSize = LINE_MESSAGES_PER_CALL;

  constructor(private readonly client: messagingApi.MessagingApiClient) {}

  async send(items: OutboxItem[]): Promise<string[][]> {
    const replied = await this.tryReply(items);
    return replied ?? [await this.push(items[0]!)];
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
      throw toDeliveryError(error);
    }
  }

  private async push(item: OutboxItem): Promise<string[]> {
    const messages = toLineMessages(item.text, payloadOf(item));
    const sent: string[] = [];
    for (let chunk = 0; chunk * LINE_MESSAGES_PER_CALL < messages.length; chunk++) {
      const part = messages.slice(chunk * LINE_MESSAGES_PER_CALL, (chunk + 1) * LINE_MESSAGES_PER_CALL);
      try {
        const response = await this.client.pushMessage({ to: item.chatId, messages: part, notificationDisabled: true }, retryKey(item.id, chunk));
        sent.push(...ids(response));
      } catch (error) {
        // 409: this exact push was accepted before (a retry after a lost response).
        if (error instanceof HTTPFetchError && error.status === 409) continue;
        throw toDeliveryError(error);
      }
    }
    return sent;
  }
}
