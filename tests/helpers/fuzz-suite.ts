// Property-based fuzzing (fast-check) of every door the server opens to the outside, over
// real HTTP against the running app on a real database: the Telegram webhook, the LINE
// webhook, the web test chat and the staff console's JSON API (signed in, with the CSRF
// token). Bodies are random text, random JSON, structurally plausible payloads with wrong
// types, missing fields, huge numbers and odd Unicode (RTL and bidi controls, zero-width
// joiners, emoji, combining marks, lone surrogates, NUL), and payloads above the body limit.
// Properties: never a 5xx, no unhandled rejection, the server still answers /readyz, nothing
// stored for a rejected (4xx) request, and accepted text is stored and shown back exactly
// (NUL and lone surrogates, which no database column can hold as they are, become U+FFFD).
//
// FUZZ_SEED=<n> reproduces a run (the seed is printed; fast-check also prints the failing
// path); FUZZ_SCALE=<x> multiplies the number of cases.
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { App } from "../../src/app.ts";
import { LOOSE_WEB_CHAT_LIMITS } from "./web-chat-limits.ts";
import { BODY_LIMIT_BYTES } from "../../src/http/server.ts";
import { createStaffAccount } from "../../src/staff/accounts.ts";
import { FakeLineApi, signLineBody } from "../fakes/line-api.ts";
import { FakeTelegramBotApi } from "../fakes/telegram-bot-api.ts";
import { createTestDatabase, type DbKind, type TestDatabase } from "./databases.ts";
import { query } from "./db-query.ts";
import { silentLog } from "./engine-harness.ts";
import { StaffClient } from "./staff-client.ts";
import { BOT_TOKEN, WEBHOOK_SECRET } from "./telegram-env.ts";
import { TelegramPerson } from "./telegram-person.ts";
import { TEST_HASH_COST } from "./staff-accounts.ts";
import { startTelegramApp } from "./test-app.ts";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const LINE_SECRET = "line-channel-secret";
const LINE_TOKEN = "line-access-token";
const PASSWORD = "a long fuzz password";
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

// ---- what odd input looks like ----

/** Pieces that break naive text handling; joined with random graphemes and code points. */
const ODD_PIECES = [
  "\u200F", "\u200E", "\u202E", "\u202D", "\u2066", "\u2069", "\u061C", // bidi marks and overrides
  "\u200D", "\u200C", "\u200B", "\u2060", "\uFEFF", // zero-width (joiner, non-joiner, space, word joiner, BOM)
  "👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇰🇭", "🫠", // emoji sequences, modifiers, flags
  "e\u0301", "a\u0300\u0316\u0317\u0318", "Z\u0351\u0352\u0353\u0354\u0355", "ក្ស", "กำ", "한국어", "中文", "Tiếng Việt", // combining marks, scripts
  "مرحبا", "שלום", // right-to-left scripts
  "\u0000", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "x\uD83D", // NUL, lone surrogates, a valid pair, a cut pair
  "\u2028", "\u2029", "\u0085", "\t", "\r\n", "\u001B[31m", "\u0007", // separators, controls
  "{{text}}", "$t(help.text)", "<script>alert(1)</script>", "'; DROP TABLE \"Message\";--", "%00", "\\u0000", "/start", " ",
];

const oddText = fc
  .array(fc.oneof(fc.constantFrom(...ODD_PIECES), fc.string({ unit: "grapheme", maxLength: 6 }), fc.string({ unit: "binary", maxLength: 6 })), {
    minLength: 1,
    maxLength: 14,
  })
  .map((parts) => parts.join(""));

/** What a text becomes when stored: NUL and lone surrogates are replaced by U+FFFD. */
const storedForm = (text: string) => text.replace(/\0|\p{Cs}/gu, "\uFFFD");
const isWellFormed = (text: string) => !/\0|\p{Cs}/u.test(text);

/** Numbers as a query string carries them: around the 32-bit and safe-integer limits, negative, not quite numbers. */
const numberText = fc.oneof(
  fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.constantFrom("0", "-1", "201", "2147483647", "2147483648", "4294967296", "9007199254740991", "9007199254740993", "1e400", "1.5", "0x10", " 7", "NaN"),
);

/** Values of the wrong type, out of range, or shaped oddly. */
const wrong = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, "", "0", "NaN", [], {}, [null], { "": "" }),
  fc.jsonValue({ maxDepth: 2 }),
  oddText,
);

/** Mostly the right thing; sometimes something wrong, sometimes missing (undefined is left out of JSON). */
function maybe<T>(right: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 6, arbitrary: right }, { weight: 1, arbitrary: wrong }, { weight: 1, arbitrary: fc.constant(undefined) });
}

