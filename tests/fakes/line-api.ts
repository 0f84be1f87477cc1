// A fake LINE Messaging API: a real node:http server on 127.0.0.1 that speaks the wire
// format of api.line.me (point LINE_API_BASE_URL at `fake.url`). It enforces the limits
// SafeLine must respect (1–5 messages, text ≤ 5,000, ≤ 13 quick-reply items, labels ≤ 20,
// postback data ≤ 300), single-use reply tokens, and X-Line-Retry-Key semantics (a key
// already accepted answers 409 and sends nothing). Failures can be scripted per path.
// It also serves the data API (api-data.line.me, point LINE_DATA_API_BASE_URL at `fake.url`):
// GET /v2/bot/message/{messageId}/content answers the bytes of a photo, video, audio or file a
// person sent (added with addContent) with their Content-Type, or 404 when there are none.
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LineCall {
  path: string;
  body: any;
  retryKey?: string;
  status: number;
  at: number;
}

interface Scripted {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function signLineBody(body: string, channelSecret: string): string {
  return createHmac("sha256", channelSecret).update(body).digest("base64");
}

export class FakeLineApi {
  private readonly accessToken: string;
  readonly calls: LineCall[] = [];
  readonly profiles = new Map<string, { displayName: string; language?: string }>();
  private readonly replyTokens = new Map<string, { until: number; used: boolean }>();
  private readonly acceptedRetryKeys = new Set<string>();
  private readonly failures = new Map<string, Scripted[]>();
  private readonly contents = new Map<string, { content: Buffer; contentType: string }>();
  private server!: Server;
  url = "";

  constructor(accessToken: string) {
    this.accessToken = accessToken;
  }

  async start(): Promise<this> {
    // Idle connections kept a minute, as the platforms do (see the Telegram fake).
    this.server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A reply token LINE would put in a webhook event, valid for `validMs`. */
  issueReplyToken(validMs = 60_000): string {
    const token = randomUUID().replaceAll("-", "");
    this.replyTokens.set(token, { until: Date.now() + validMs, used: false });
    return token;
  }

  /** The content of a message a person sent (its webhook event's message.id). */
  addContent(messageId: string, content: Buffer, contentType: string): void {
    this.contents.set(messageId, { content, contentType });
  }

  failNext(path: string, failure: Scripted): void {
    const list = this.failures.get(path) ?? [];
    list.push(failure);
    this.failures.set(path, list);
  }

  callsTo(path: string): LineCall[] {
    return this.calls.filter((c) => c.path === path && c.status < 300);
  }

  /** Every text bubble that reached a user, by reply or push. */
  delivered(): { to: string; text: string; quickReply?: any; via: "reply" | "push" }[] {
    return this.calls
      .filter((c) => c.status < 300 && (c.path === "/v2/bot/message/reply" || c.path === "/v2/bot/message/push"))
      .flatMap((c) =>
        (c.body.messages as any[]).map((m) => ({
          to: c.body.to ?? `reply:${c.body.replyToken}`,
          text: m.text,
          quickReply: m.quickReply,
          via: c.path.endsWith("reply") ? ("reply" as const) : ("push" as const),
        })),
      );
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error("fake LINE API: condition not met in time");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "").split("?")[0]!;
    let body: any = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return this.answer(res, path, body, undefined, 400, { message: "The request body has 1 error(s)" });
    }
    const retryKey = req.headers["x-line-retry-key"] as string | undefined;
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) {
      return this.answer(res, path, body, retryKey, 401, { message: "Authentication failed" });
    }
    const scripted = this.failures.get(path)?.shift();
    if (scripted) return this.answer(res, path, body, retryKey, scripted.status, scripted.body, scripted.headers);

    if (path === "/v2/bot/message/reply" || path === "/v2/bot/message/push") {
      const invalid = this.validateMessages(body.messages);
      if (invalid) return this.answer(res, path, body, retryKey, 400, { message: invalid });
    }
    if (path === "/v2/bot/message/reply") {
      if (retryKey) return this.answer(res, path, body, retryKey, 400, { message: "X-Line-Retry-Key is not supported here" });
      const token = this.replyTokens.get(body.replyToken);
      if (!token || token.used || token.until < Date.now()) {
        return this.answer(res, path, body, retryKey, 400, { message: "Invalid reply token" });
      }
      token.used = true;
      return this.answer(res, path, body, retryKey, 200, { sentMessages: this.sent(body.messages) });
    }
    if (path === "/v2/bot/message/push") {
      if (retryKey && this.acceptedRetryKeys.has(retryKey)) {
        return this.answer(res, path, body, retryKey, 409, { message: "The retry key is already accepted" });
      }
      if (retryKey) this.acceptedRetryKeys.add(retryKey);
      return this.answer(res, path, body, retryKey, 200, { sentMessages: this.sent(body.messages) });
    }
    if (path === "/v2/bot/chat/loading/start") return this.answer(res, path, body, retryKey, 202, {});
    const content = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(path);
    if (content && req.method === "GET") {
      const found = this.contents.get(decodeURIComponent(content[1]!));
      if (!found) return this.answer(res, path, body, retryKey, 404, { message: "Not found" });
      this.calls.push({ path, body, status: 200, at: Date.now() });
      res.writeHead(200, { "content-type": found.contentType, "content-length": found.content.length, "x-line-request-id": randomUUID() });
      res.end(found.content);
      return;
    }
    const profile = /^\/v2\/bot\/profile\/([^/]+)$/.exec(path);
    if (profile) {
      const found = this.profiles.get(decodeURIComponent(profile[1]!));
      return found
        ? this.answer(res, path, body, retryKey, 200, { userId: profile[1], ...found })
        : this.answer(res, path, body, retryKey, 404, { message: "Not found" });
    }
    return this.answer(res, path, body, retryKey, 404, { message: "Not found" });
  }

  private sent(messages: unknown[]) {
    return messages.map(() => ({ id: String(Math.floor(Math.random() * 1e15)), quoteToken: randomUUID() }));
  }

  private validateMessages(messages: any): string | undefined {
    if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5) return "messages: must be 1-5 items";
    for (const m of messages) {
      if (m.type !== "text" || typeof m.text !== "string" || m.text.length === 0) return "messages[].text: required";
      if (m.text.length > 5000) return "messages[].text: must be at most 5000 characters";
      const items = m.quickReply?.items;
      if (items === undefined) continue;
      if (!Array.isArray(items) || items.length < 1 || items.length > 13) return "quickReply.items: must be 1-13 items";
      for (const item of items) {
        const action = item.action;
        if ([...(action?.label ?? "")].length > 20) return "quickReply.items[].action.label: at most 20 characters";
        if (action?.type === "postback" && (typeof action.data !== "string" || action.data.length > 300)) return "postback data: 1-300 characters";
      }
    }
    return undefined;
  }

  private answer(res: ServerResponse, path: string, body: unknown, retryKey: string | undefined, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    this.calls.push({ path, body, ...(retryKey ? { retryKey } : {}), status, at: Date.now() });
    res.writeHead(status, { "content-type": "application/json", "x-line-request-id": randomUUID(), ...headers });
    res.end(JSON.stringify(payload));
  }
}
