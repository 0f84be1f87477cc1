// A fake Telegram Bot API: a real node:http server on 127.0.0.1 speaking the Bot API wire
// format, so the app's grammY client talks to it exactly as it would to api.telegram.org
// (point TELEGRAM_API_ROOT at `fake.url`).
//
// Routes: POST|GET /bot<token>/<method> with a JSON, form-urlencoded or query-string payload.
// Answers `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`
// with the HTTP status equal to error_code, as the real server does.
//
// Implemented: getMe, setWebhook, deleteWebhook, getWebhookInfo, getUpdates (a queue the
// test pushes to; honours offset/limit and long-polls up to a small cap), sendMessage,
// answerCallbackQuery, deleteMessage, deleteMessages, getFile (for files the test added with
// addFile: a File object with file_size and file_path; "file is too big" over 20 MB), and the
// file download GET /file/bot<token>/<file_path> (recorded as method "file"; the body as
// application/octet-stream, as the real server serves it); the ids deleteMessage(s) deleted are kept
// per chat. Anything else: 404 "Not Found".
// Every call is recorded as { method, token, payload, at }; failures can be scripted per
// method (and chat) with failNext(), e.g. 429 with parameters.retry_after.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  /** Method name as the client spelled it (e.g. "sendMessage"). */
  method: string;
  token: string;
  payload: Record<string, unknown>;
  /** Date.now() when the request was received. */
  at: number;
  /** Which TCP connection carried it (numbered in order of first use): one connection, one client process. */
  connection: number;
  /** Set when the call was answered with a scripted or validation error (error_code 0: connection dropped). */
  error?: { error_code: number; description: string };
  /** The successful result, when there was one. */
  result?: unknown;
}

export interface ScriptedFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** Drop the connection without an answer (the client sees a network error). */
export type NetworkFailure = { network: true };

export interface FakeBotUser {
  id: number;
  first_name: string;
  username: string;
}

export interface FakeTelegramOptions {
  /** Only this token is accepted (others get 401 Unauthorized). Default: any well-formed token. */
  token?: string;
  bot?: Partial<FakeBotUser>;
  /** Longest a getUpdates call is held open, whatever `timeout` the client asks for. */
  maxLongPollMs?: number;
}

interface Waiter {
  offset: number;
  limit: number;
  respond: (updates: unknown[]) => void;
  timer: NodeJS.Timeout;
}

const TOKEN_RE = /^\d+:[\w-]+$/;
const NUMERIC_FIELDS = new Set(["offset", "limit", "timeout", "message_id", "cache_time", "max_connections", "chat_id"]);
const JSON_FIELDS = new Set(["reply_markup", "allowed_updates", "message_ids", "link_preview_options", "entities", "reply_parameters"]);
const BOOLEAN_FIELDS = new Set(["disable_notification", "protect_content", "drop_pending_updates", "show_alert"]);