/** Raw bodies that are not what any endpoint expects: broken JSON, huge numbers, prototype keys, deep nesting. */
const rawBody = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    "",
    "{",
    "{not json",
    "null",
    "[]",
    '"text"',
    "1e400",
    '{"update_id": 123456789012345678901234567890}',
    '{"update_id": 1e400, "message": {}}',
    '{"update_id": -0}',
    '{"__proto__": {"admin": true}, "update_id": 1}',
    '{"constructor": {"prototype": {"x": 1}}}',
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    `{"a":${"[".repeat(3000)}{"__proto__":1}${"]".repeat(3000)}}`,
    '{"events": "\\ud800"}',
    '{"text": "\\u0000"}',
    "\uFEFF{}",
  ),
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  undefined,
);

// ---- Telegram updates ----

const safeId = fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, -(2 ** 52), -1_001_234_567_890));
const tgUser = fc.record({ id: maybe(safeId), is_bot: maybe(fc.boolean()), first_name: maybe(oddText), language_code: maybe(fc.constantFrom("en", "ko", "th", "km", "xx", "", "en-US", "ko\u0000")) });
const tgChat = fc.record({ id: maybe(safeId), type: maybe(fc.constantFrom("private", "group", "supergroup", "channel", "secret")), first_name: maybe(oddText), title: maybe(oddText) });
const tgMessage = fc.record(
  {
    message_id: maybe(fc.nat()),
    date: maybe(fc.nat()),
    chat: maybe(tgChat),
    from: maybe(tgUser),
    text: maybe(oddText),
    location: maybe(fc.record({ latitude: maybe(fc.double()), longitude: maybe(fc.double()) })),
    photo: maybe(fc.constant([{ file_id: "f", file_unique_id: "u", width: 1, height: 1 }])),
    sticker: maybe(fc.constant({ file_id: "s" })),
    entities: maybe(fc.array(fc.record({ type: maybe(fc.constantFrom("bot_command", "bold")), offset: maybe(fc.integer()), length: maybe(fc.integer()) }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const tgCallback = fc.record(
  { id: maybe(fc.string()), from: maybe(tgUser), chat_instance: maybe(fc.string()), data: maybe(oddText), message: maybe(tgMessage) },
  { requiredKeys: [] },
);
const tgMember = fc.record(
  {
    chat: maybe(tgChat),
    from: maybe(tgUser),
    date: maybe(fc.nat()),
    old_chat_member: maybe(fc.record({ status: maybe(fc.constantFrom("left", "member")), user: maybe(tgUser) })),
    new_chat_member: maybe(fc.record({ status: maybe(fc.constantFrom("member", "administrator", "left", "kicked")), user: maybe(tgUser) })),
  },
  { requiredKeys: [] },
);
const updateId = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) }, { weight: 1, arbitrary: wrong });
const plausibleUpdate = fc.record(
  { update_id: updateId, message: maybe(tgMessage), edited_message: maybe(tgMessage), callback_query: maybe(tgCallback), my_chat_member: maybe(tgMember), channel_post: maybe(tgMessage) },
  { requiredKeys: ["update_id"] },
);

let sequence = 0;
const next = () => ++sequence;

/** A well-formed private text message (its text is checked to be stored exactly). */
const privateTextUpdate = (text: string, chatId: number, language?: string) => ({
  update_id: 500_000_000 + next(),
  message: {
    message_id: next(),
    date: 1_760_000_000,
    chat: { id: chatId, type: "private", first_name: "F" },
    from: { id: chatId, is_bot: false, first_name: "F", ...(language ? { language_code: language } : {}) },
    text,
  },
});
const privateText = fc
  .record({ text: oddText, chatId: fc.integer({ min: 1, max: 2 ** 40 }), language: fc.constantFrom("en", "ko", "th", undefined) })
  .map(({ text, chatId, language }) => privateTextUpdate(text, chatId, language));

// ---- LINE webhook bodies ----

const lineId = fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^U[0-9a-f]{32}$/) }, { weight: 1, arbitrary: fc.constantFrom("U1", "", "U\u0000x", "U".repeat(200)) }, { weight: 1, arbitrary: oddText });
const lineEventId = fc.oneof({ weight: 6, arbitrary: fc.constant(null).map(() => `01FUZZ${String(next()).padStart(20, "0")}`) }, { weight: 1, arbitrary: oddText });
const lineSource = fc.oneof(
  fc.record({ type: maybe(fc.constant("user")), userId: maybe(lineId) }),
  fc.record({ type: maybe(fc.constantFrom("group", "room")), groupId: maybe(lineId), userId: maybe(lineId) }),
);
const lineMessage = fc.oneof(
  fc.record({ id: maybe(fc.stringMatching(/^\d{1,18}$/)), type: maybe(fc.constant("text")), text: maybe(oddText), quoteToken: maybe(fc.string()) }),
  fc.record({ id: maybe(fc.stringMatching(/^\d{1,18}$/)), type: maybe(fc.constant("location")), latitude: maybe(fc.double()), longitude: maybe(fc.double()), address: maybe(oddText) }),
  fc.record({ id: maybe(fc.stringMatching(/^\d{1,18}$/)), type: maybe(fc.constantFrom("image", "video", "audio", "file", "sticker", "hologram")) }),
);
const lineEvent = fc.record(
  {
    type: maybe(fc.constantFrom("message", "postback", "follow", "unfollow", "unsend", "join", "leave", "memberJoined", "beacon", "accountLink", "videoPlayComplete")),
    webhookEventId: maybe(lineEventId),
    timestamp: maybe(fc.nat()),
    mode: maybe(fc.constantFrom("active", "standby")),
    source: maybe(lineSource),
    replyToken: maybe(fc.string({ maxLength: 40 })),
    message: maybe(lineMessage),
    postback: maybe(fc.record({ data: maybe(oddText), params: maybe(fc.dictionary(fc.string(), fc.string())) })),
    unsend: maybe(fc.record({ messageId: maybe(fc.stringMatching(/^\d{1,18}$/)) })),
    deliveryContext: maybe(fc.record({ isRedelivery: maybe(fc.boolean()) })),
  },
  { requiredKeys: [] },
);
const lineBody = fc.record({ destination: maybe(fc.string()), events: maybe(fc.array(fc.oneof({ weight: 5, arbitrary: lineEvent }, { weight: 1, arbitrary: wrong }), { maxLength: 4 })) }, { requiredKeys: [] });
const lineTextEvent = (text: string, userId: string) => ({
  webhookEventId: `01FUZZTEXT${String(next()).padStart(16, "0")}`,
  text,
  event: {
    type: "message",
    mode: "active",
    timestamp: 1_760_000_000_000,
    source: { type: "user", userId },
    replyToken: "0f3779fba3b349968c5d07db31eab56f",
    deliveryContext: { isRedelivery: false },
    message: { id: String(next()), type: "text", text, quoteToken: "q" },
  },
});
const lineText = fc.record({ text: oddText, userId: fc.stringMatching(/^U[0-9a-f]{32}$/) }).map(({ text, userId }) => lineTextEvent(text, userId));

