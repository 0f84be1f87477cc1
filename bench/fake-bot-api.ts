// A lean fake Telegram Bot API for load: answers instantly with valid Bot API JSON and keeps
// counts only (sendMessage per chat_id, totals per method), never payloads, so its memory
// stays small over hundreds of thousands of calls.
// Methods: getMe, setWebhook, deleteWebhook, sendMessage, answerCallbackQuery,
// deleteMessage(s). Anything else answers 404 like the real server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const BOT = { id: 7_000_000_001, is_bot: true as const, first_name: "Bench", username: "safeline_bench_bot" };

const GET_ME = JSON.stringify({
  ok: true,
  result: {
    ...BOT,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  },
});
const TRUE = JSON.stringify({ ok: true, result: true });
const CHAT_ID = /"chat_id":"?(-?\d+)"?/;

export class FakeBotApi {
  url = "";
  /** Successful sendMessage calls per chat_id. */
  readonly sentPerChat = new Map<string, number>();
  sendMessages = 0;
  /** performance.now() of each chat's first sendMessage (time to first reply). */
  readonly firstSendAt = new Map<string, number>();
  readonly calls = new Map<string, number>();
  private nextMessageId = 1;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Forgets all counts (between phases that share the fake). */
  reset(): void {
    this.sentPerChat.clear();
    this.firstSendAt.clear();
    this.calls.clear();
    this.sendMessages = 0;
  }

  count(method: string): number {
    return this.calls.get(method.toLowerCase()) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = (req.url ?? "").split("?")[0]!.split("/").pop()!.toLowerCase();
      this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
      switch (method) {
        case "getme":
          return reply(res, 200, GET_ME);
        case "setwebhook":
        case "deletewebhook":
        case "answercallbackquery":
        case "deletemessage":
        case "deletemessages":
          return reply(res, 200, TRUE);
        case "sendmessage": {
          const body = Buffer.concat(chunks).toString("utf8");
          const chatId = CHAT_ID.exec(body)?.[1] ?? String((JSON.parse(body) as { chat_id?: unknown }).chat_id);
          this.sendMessages++;
          const before = this.sentPerChat.get(chatId);
          this.sentPerChat.set(chatId, (before ?? 0) + 1);
          if (before === undefined) this.firstSendAt.set(chatId, performance.now());
          const id = Number(chatId);
          return reply(
            res,
            200,
            `{"ok":true,"result":{"message_id":${this.nextMessageId++},"from":${JSON.stringify(BOT)},` +
              `"chat":{"id":${id},"type":"private","first_name":"Bench"},"date":${Math.floor(Date.now() / 1000)},"text":"…"}}`,
          );
        }
        default:
          return reply(res, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`);
      }
    });
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