/** Form and query-string values are strings; give the known fields their JSON types back. */
function coerce(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (JSON_FIELDS.has(key)) {
      try {
        out[key] = JSON.parse(value);
      } catch {
        out[key] = value;
      }
    } else if (BOOLEAN_FIELDS.has(key)) {
      out[key] = value === "true" || value === "1";
    } else if (NUMERIC_FIELDS.has(key) && /^-?\d+$/.test(value)) {
      out[key] = Number(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

class ApiError extends Error {
  readonly error_code: number;
  readonly description: string;
  readonly parameters?: ScriptedFailure["parameters"];

  constructor(error_code: number, description: string, parameters?: ScriptedFailure["parameters"]) {
    super(description);
    this.error_code = error_code;
    this.description = description;
    this.parameters = parameters;
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

export class FakeTelegramBotApi {
  private readonly options: FakeTelegramOptions;
  /** The apiRoot for grammY / TELEGRAM_API_ROOT, e.g. http://127.0.0.1:41234 */
  url = "";
  readonly bot: FakeBotUser;
  /** The webhook currently set (setWebhook payload), if any. */
  webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | undefined;

  private readonly server: Server;
  private readonly recorded: RecordedCall[] = [];
  private readonly connections = new WeakMap<object, number>();
  private connectionsSeen = 0;
  private readonly deleted = new Map<number, Set<number>>();
  private readonly failures = new Map<string, { failure: ScriptedFailure | NetworkFailure; chatId?: string }[]>();
  private readonly listeners = new Set<() => void>();
  private readonly holds = new Map<string, { held: Promise<void>; release: () => void }>();
  private readonly waiters = new Set<Waiter>();
  private updates: Record<string, unknown>[] = [];
  /** Files people "sent", by file_id: what getFile and the download serve. */
  private readonly files = new Map<string, { content: Buffer; fileUniqueId: string; filePath: string }>();
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private readonly maxLongPollMs: number;

  private constructor(options: FakeTelegramOptions) {
    this.options = options;
    this.bot = { id: 7_000_000_001, first_name: "SafeLine", username: "safeline_test_bot", ...options.bot };
    this.maxLongPollMs = options.maxLongPollMs ?? 1000;
    // Idle connections are kept a minute, as the platforms do: with Node's 5 s, a client that
    // reuses one just as the fake closes it (a restart on a loaded machine takes about that)
    // fails its request before the fake sees it.
    this.server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => void this.onRequest(req, res));
  }

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegramBotApi> {
    const fake = new FakeTelegramBotApi(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once("error", reject);
      fake.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}`;
    return fake;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.respond([]);
    }
    this.waiters.clear();
    for (const { release } of this.holds.values()) release();
    this.holds.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test helpers ----

  /** Recorded calls, optionally of one method (case-insensitive), oldest first. */
  calls(method?: string): RecordedCall[] {
    if (!method) return [...this.recorded];
    const m = method.toLowerCase();
    return this.recorded.filter((c) => c.method.toLowerCase() === m);
  }

  /** The message ids deleted in `chatId` (deleteMessage, deleteMessages), in the order asked. */
  deletedIds(chatId: number | string): number[] {
    return [...(this.deleted.get(Number(chatId)) ?? [])];
  }

  /** Successful sendMessage calls, optionally to one chat. */
  sentMessages(chatId?: number | string): RecordedCall[] {
    return this.calls("sendMessage").filter((c) => !c.error && (chatId === undefined || String(c.payload.chat_id) === String(chatId)));
  }

  /**
   * Resolves with the predicate's first truthy value, re-checked after every recorded call
   * (and every 25 ms); rejects after timeoutMs.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (error) {
          cleanup();
          reject(error as Error);
          return true;
        }
        if (value) {
          cleanup();
          resolve(value);
          return true;
        }
        return false;
      };
      const interval = setInterval(check, 25);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake Telegram: condition not met within ${timeoutMs} ms (${this.recorded.length} calls recorded)`));
      }, timeoutMs);
      const listener = () => void check();
      const cleanup = () => {
        clearInterval(interval);
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      if (check()) return;
      this.listeners.add(listener);
    });
  }

  /** When each successful sendMessage to the chat (or to any chat) arrived, oldest first. */
  sendTimes(chatId?: number | string): number[] {
    return this.sentMessages(chatId).map((c) => c.at);
  }

  /** Waits until `count` successful sendMessage calls reached the chat; returns them all. */
  waitForMessages(chatId: number | string, count: number, timeoutMs = 5000): Promise<RecordedCall[]> {
    return this.waitFor(() => {
      const sent = this.sentMessages(chatId);
      return sent.length >= count ? sent : undefined;
    }, timeoutMs);
  }

  /**
   * The next `times` calls of `method` (to `chatId`, when given) fail with this Bot API error
   * (e.g. 429 with parameters.retry_after, or 500), or with a dropped connection ({ network: true }).
   */
  failNext(method: string, failure: ScriptedFailure | NetworkFailure, times = 1, chatId?: number | string): void {
    const key = method.toLowerCase();
    const queue = this.failures.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push({ failure, ...(chatId !== undefined ? { chatId: String(chatId) } : {}) });
    this.failures.set(key, queue);
  }

  private takeFailure(method: string, payload: Record<string, unknown>): ScriptedFailure | NetworkFailure | undefined {
    const queue = this.failures.get(method.toLowerCase());
    const i = queue?.findIndex((f) => f.chatId === undefined || f.chatId === String(payload.chat_id)) ?? -1;
    return i === -1 ? undefined : queue!.splice(i, 1)[0]!.failure;
  }

  /**
   * Calls of `method` (to `chatId`, when given) are recorded as they arrive but answered only
   * once the returned function is called (a slow API; a send under way when a server shuts down).
   */
  hold(method: string, chatId?: number | string): () => void {
    const key = holdKey(method, chatId);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const entry = { held, release };
    this.holds.set(key, entry);
    return () => {
      if (this.holds.get(key) === entry) this.holds.delete(key);
      release();
    };
  }

  /**
   * A file as Telegram holds it after a person sent it; returns what a message carries of it
   * (a PhotoSize or Document's file_id, file_unique_id, file_size).
   */
  addFile(content: Buffer, folder: "photos" | "documents" | "videos" | "voice" = "photos", extension = ".jpg") {
    const n = this.files.size + 1;
    const fileId = `AgACAgIAAxkBAAI${n.toString().padStart(4, "0")}${Math.random().toString(36).slice(2, 12)}`;
    const fileUniqueId = `AQAD${n}${Math.random().toString(36).slice(2, 8)}`;
    this.files.set(fileId, { content, fileUniqueId, filePath: `${folder}/file_${n}${extension}` });
    return { file_id: fileId, file_unique_id: fileUniqueId, file_size: content.length };
  }

  /** Queues an update for getUpdates (long polling); assigns update_id when missing. */
  pushUpdate(update: Record<string, unknown>): number {
    const id = typeof update.update_id === "number" ? update.update_id : this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, id + 1);
    this.updates.push({ ...update, update_id: id });
    this.updates.sort((a, b) => (a.update_id as number) - (b.update_id as number));
    for (const w of [...this.waiters]) {
      const ready = this.pending(w.offset, w.limit);
      if (ready.length) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.respond(ready);
      }
    }
    return id;
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  get unconfirmedUpdates(): Record<string, unknown>[] {
    return [...this.updates];
  }

  // ---- HTTP ----

  private connectionOf(req: IncomingMessage): number {
    let id = this.connections.get(req.socket);
    if (id === undefined) this.connections.set(req.socket, (id = this.connectionsSeen++));
    return id;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download && req.method === "GET") return this.download(decodeURIComponent(download[1]!), decodeURIComponent(download[2]!), req, res);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    let payload: Record<string, unknown> = {};
    try {
      payload = { ...coerce(Object.fromEntries(url.searchParams)), ...(await readPayload(req)) };
    } catch {
      return send(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse request body" });
    }
    if (!match || (req.method !== "POST" && req.method !== "GET")) {
      return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    }
    const token = decodeURIComponent(match[1]!);
    const method = match[2]!;
    const call: RecordedCall = { method, token, payload, at: Date.now(), connection: this.connectionOf(req) };
    this.recorded.push(call);
    const hold = this.holds.get(holdKey(method, payload.chat_id)) ?? this.holds.get(holdKey(method));
    if (hold) {
      this.notify();
      await hold.held;
    }

    const scripted = this.takeFailure(method, payload);
    let status = 200;
    let body: unknown;
    if (scripted && "network" in scripted) {
      call.error = { error_code: 0, description: "connection dropped" };
      this.notify();
      req.socket.destroy();
      return;
    }
    try {
      if (!TOKEN_RE.test(token) || (this.options.token !== undefined && token !== this.options.token)) {
        throw new ApiError(401, "Unauthorized");
      }
      if (scripted) throw new ApiError(scripted.error_code, scripted.description, scripted.parameters);
      const result = await this.dispatch(method.toLowerCase(), payload, req, res);
      if (res.destroyed) return;
      call.result = result;
      body = { ok: true, result };
    } catch (thrown) {
      // A bug in this fake answers like a broken server rather than hanging the client.
      const error = thrown instanceof ApiError ? thrown : new ApiError(500, `Internal Server Error: ${(thrown as Error).message}`);
      status = error.error_code;
      call.error = { error_code: error.error_code, description: error.description };
      body = {
        ok: false,
        error_code: error.error_code,
        description: error.description,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      };
    }
    send(res, status, body);
    this.notify();
  }

  /** GET /file/bot<token>/<file_path>: the file's bytes, or the Bot API's JSON error. */
  private download(token: string, filePath: string, req: IncomingMessage, res: ServerResponse): void {
    const call: RecordedCall = { method: "file", token, payload: { file_path: filePath }, at: Date.now(), connection: this.connectionOf(req) };
    this.recorded.push(call);
    const fail = (error: ApiError) => {
      call.error = { error_code: error.error_code, description: error.description };
      send(res, error.error_code, { ok: false, error_code: error.error_code, description: error.description });
      this.notify();
    };
    const scripted = this.takeFailure("file", {});
    if (scripted && "network" in scripted) {
      call.error = { error_code: 0, description: "connection dropped" };
      this.notify();
      res.socket?.destroy();
      return;
    }
    if (!TOKEN_RE.test(token) || (this.options.token !== undefined && token !== this.options.token)) return fail(new ApiError(401, "Unauthorized"));
    if (scripted) return fail(new ApiError(scripted.error_code, scripted.description));
    const file = [...this.files.values()].find((f) => f.filePath === filePath);
    if (!file) return fail(new ApiError(404, "Not Found"));
    call.result = { bytes: file.content.length };
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.content.length });
    res.end(file.content);
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private async dispatch(method: string, p: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    switch (method) {
      case "getme":
        return {
          id: this.bot.id,
          is_bot: true,
          first_name: this.bot.first_name,
          username: this.bot.username,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
          has_topics_enabled: false,
          allows_users_to_create_topics: false,
          can_manage_bots: false,
          supports_join_request_queries: false,
        };
      case "setwebhook": {
        if (typeof p.url !== "string") throw badRequest("parameter \"url\" is required");
        if (p.url !== "" && !p.url.startsWith("https://")) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
        const secret = p.secret_token;
        if (secret !== undefined && (typeof secret !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
          throw badRequest("secret token contains unallowed characters");
        }
        this.webhook =
          p.url === ""
            ? undefined
            : {
                url: p.url,
                ...(typeof secret === "string" ? { secret_token: secret } : {}),
                ...(Array.isArray(p.allowed_updates) ? { allowed_updates: p.allowed_updates as string[] } : {}),
              };
        if (p.drop_pending_updates) this.updates = [];
        return true;
      }
      case "deletewebhook":
        this.webhook = undefined;
        if (p.drop_pending_updates) this.updates = [];
        return true;
      case "getwebhookinfo":
        return {
          url: this.webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: this.updates.length,
          ...(this.webhook?.allowed_updates ? { allowed_updates: this.webhook.allowed_updates } : {}),
        };
      case "getupdates":
        return this.getUpdates(p, req, res);
      case "sendmessage":
        return this.sendMessage(p);
      case "answercallbackquery":
        if (typeof p.callback_query_id !== "string" || p.callback_query_id === "") {
          throw badRequest("parameter \"callback_query_id\" is required");
        }
        return true;
      case "getfile": {
        if (typeof p.file_id !== "string" || p.file_id === "") throw badRequest("parameter \"file_id\" is required");
        const file = this.files.get(p.file_id);
        if (!file) throw badRequest("invalid file_id");
        if (file.content.length > 20 * 1024 * 1024) throw badRequest("file is too big");
        return { file_id: p.file_id, file_unique_id: file.fileUniqueId, file_size: file.content.length, file_path: file.filePath };
      }
      case "deletemessage": {
        const chat = requireChat(p);
        if (typeof p.message_id !== "number") throw badRequest("message identifier is not specified");
        this.markDeleted(chat, [p.message_id]);
        return true;
      }
      case "deletemessages": {
        const chat = requireChat(p);
        const ids = p.message_ids;
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) throw badRequest("message_ids must contain 1-100 items");
        this.markDeleted(chat, ids.filter((id): id is number => typeof id === "number"));
        return true;
      }
      default:
        throw new ApiError(404, "Not Found");
    }
  }

  private markDeleted(chat: number, ids: number[]): void {
    const set = this.deleted.get(chat) ?? new Set<number>();
    for (const id of ids) set.add(id);
    this.deleted.set(chat, set);
  }

  private pending(offset: number, limit: number): unknown[] {
    return this.updates.filter((u) => (u.update_id as number) >= offset).slice(0, limit);
  }

  private getUpdates(p: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<unknown[]> | unknown[] {
    if (this.webhook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = typeof p.offset === "number" ? p.offset : 0;
    const limit = Math.min(100, Math.max(1, typeof p.limit === "number" ? p.limit : 100));
    const timeoutMs = Math.min(this.maxLongPollMs, Math.max(0, typeof p.timeout === "number" ? p.timeout * 1000 : 0));
    // An offset confirms every update before it: they are never served again.
    if (offset > 0) this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    const ready = this.pending(offset, limit);
    if (ready.length || timeoutMs === 0) return ready;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        limit,
        respond: resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve([]);
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      // The client gave up (grammY aborts the pending call on bot.stop()).
      res.on("close", () => {
        if (!res.writableEnded && this.waiters.delete(waiter)) {
          clearTimeout(waiter.timer);
          resolve([]);
        }
      });
      void req;
    });
  }

  private sendMessage(p: Record<string, unknown>): unknown {
    const chatId = requireChat(p);
    if (typeof p.text !== "string" || p.text.trim() === "") throw badRequest("message text is empty");
    if (p.text.length > 4096) throw badRequest("message is too long");
    const markup = p.reply_markup as { inline_keyboard?: { text?: unknown; callback_data?: unknown }[][] } | undefined;
    for (const row of markup?.inline_keyboard ?? []) {
      for (const button of row) {
        if (typeof button.text !== "string" || button.text === "") throw badRequest("text buttons are unallowed in the inline keyboard");
        if (button.callback_data !== undefined) {
          const bytes = Buffer.byteLength(String(button.callback_data));
          if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
      }
    }
    const chat =
      chatId > 0
        ? { id: chatId, type: "private", first_name: "Test" }
        : { id: chatId, type: String(chatId).startsWith("-100") ? "supergroup" : "group", title: "Test group" };
    return {
      message_id: this.nextMessageId++,
      from: { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username },
      chat,
      date: Math.floor(Date.now() / 1000),
      text: p.text,
      ...(markup?.inline_keyboard ? { reply_markup: { inline_keyboard: markup.inline_keyboard } } : {}),
    };
  }
}

const holdKey = (method: string, chatId?: unknown) => (chatId === undefined ? method.toLowerCase() : `${method.toLowerCase()}:${String(chatId)}`);

function requireChat(p: Record<string, unknown>): number {
  const raw = p.chat_id;
  const id = typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id === 0) throw badRequest("chat not found");
  return id;
}

async function readPayload(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw.trim() === "") return {};
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    return coerce(Object.fromEntries(new URLSearchParams(raw)));
  }
  if (type.includes("multipart/form-data")) throw new Error("multipart is not supported by this fake");
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