// ---- web test chat ----

const webSession = fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/);
const webBody = fc.record(
  {
    session: maybe(webSession),
    id: maybe(fc.constant(null).map(() => `fuzz${String(next()).padStart(6, "0")}`)),
    language: maybe(fc.constantFrom("en", "ko", "x".repeat(17), "")),
    text: maybe(oddText),
    choice: maybe(oddText),
    location: maybe(fc.record({ latitude: maybe(fc.double()), longitude: maybe(fc.double()) })),
  },
  { requiredKeys: [] },
);

// ---- the harness ----

interface Tally {
  cases: number;
  rejected: number;
  accepted: number;
  serverErrors: number;
}
const tallies = new Map<string, Tally>();
function tally(endpoint: string, status: number): void {
  const t = tallies.get(endpoint) ?? { cases: 0, rejected: 0, accepted: 0, serverErrors: 0 };
  t.cases++;
  if (status >= 500) t.serverErrors++;
  else if (status >= 400) t.rejected++;
  else t.accepted++;
  tallies.set(endpoint, t);
}

/** Everything a request could store or change, in one query (counts and last-change times). */
const STATE_SQL = `SELECT
  (SELECT COUNT(*) FROM "Contact") AS contacts,
  (SELECT COUNT(*) FROM "Contact" WHERE active) AS "activeContacts",
  (SELECT MAX("lastSeenAt") FROM "Contact") AS "contactSeen",
  (SELECT COUNT(*) FROM "Conversation") AS conversations,
  (SELECT COALESCE(SUM(seq), 0) FROM "Conversation") AS steps,
  (SELECT COUNT(*) FROM "Message") AS messages,
  (SELECT COUNT(*) FROM "Message" WHERE status = 'unsent') AS unsent,
  (SELECT COUNT(*) FROM "HandoffRequest") AS handoffs,
  (SELECT MAX("updatedAt") FROM "HandoffRequest") AS "handoffChanged",
  (SELECT COUNT(*) FROM "Report") AS reports,
  (SELECT COUNT(*) FROM "StaffAccount") AS accounts,
  (SELECT COUNT(*) FROM "StaffAccount" WHERE active) AS "activeAccounts",
  (SELECT COUNT(*) FROM "StaffAccount" WHERE role = 'admin') AS admins,
  (SELECT COUNT(*) FROM "StaffAccount" WHERE role = 'supervisor') AS supervisors,
  (SELECT COALESCE(SUM("failedLogins"), 0) FROM "StaffAccount") AS "failedLogins",
  (SELECT COUNT(*) FROM "StaffSession") AS sessions,
  (SELECT COUNT(*) FROM "AuditEntry" WHERE action NOT LIKE 'security.%') AS audit,
  (SELECT COUNT(*) FROM "AuditEntry" WHERE action LIKE 'security.%') AS "securityEvents"`;

