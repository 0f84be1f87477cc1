// The Bot API calls of the delivery path (sendMessage, deleteMessages) over one keep-alive
// undici pool. grammY's own client (node-fetch) spends about twice the CPU per call, and
// under load sending is the largest share of the main thread's work (bench/README.md).
// Failures are grammY's error types, so they are read like any other Bot API call's.
import { GrammyError, HttpError } from "grammy";
import type { ApiError, InlineKeyboardMarkup, Message, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";
import { Pool } from "undici";

type ApiResponse<T> = { ok: true; result: T } | ApiError;

export interface SendMessageOptions {
  disable_notification?: boolean;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup;
  entities?: MessageEntity[];
}

export class BotApiClient {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(token: string, apiRoot: string) {
    const root = new URL(apiRoot);
    this.pool = new Pool(root.origin);
    this.basePath = `${root.pathname.replace(/\/$/, "")}/bot${token}/`;
  }

  sendMessage(chatId: string, text: string, options: SendMessageOptions, signal: AbortSignal): Promise<Message.TextMessage> {
    return this.call("sendMessage", { chat_id: chatId, text, ...options }, signal);
  }

  deleteMessages(chatId: string, messageIds: number[], signal: AbortSignal): Promise<true> {
    return this.call("deleteMessages", { chat_id: chatId, message_ids: messageIds }, signal);
  }

  private async call<T>(method: string, payload: Record<string, unknown>, signal: AbortSignal): Promise<T> {
    let answer: ApiResponse<T>;
    try {
      const response = await this.pool.request({
        path: this.basePath + method,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal,
      });
      answer = (await response.body.json()) as ApiResponse<T>;
      if (typeof answer !== "object" || answer === null) throw new Error("not a Bot API answer");
    } catch (error) {
      // No answer, or one that is not the Bot API's JSON (a proxy's error page): worth a retry.
      throw new HttpError(`Network request for '${method}' failed!`, error);
    }
    if (!answer.ok) throw new GrammyError(`Call to '${method}' failed!`, answer, method, payload);
    return answer.result;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