/**
 * The fuzz tests on one database, `share` of the runs (PostgreSQL takes a share: each run costs
 * more there); each database has its own test file, so the two run side by side.
 */
export function fuzzOn(kind: DbKind, share: number): void {
describe(`fuzzing the HTTP endpoints on ${kind}`, () => {
  let db: TestDatabase;
  let telegram: FakeTelegramBotApi;
  let line: FakeLineApi;
  let app: App;
  let base: string;
  let supervisor: StaffClient;
  let admin: StaffClient;
  let handoffId: string;
  let accountIds: string[];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const runs = (n: number) => Math.max(5, Math.round(n * share * SCALE));
  /** fast-check settings: this property's seed and number of runs (regression `examples` run first). */
  const settings = (n: number, offset: number) => ({ seed: SEED + offset, numRuns: runs(n) });

  const state = async () => {
    const [row] = await query<Record<string, unknown>>(db.url, STATE_SQL);
    return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v === null ? null : String(v)]));
  };

  /**
   * Sends one request and checks what must hold for any input: no 5xx, and nothing stored
   * when it is refused (except where a refusal is itself recorded, like a failed sign-in).
   */
  async function send(endpoint: string, call: () => Promise<Response>, recordedRefusals: number[] = []) {
    const before = await state();
    const res = await call();
    const text = await res.text();
    tally(endpoint, res.status);
    expect(res.status, `${endpoint} answered ${res.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
    if (res.status >= 400 && !recordedRefusals.includes(res.status)) {
      const after = await state();
      // A 403 or 429 may leave one security event in the audit log (at most one a minute per kind); nothing else.
      const securityEvents = Number(after.securityEvents) - Number(before.securityEvents);
      expect(securityEvents, `${endpoint} recorded ${securityEvents} security events for a ${res.status}`).toBeLessThanOrEqual([403, 429].includes(res.status) ? 1 : 0);
      expect({ ...after, securityEvents: 0 }, `${endpoint} stored something for a ${res.status}`).toEqual({ ...before, securityEvents: 0 });
    }
    return { status: res.status, text, headers: res.headers };
  }

  const post = (path: string, body: string, headers: Record<string, string | undefined>) =>
    fetch(`${base}${path}`, { method: "POST", headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>, body });

  const stillReady = async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(unhandled).toEqual([]);
  };

  beforeAll(() => {
    process.on("unhandledRejection", onUnhandled);
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
    const line = [...tallies].map(([e, t]) => `${e} ${t.cases} (4xx ${t.rejected}, ok ${t.accepted}, 5xx ${t.serverErrors})`).join("; ");
    console.log(`fuzz ${kind} seed=${SEED} scale=${SCALE}: ${line}`);
    tallies.clear();
  });

  // One app for the file's tests on this database: every check is per request (what it stored
  // or changed), so the tests need no fresh app.
  beforeAll(async () => {
    [db, telegram, line] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN }), new FakeLineApi(LINE_TOKEN).start()]);
    ({ app, base } = await startTelegramApp(db.url, telegram.url, {
      env: { LINE_CHANNEL_SECRET: LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN, LINE_API_BASE_URL: line.url, WEB_CHAT: "on" },
      options: {
        logger: silentLog,
        delivery: { pollMs: 50, leaseMs: 5000, maxAttempts: 2, concurrency: 4, backoff: { baseMs: 50, maxMs: 200 } },
        staffLoginRateLimit: { max: 100_000, timeWindowMs: 60_000 },
        webChatLimits: LOOSE_WEB_CHAT_LIMITS,
      },
    }));
  });

  afterAll(async () => {
    await app?.stop().catch(() => {});
    await Promise.all([telegram?.stop(), line?.stop()]);
    await db?.drop();
  });

  it("Telegram webhook: no 5xx, nothing stored when refused, odd text stored exactly", { timeout: 300_000 }, async () => {
    const endpoint = "telegram";
    const headers = (type = "application/json") => ({ "content-type": type, [SECRET_HEADER]: WEBHOOK_SECRET });

    // Random and malformed bodies with the right secret.
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        await send(endpoint, () => post("/webhooks/telegram", body, { ...headers(), "content-type": type }));
      }),
      settings(120, 1),
    );
    // Structurally plausible updates with wrong types, missing fields and odd Unicode.
    await fc.assert(
      fc.asyncProperty(plausibleUpdate, async (update) => {
        await send(endpoint, () => post("/webhooks/telegram", JSON.stringify(update), headers()));
      }),
      // Found by this test: a my_chat_member without new_chat_member crashed the adapter (500).
      { ...settings(250, 2), examples: [[{ update_id: 1, my_chat_member: {} }]] },
    );
    // Well-formed private texts: accepted, and stored as sent.
    await fc.assert(
      fc.asyncProperty(privateText, async (update) => {
        const { status } = await send(endpoint, () => post("/webhooks/telegram", JSON.stringify(update), headers()));
        expect(status).toBe(200);
        const text = update.message.text;
        if (/^\/[a-z]+(\s|$)/i.test(text)) return; // a command, stored as its name
        const [row] = await query<{ kind: string; text: string }>(db.url, `SELECT kind, text FROM "Message" WHERE channel = 'telegram' AND "platformEventId" = ?`, [String(update.update_id)]);
        expect(row).toEqual({ kind: "text", text: storedForm(text) });
        if (isWellFormed(text)) expect(row!.text).toBe(text);
      }),
      // Found by this test: a lone surrogate (both databases) or NUL (PostgreSQL) in a text was a 500.
      { ...settings(120, 3), examples: [[privateTextUpdate("x\uD83D", 42)], [privateTextUpdate("\u0000", 43)], [privateTextUpdate("\uDFFF\u200F", 44)]] },
    );
    // A wrong or missing secret is refused before anything else.
    await fc.assert(
      fc.asyncProperty(fc.option(fc.string({ unit: "grapheme-ascii", maxLength: 40 })), privateText, async (secret, update) => {
        fc.pre(secret !== WEBHOOK_SECRET);
        const { status } = await send(endpoint, () => post("/webhooks/telegram", JSON.stringify(update), { "content-type": "application/json", [SECRET_HEADER]: secret ?? undefined }));
        expect(status).toBe(401);
      }),
      settings(40, 4),
    );
    await stillReady();
  });

  it("LINE webhook: signed random bodies never 5xx, bad signatures are refused, odd text stored exactly", { timeout: 300_000 }, async () => {
    const endpoint = "line";
    const signed = (body: string, type: string | undefined = "application/json; charset=utf-8") => ({ "content-type": type, "x-line-signature": signLineBody(body, LINE_SECRET) });

    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        await send(endpoint, () => post("/webhooks/line", body, signed(body, type)));
      }),
      settings(120, 11),
    );
    await fc.assert(
      fc.asyncProperty(lineBody, async (value) => {
        const body = JSON.stringify(value);
        await send(endpoint, () => post("/webhooks/line", body, signed(body)));
      }),
      // Found by this test: a message event without its message, or with a non-string user id, was a 500.
      {
        ...settings(250, 12),
        examples: [
          [{ events: [{ type: "message", webhookEventId: "01FUZZREGRESSION0000000001", source: { type: "user", userId: "Uaa0aaa0a0a0a00a000aaa0aa0000a00a" } }] }],
          [{ events: [{ type: "message", webhookEventId: "01FUZZREGRESSION0000000002", source: { type: "user", userId: [null] } }] }],
        ],
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(lineText, { minLength: 1, maxLength: 3 }), async (texts) => {
        const body = JSON.stringify({ destination: "Ufuzz", events: texts.map((t) => ({ ...t.event, webhookEventId: t.webhookEventId })) });
        const { status } = await send(endpoint, () => post("/webhooks/line", body, signed(body)));
        expect(status).toBe(200);
        for (const t of texts) {
          if (/^\s*\/[a-z]+\s*$/i.test(t.text)) continue;
          const [row] = await query<{ kind: string; text: string }>(db.url, `SELECT kind, text FROM "Message" WHERE channel = 'line' AND "platformEventId" = ?`, [t.webhookEventId]);
          expect(row).toEqual({ kind: "text", text: storedForm(t.text) });
        }
      }),
      // Found by this test: a lone surrogate or NUL in a text was a 500.
      { ...settings(80, 13), examples: [[[lineTextEvent("x\uD83D", "U0a0aa0aaa00aaa00a0a0a000aa0aaa00")]], [[lineTextEvent("\u0000", "U00000aa0a0a000a00000aaa00aaaa00a")]]] },
    );
    // Signatures that do not match the body: refused, nothing stored.
    await fc.assert(
      fc.asyncProperty(lineText, fc.oneof(fc.string(), fc.base64String(), fc.constant(undefined)), async (t, signature) => {
        const body = JSON.stringify({ events: [{ ...t.event, webhookEventId: t.webhookEventId }] });
        const sig = signature ?? signLineBody(`${body} `, LINE_SECRET);
        const { status } = await send(endpoint, () => post("/webhooks/line", body, { "content-type": "application/json", "x-line-signature": sig }));
        expect(status).toBe(401);
      }),
      settings(40, 14),
    );
    await stillReady();
  });

  it("web test chat: no 5xx, nothing stored when refused, odd text shown back exactly", { timeout: 300_000 }, async () => {
    const endpoint = "web";
    await fc.assert(
      fc.asyncProperty(fc.oneof(rawBody, webBody.map((b) => JSON.stringify(b))), contentType, async (body, type) => {
        await send(endpoint, () => post("/try/api/messages", body, { "content-type": type }));
      }),
      settings(200, 21),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom("session", "after", "x", "session[]"), fc.oneof(oddText, fc.string(), webSession, numberText)), async (params) => {
        const search = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(storedForm(v))}`).join("&");
        await send(endpoint, () => fetch(`${base}/try/api/messages?${search}`));
      }),
      // Found by this test: a cursor above 2^31 was a 500 on PostgreSQL (32-bit ids).
      { ...settings(60, 22), examples: [[{ session: "00A00000", after: "9007199254740991" }]] },
    );
    await fc.assert(
      fc.asyncProperty(webSession, oddText, async (session, text) => {
        const id = `fuzz${String(next()).padStart(6, "0")}`;
        const { status } = await send(endpoint, () => post("/try/api/messages", JSON.stringify({ session, id, text }), { "content-type": "application/json" }));
        if (text.length === 0 || text.length > 4000) {
          expect(status).toBe(400);
          return;
        }
        expect(status).toBe(200);
        if (/^\s*\/[a-z]+\s*$/i.test(text)) return;
        // The listing stops before a reply not yet delivered, so a session used before (fast-check
        // repeats strings such as "__defineSetter__") shows its new text once the earlier replies are out.
        const lastText = async () => {
          const res = await fetch(`${base}/try/api/messages?session=${session}`);
          const { messages } = (await res.json()) as { messages: { direction: string; text: string | null }[] };
          return messages.filter((m) => m.direction === "in").at(-1)?.text;
        };
        await vi.waitUntil(async () => (await lastText()) === storedForm(text), { timeout: 10_000, interval: 20 }).catch(() => {});
        expect(await lastText()).toBe(storedForm(text));
      }),
      // Found by this test: a lone surrogate or NUL in a text was a 500.
      { ...settings(100, 23), examples: [["aaaaaaaa", "x\uD83D"], ["aaaaaaab", "\u0000"]] },
    );
    await stillReady();
  });

  /** Staff accounts, signed in, and a hand-off to act on: made once, by the first test that needs them. */
  let staffReady: Promise<void> | undefined;
  const staffSetup = () => (staffReady ??= setUpStaff());

  async function setUpStaff() {
    for (const [email, role] of [["supervisor@example.org", "supervisor"], ["admin@example.org", "admin"]] as const) {
      await createStaffAccount(app.store, { id: null, email: "test" }, { email, role, password: PASSWORD }, TEST_HASH_COST);
    }
    const person = new TelegramPerson(base, telegram, 8_880_001);
    await person.toHandoff();
    supervisor = new StaffClient(base);
    admin = new StaffClient(base);
    expect((await supervisor.login("supervisor@example.org", PASSWORD)).status).toBe(200);
    expect((await admin.login("admin@example.org", PASSWORD)).status).toBe(200);
    const [handoff] = await query<{ id: string }>(
      db.url,
      `SELECT h.id FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = '${person.chatId}'`,
    );
    handoffId = handoff!.id;
    const { accounts } = await admin.json<{ accounts: { id: string }[] }>(admin.get("/accounts"));
    accountIds = accounts.map((a) => a.id);
  }

  /** A POST the console page would send: JSON, session cookie, CSRF token (or a random body and type). */
  const staffPost = (client: StaffClient, path: string, body: string, type: string | undefined = "application/json", csrf = true) =>
    fetch(`${base}/staff/api${path}`, {
      method: "POST",
      headers: {
        ...(type ? { "content-type": type } : {}),
        cookie: client.setCookie!.split(";")[0]!,
        ...(csrf ? { "x-csrf-token": client.csrf! } : {}),
      },
      body,
    });

  it("staff console API: no 5xx, nothing stored when refused, odd text shown back exactly", { timeout: 300_000 }, async () => {
    await staffSetup();
    const endpoint = "staff";
    const handoffPath = fc.oneof({ weight: 4, arbitrary: fc.constant(null).map(() => handoffId) }, { weight: 1, arbitrary: oddText.map((s) => encodeURIComponent(storedForm(s))) }, { weight: 1, arbitrary: fc.constantFrom("%00", "%ZZ", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "%FF", "..%2F..%2Fconfig", "x".repeat(300)) });
    const statusValue = fc.oneof(fc.constantFrom("open", "in_progress", "resolved"), wrong);
    const staffIdValue = fc.oneof(fc.constant(null).map(() => accountIds[0]!), fc.constant(null), wrong);
    const action = fc.oneof(
      fc.record({ path: handoffPath.map((id) => `/handoffs/${id}/reply`), body: fc.oneof(fc.record({ text: maybe(oddText) }, { requiredKeys: [] }), wrong) }),
      fc.record({ path: handoffPath.map((id) => `/handoffs/${id}/notes`), body: fc.oneof(fc.record({ text: maybe(oddText) }, { requiredKeys: [] }), wrong) }),
      fc.record({ path: handoffPath.map((id) => `/handoffs/${id}/assign`), body: fc.oneof(fc.record({ staffId: staffIdValue }, { requiredKeys: [] }), wrong) }),
      fc.record({ path: handoffPath.map((id) => `/handoffs/${id}/status`), body: fc.oneof(fc.record({ status: statusValue }, { requiredKeys: [] }), wrong) }),
    );

    // Handoff actions as a supervisor: random bodies, content types, a missing CSRF token now and then.
    await fc.assert(
      fc.asyncProperty(action, fc.oneof({ weight: 8, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentType }), fc.boolean(), fc.nat(9), async ({ path, body }, type, raw, noCsrf) => {
        const text = raw && typeof body === "string" ? body : JSON.stringify(body) ?? "";
        const { status } = await send(endpoint, () => staffPost(supervisor, path, text, type, noCsrf !== 0));
        if (noCsrf === 0) expect(status).toBeGreaterThanOrEqual(400);
      }),
      settings(200, 31),
    );
    // Notes and replies with odd text: shown back in the transcript exactly (trimmed, as the form trims).
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("notes", "reply"), oddText, async (kind, text) => {
        const { status } = await send(endpoint, () => staffPost(supervisor, `/handoffs/${handoffId}/${kind}`, JSON.stringify({ text })));
        const trimmed = text.trim();
        if (!isWellFormed(text) || trimmed.length === 0) {
          expect(status).toBe(400);
          return;
        }
        expect(status).toBe(kind === "notes" ? 201 : 202);
        const detail = await supervisor.json<{ transcript: { role: string; text: string | null }[] }>(supervisor.get(`/handoffs/${handoffId}`));
        const shown = detail.transcript.filter((i) => i.role === (kind === "notes" ? "note" : "staff")).at(-1)?.text;
        if (kind === "notes") expect(shown).toBe(trimmed);
        else expect(shown?.endsWith(trimmed)).toBe(true);
      }),
      // Found by this test: a lone surrogate or NUL in a note or reply was a 500.
      { ...settings(80, 32), examples: [["notes", "\u0000"], ["reply", "\uD800"], ["notes", "\uDFFF\u200F"]] },
    );
    // Queue filters, audit paging, texts and handoff views with random query strings and ids.
    const queryValue = fc.oneof(oddText.map(storedForm), numberText, fc.constantFrom("open,closed", "open,,", ",", "critical", "telegram", "en", "%", "%ZZ", "[]"));
    const getPath = fc.oneof(
      fc.dictionary(fc.constantFrom("status", "risk", "channel", "language", "lang", "status[]", "__proto__"), queryValue, { maxKeys: 4 }).map((q) => ({ path: "/handoffs", q })),
      fc.dictionary(fc.constantFrom("before", "limit", "x"), queryValue, { maxKeys: 2 }).map((q) => ({ path: "/audit", q })),
      handoffPath.chain((id) => fc.dictionary(fc.constantFrom("lang"), queryValue, { maxKeys: 1 }).map((q) => ({ path: `/handoffs/${id}`, q }))),
      handoffPath.map((id) => ({ path: `/handoffs/${id}/export`, q: {} })),
      oddText.map((s) => ({ path: `/texts/${encodeURIComponent(storedForm(s))}`, q: {} })),
    );
    await fc.assert(
      fc.asyncProperty(getPath, fc.boolean(), async ({ path, q }, rawQuery) => {
        const search = Object.entries(q)
          .map(([k, v]) => `${encodeURIComponent(k)}=${rawQuery ? v.replace(/[#&\s]/g, "") : encodeURIComponent(v)}`)
          .join("&");
        await send(endpoint, () => fetch(`${base}/staff/api${path}${search ? `?${search}` : ""}`, { headers: { cookie: admin.setCookie!.split(";")[0]! } }));
      }),
      // Found after the fact by a direct check (an audit cursor above 2^31 was a 500 on PostgreSQL).
      { ...settings(150, 33), examples: [[{ path: "/audit", q: { before: "2147483648" } }, false]] },
    );
    // Account creation and changes as an admin.
    const accountBody = fc.record(
      {
        email: maybe(fc.oneof(fc.emailAddress(), oddText.map((s) => `${s}@example.org`))),
        role: maybe(fc.constantFrom("agent", "supervisor", "admin", "root")),
        password: maybe(fc.oneof(fc.constant(PASSWORD), oddText, fc.string({ minLength: 12, maxLength: 30 }))),
      },
      { requiredKeys: [] },
    );
    const accountChange = fc.record({ role: maybe(fc.constantFrom("agent", "supervisor", "root")), active: maybe(fc.boolean()), unlock: maybe(fc.constant(true)) }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          accountBody.map((b) => ({ path: "/accounts", body: b })),
          fc.tuple(fc.oneof(fc.constant(null).map(() => accountIds[0]!), oddText.map((s) => encodeURIComponent(storedForm(s)))), accountChange).map(([id, b]) => ({ path: `/accounts/${id}`, body: b })),
        ),
        async ({ path, body }) => {
          await send(endpoint, () => staffPost(admin, path, JSON.stringify(body)));
        },
      ),
      settings(60, 34),
    );
    // Sign-in with random bodies: a refused sign-in may only record the failure (audit, failed-login count).
    const loginBody = fc.oneof(
      fc.record({ email: maybe(fc.oneof(fc.constantFrom("agent@example.org", "nobody@example.org"), fc.emailAddress(), oddText)), password: maybe(oddText) }, { requiredKeys: [] }),
      wrong,
    );
    await fc.assert(
      fc.asyncProperty(loginBody, contentType, async (body, type) => {
        const { status } = await send(endpoint, () => post("/staff/api/login", JSON.stringify(body) ?? "", { "content-type": type }), [401, 429]);
        expect(status).not.toBe(200);
      }),
      settings(40, 35),
    );
    await stillReady();
  });

  it("refuses bodies above the size limit with 413 on every endpoint and stores nothing", { timeout: 300_000 }, async () => {
    await staffSetup();
    const endpoint = "oversized";
    const targets = ["/webhooks/telegram", "/webhooks/line", "/try/api/messages", "/staff/api/login", `/staff/api/handoffs/{id}/notes`, `/staff/api/handoffs/{id}/reply`, "/staff/api/accounts"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.integer({ min: 1, max: 3 * BODY_LIMIT_BYTES }), fc.boolean(), async (target, extra, chunked) => {
        const path = target.replace("{id}", handoffId);
        const body = JSON.stringify({ update_id: 1, events: [], session: "sessionXYZ", id: "idXYZ0001", text: "x".repeat(BODY_LIMIT_BYTES + extra) });
        const headers: Record<string, string> = {
          "content-type": "application/json",
          [SECRET_HEADER]: WEBHOOK_SECRET,
          "x-line-signature": signLineBody(body, LINE_SECRET),
          ...(path.startsWith("/staff/api/handoffs") ? { cookie: supervisor.setCookie!.split(";")[0]!, "x-csrf-token": supervisor.csrf! } : {}),
          ...(path === "/staff/api/accounts" ? { cookie: admin.setCookie!.split(";")[0]!, "x-csrf-token": admin.csrf! } : {}),
        };
        const { status } = await send(endpoint, () => (chunked ? postChunked(`${base}${path}`, body, headers) : post(path, body, headers)));
        expect(status).toBe(413);
      }),
      settings(28, 41),
    );
    await stillReady();
  });
});
}

/** POSTs without a Content-Length (chunked), so the limit must hold while the body streams in. */
function postChunked(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
      res.on("error", reject);
    });
    // The server may answer 413 and close before the whole body is written.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
    req.end();
  });
}
