// Every write to a conversation's rows (contact, conversation, messages, hand-off, report,
// photos and files, auto-clear schedule) is one of these SQL work units, each run in one
// transaction on the store's writer (conversation-writer.ts): a person's step, a staff
// action, an auto-clear, a platform's notice (blocked, unsent). The same work runs on both
// databases; the grouped steps on PostgreSQL (postgres-step-batch.ts) reuse its rows.
import { randomUUID } from "node:crypto";
import { riskRank, UNRANKED } from "./risk-rank.ts";
import { timeOrderedId } from "./time-ordered-id.ts";
import { auditData } from "./audit-row.ts";
import type { Provider } from "./database-url.ts";
import { ConversationErasedError, StaleHandoffError } from "./errors.ts";
import type { MessageRow, SealedFields } from "./sealed-fields.ts";
import { all, RollbackWith, run, sqlTime, UniqueViolation, type SqlDriver, type SqlWork } from "./sql-driver.ts";
import type { AuditInput, HandoffStatus, StaffRecord } from "./staff-types.ts";
import type { Attachment, Channel, ConversationStatus, StaffStepOutput, StepInput, StepOutput, StepResult, StoredConversation } from "./types.ts";

export interface StepContext {
  contactLanguage: string | null;
  conversation: StoredConversation | null;
}

/** Telegram deletes messages up to 48 h old; keep a margin for the queue. */
const DELETABLE_FOR_MS = 47 * 60 * 60 * 1000;

const UPSERT_CONTACT = `INSERT INTO "Contact" ("id", "channel", "platformUserId", "active", "createdAt", "lastSeenAt") VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT ("channel", "platformUserId") DO UPDATE SET "lastSeenAt" = excluded."lastSeenAt", "active" = excluded."active"
  RETURNING "id", "language"`;

// The ids are compared as CAST(? AS TEXT) (they are text either way): SQLite re-prepares a
// sorting query on every new binding of a plain "column = ?" parameter, which cost a step
// about 100 µs more than the statement itself (bench/README.md, 2026-12-03).
const OPEN_CONVERSATION = `SELECT "id", "machineId", "machineVersion", "snapshot", "status", "language" FROM "Conversation"
  WHERE "chatId" = CAST(? AS TEXT) AND "contactId" = %CONTACT% AND "status" <> 'closed' ORDER BY "createdAt" DESC LIMIT 1`;

const SEEN = `EXISTS (SELECT 1 FROM "Message" WHERE "channel" = ? AND "platformEventId" = ?) AS "seen"`;

/**
 * Whether the event was already stored, and the chat's open conversation. Parameters:
 * channel, event id, chat id, contact id. On PostgreSQL this also takes the contact's row
 * lock, which serialises everything that changes one person's conversations across server
 * processes; the upsert before it already holds the lock, so this statement's snapshot
 * includes whatever the previous holder committed.
 */
const LOAD: Record<Provider, string> = {
  sqlite: `SELECT ${SEEN}, cv.* FROM (SELECT 1) AS one LEFT JOIN (${OPEN_CONVERSATION.replace("%CONTACT%", "CAST(? AS TEXT)")}) AS cv ON 1`,
  postgresql: `SELECT ${SEEN}, cv.* FROM "Contact" ct LEFT JOIN LATERAL (${OPEN_CONVERSATION.replace("%CONTACT%", 'ct."id"')}) AS cv ON true
    WHERE ct."id" = ? FOR UPDATE OF ct`,
};

/**
 * A conversation as a step writes it: its columns in order, with their PostgreSQL types (for
 * grouped steps, postgres-step-batch.ts), then those a later step changes. Every statement that
 * writes a conversation row is built from these.
 */
export const CONVERSATION_COLUMNS = {
  id: "text", contactId: "text", channel: "text", chatId: "text", machineId: "text", machineVersion: "int", snapshot: "text", status: "text", language: "text", nationality: "text",
} as const;
const CONVERSATION_CHANGES = ["machineId", "machineVersion", "snapshot", "status", "language", "nationality"] as const;

/** A step's conversation row, in CONVERSATION_COLUMNS order. */
export function conversationValues(fields: SealedFields, id: string, contactId: string, input: StepInput, out: StepOutput): unknown[] {
  return [id, contactId, input.channel, input.chatId, out.machineId, out.machineVersion, fields.snapshot(out.snapshot), out.status, out.language, out.nationality];
}

/**
 * Inserts conversations from `rows` (a `VALUES` list or a `SELECT` of CONVERSATION_COLUMNS, then
 * `seq`, `createdAt`, `updatedAt`), or applies the step's changes to those that exist.
 */
export function saveConversationsSql(rows: string): string {
  const columns = Object.keys(CONVERSATION_COLUMNS).map((c) => `"${c}"`);
  return `INSERT INTO "Conversation" (${columns.join(", ")}, "seq", "createdAt", "updatedAt") ${rows}
    ON CONFLICT ("id") DO UPDATE SET ${CONVERSATION_CHANGES.map((c) => `"${c}" = excluded."${c}"`).join(", ")},
    "seq" = "Conversation"."seq" + 1, "updatedAt" = excluded."updatedAt"`;
}

const SAVE_CONVERSATION = saveConversationsSql(`VALUES (${Object.keys(CONVERSATION_COLUMNS).map(() => "?").join(", ")}, 1, ?, ?)`);

/** A message's columns, in the order of `messageValues`; `createdAt` is the statement's time. */
export const MESSAGE_COLUMNS = ["conversationId", "channel", "direction", "kind", "text", "payload", "platformEventId", "platformMessageId", "staffId", "status"];
const insertMessagesSql = new Map<number, string>();
/** One INSERT for `n` rows; ids follow the rows' order. */
function insertMessages(n: number): string {
  let sql = insertMessagesSql.get(n);
  if (!sql) {
    const row = `(${MESSAGE_COLUMNS.map(() => "?").join(", ")}, ?)`;
    sql = `INSERT INTO "Message" (${MESSAGE_COLUMNS.map((c) => `"${c}"`).join(", ")}, "createdAt") VALUES ${Array(n).fill(row).join(", ")}`;
    insertMessagesSql.set(n, sql);
  }
  return sql;
}

/** A row's values in MESSAGE_COLUMNS order. */
export function messageValues(r: MessageRow): unknown[] {
  return [r.conversationId, r.channel, r.direction, r.kind, r.text, r.payload, r.platformEventId ?? null, r.platformMessageId ?? null, r.staffId, r.status];
}

function messageInsert(rows: MessageRow[], now: string): { sql: string; params: unknown[] } {
  return { sql: insertMessages(rows.length), params: rows.flatMap((r) => [...messageValues(r), now]) };
}

function* addMessages(rows: MessageRow[], now: string): SqlWork<void> {
  if (rows.length === 0) return;
  const { sql, params } = messageInsert(rows, now);
  yield* run(sql, ...params);
}

const OF_CONTACT = `SELECT "id" FROM "Conversation" WHERE "contactId" = ?`;

/** Runs one step; a repeated platform event id changes nothing and answers `duplicate`. */
export async function runStep(
  driver: SqlDriver,
  fields: SealedFields,
  input: StepInput,
  decide: (ctx: StepContext) => StepOutput,
): Promise<StepResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await driver.transaction(() => stepWork(driver.provider, fields, input, decide));
    } catch (error) {
      if (!(error instanceof UniqueViolation)) throw error;
      // Two copies of one event racing past the check: the unique key (channel, platformEventId) decides.
      if (error.table === "Message") return { duplicate: true };
      // A report code that is already taken: decide again, which draws a new code.
      if (error.table === "Report" && attempt < 3) continue;
      throw error;
    }
  }
}

/** The event seen already, and the chat's open conversation (all null when it has none). */
export interface LoadRow {
  seen: boolean | number;
  id: string | null;
  machineId: string;
  machineVersion: number;
  snapshot: string;
  status: string;
  language: string | null;
}

export function openedConversation(fields: SealedFields, row: LoadRow): StoredConversation | null {
  return row.id
    ? {
        id: row.id,
        machineId: row.machineId,
        machineVersion: row.machineVersion,
        snapshot: fields.openSnapshot(row.snapshot),
        status: row.status as ConversationStatus,
        language: row.language,
      }
    : null;
}

/** The person's message as stored. */
export function inboundRow(fields: SealedFields, input: StepInput, conversationId: string, out: StepOutput): MessageRow {
  return {
    conversationId,
    channel: input.channel,
    direction: "in",
    kind: out.inbound.kind,
    text: fields.text(out.inbound.text ?? null),
    payload: fields.payload(out.inbound.payload),
    platformEventId: input.eventId,
    platformMessageId: out.inbound.platformMessageId ?? null,
    staffId: null,
    status: "received",
  };
}

function* stepWork(provider: Provider, fields: SealedFields, input: StepInput, decide: (ctx: StepContext) => StepOutput): SqlWork<StepResult> {
  const now = sqlTime(new Date());
  const [contact] = yield* all<{ id: string; language: string | null }>(UPSERT_CONTACT, timeOrderedId(), input.channel, input.platformUserId, true, now, now);
  const [loaded] = yield* all<LoadRow>(LOAD[provider], input.channel, input.eventId, input.chatId, contact!.id);
  if (loaded!.seen) throw new RollbackWith<StepResult>({ duplicate: true });
  const conversation = openedConversation(fields, loaded!);
  const out = decide({ contactLanguage: contact!.language, conversation });

  const conversationId = conversation?.id ?? timeOrderedId();
  const saveConversation: [string, ...unknown[]] = [SAVE_CONVERSATION, ...conversationValues(fields, conversationId, contact!.id, input, out), now, now];
  const inbound = inboundRow(fields, input, conversationId, out);
  const outbox = fields.outboxRows(conversationId, input.channel, out.outbound);
  if (provider === "postgresql" && !out.quickExit && !out.erase) {
    // One round trip instead of two: the conversation's write rides along with the messages' insert.
    const [sql, ...params] = saveConversation;
    const messages = messageInsert([inbound, ...outbox], now);
    yield* run(`WITH saved AS (${sql}) ${messages.sql}`, ...params, ...messages.params);
  } else if (out.quickExit || out.erase) {
    yield* run(...saveConversation);
    yield* addMessages([inbound], now);
    if (out.quickExit) yield* cancelUnsent(conversationId);
    yield* queueDeletion(fields, conversationId, input.channel, now);
    if (out.erase) yield* erase(contact!.id, now);
    yield* addMessages(outbox, now);
  } else {
    yield* run(...saveConversation);
    yield* addMessages([inbound, ...outbox], now);
  }
  if (out.inbound.attachment) yield* addEvidence(fields, input, conversationId, out.inbound.attachment, now);
  if (out.autoClear) yield* scheduleAutoClear(fields, conversationId, input.channel, out.autoClear, now);
  if (out.report) {
    const { kind, code, answers, consent, risk } = out.report;
    yield* run(
      `INSERT INTO "Report" ("id", "conversationId", "kind", "code", "answers", "consent", "risk", "riskRank", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      randomUUID(), conversationId, kind, code, fields.answers(answers), consent, risk ?? null, riskRank(risk), now,
    );
    // A report shared with staff puts the conversation in their queue, so someone acts on it.
    if (consent && !out.handoff) yield* requestHandoff(fields, conversationId, input.channel, { reason: "report", ...(risk ? { risk } : {}) }, now);
  }
  if (out.handoff) yield* requestHandoff(fields, conversationId, input.channel, out.handoff, now);
  if (out.language && out.language !== contact!.language) {
    yield* run(`UPDATE "Contact" SET "language" = ? WHERE "id" = ?`, out.language, contact!.id);
  }
  return { duplicate: false, conversationId, outboundCount: out.outbound.length };
}

/**
 * A photo or file the person sent: an evidence row beside their message, "pending" until the
 * evidence fetcher (src/evidence) has fetched it. Same transaction as the message: a step
 * that is committed always has its file on the way, never silently dropped.
 */
function* addEvidence(fields: SealedFields, input: StepInput, conversationId: string, a: Attachment, now: string): SqlWork<void> {
  yield* run(
    `INSERT INTO "EvidenceFile" ("id", "conversationId", "messageId", "channel", "kind", "source", "status", "size", "contentType", "fileName", "attempts", "nextAttemptAt", "createdAt")
      VALUES (?, ?, (SELECT "id" FROM "Message" WHERE "channel" = ? AND "platformEventId" = ?), ?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?)`,
    randomUUID(), conversationId, input.channel, input.eventId, input.channel, a.kind, fields.evidenceSource(a.ref),
    a.size ?? null, a.contentType ?? null, fields.evidenceFileName(a.fileName ?? null), now, now,
  );
}

/**
 * Auto-clear: on, the chat is due for clearing `minutes` after this step (every step moves it
 * on); off, no schedule. A choice the person just made goes in the transcript for staff.
 */
function* scheduleAutoClear(fields: SealedFields, conversationId: string, channel: string, { minutes, changed }: NonNullable<StepOutput["autoClear"]>, now: string): SqlWork<void> {
  if (minutes > 0) {
    yield* run(
      `INSERT INTO "AutoClear" ("conversationId", "minutes", "dueAt", "holdUntil") VALUES (?, ?, ?, NULL)
        ON CONFLICT ("conversationId") DO UPDATE SET "minutes" = excluded."minutes", "dueAt" = excluded."dueAt"`,
      conversationId, minutes, sqlTime(new Date(Date.now() + minutes * 60_000)),
    );
  } else {
    yield* run(`DELETE FROM "AutoClear" WHERE "conversationId" = ?`, conversationId);
  }
  if (!changed) return;
  yield* addMessages(
    [{ conversationId, channel, direction: "event", kind: minutes > 0 ? "autoClear.on" : "autoClear.off", text: null, payload: fields.payload({ minutes }), staffId: null, status: "recorded" }],
    now,
  );
}

/**
 * One request per conversation until staff close it: asking again updates (and reopens) it.
 * Its risk only rises while it is open: a later, milder answer does not push a case down the queue.
 */
function* requestHandoff(fields: SealedFields, conversationId: string, channel: string, handoff: NonNullable<StepOutput["handoff"]>, now: string): SqlWork<void> {
  const [open] = yield* all<{ id: string }>(
    `SELECT "id" FROM "HandoffRequest" WHERE "conversationId" = ? AND "status" IN ('open', 'in_progress', 'resolved') LIMIT 1`,
    conversationId,
  );
  const data = { reason: handoff.reason, risk: handoff.risk ?? null };
  const rank = riskRank(data.risk);
  const handoffId = open?.id ?? randomUUID();
  if (open) {
    yield* run(
      `UPDATE "HandoffRequest" SET "reason" = ?, "risk" = CASE WHEN ? <= "riskRank" THEN ? ELSE "risk" END, "riskRank" = CASE WHEN ? <= "riskRank" THEN ? ELSE "riskRank" END,
        "status" = CASE WHEN "status" = 'resolved' THEN 'open' ELSE "status" END, "closedAt" = NULL, "updatedAt" = ? WHERE "id" = ?`,
      data.reason, rank, data.risk, rank, rank, now, handoffId,
    );
  } else {
    yield* run(
      `INSERT INTO "HandoffRequest" ("id", "conversationId", "status", "reason", "risk", "riskRank", "createdAt", "updatedAt") VALUES (?, ?, 'open', ?, ?, ?, ?, ?)`,
      handoffId, conversationId, data.reason, data.risk, rank, now, now,
    );
  }
  yield* addMessages(
    [{ conversationId, channel, direction: "event", kind: "handoff.requested", text: null, payload: fields.payload({ handoffId, ...data }), staffId: null, status: "recorded" }],
    now,
  );
}

/**
 * Quick exit: replies still waiting would appear in the chat the person just cleared, so they
 * are not sent (a reply already being sent cannot be called back). Staff see them as cancelled.
 */
function* cancelUnsent(conversationId: string): SqlWork<void> {
  yield* run(
    `UPDATE "Message" SET "status" = 'cancelled', "nextAttemptAt" = NULL WHERE "conversationId" = ? AND "direction" = 'out' AND "kind" <> 'delete' AND "status" = 'pending'`,
    conversationId,
  );
}

/**
 * Telegram can delete messages younger than 48 h: queue those this conversation knows of
 * (`mark` goes in the deletion's payload); answers how many.
 */
function* queueDeletion(fields: SealedFields, conversationId: string, channel: string, now: string, mark: object = {}): SqlWork<number> {
  const since = sqlTime(new Date(Date.now() - DELETABLE_FOR_MS));
  const rows = yield* all<{ platformMessageId: string }>(
    `SELECT "platformMessageId" FROM "Message" WHERE "conversationId" = ? AND "platformMessageId" IS NOT NULL AND "createdAt" >= ? ORDER BY "id"`,
    conversationId, since,
  );
  const messageIds = rows.flatMap((r) => r.platformMessageId.split(","));
  if (messageIds.length > 0) {
    yield* addMessages(
      [{ conversationId, channel, direction: "out", kind: "delete", text: null, payload: fields.payload({ messageIds, ...mark }), staffId: null, status: "pending" }],
      now,
    );
  }
  return messageIds.length;
}

/**
 * Erasure on request (/delete): message content, photos and files, reports and the platform identity go;
 * rows stay as tombstones (kind "erased", no content) so event ids still deduplicate
 * and staff see that a conversation existed and was erased. Unsent replies are dropped.
 */
function* erase(contactId: string, now: string): SqlWork<void> {
  yield* run(
    `UPDATE "Message" SET "status" = 'erased' WHERE "conversationId" IN (${OF_CONTACT})
      AND "direction" = 'out' AND "kind" <> 'delete' AND "status" IN ('pending', 'sending')`,
    contactId,
  );
  yield* run(
    `UPDATE "Message" SET "kind" = 'erased', "text" = NULL, "payload" = NULL, "platformMessageId" = NULL, "lastError" = NULL
      WHERE "conversationId" IN (${OF_CONTACT}) AND "kind" <> 'delete'`,
    contactId,
  );
  yield* run(`DELETE FROM "Report" WHERE "conversationId" IN (${OF_CONTACT})`, contactId);
  // Photos and files go with the messages they came with (a fetch under way finds its row gone).
  yield* run(`DELETE FROM "EvidenceFile" WHERE "conversationId" IN (${OF_CONTACT})`, contactId);
  yield* run(`DELETE FROM "AutoClear" WHERE "conversationId" IN (${OF_CONTACT})`, contactId);
  yield* run(
    `UPDATE "HandoffRequest" SET "status" = 'erased', "reason" = 'erased', "risk" = NULL, "riskRank" = ${UNRANKED}, "updatedAt" = ? WHERE "conversationId" IN (${OF_CONTACT})`,
    now, contactId,
  );
  yield* run(`UPDATE "Conversation" SET "status" = 'erased', "snapshot" = '{}', "language" = NULL, "nationality" = NULL, "updatedAt" = ? WHERE "contactId" = ?`, now, contactId);
  yield* run(
    `UPDATE "Contact" SET "platformUserId" = ?, "language" = NULL, "active" = ? WHERE "id" = ?`,
    `erased:${randomUUID()}`, false, contactId,
  );
}

/**
 * Takes the person's turn for a conversation: on PostgreSQL the contact's row lock, which
 * steps take too (LOAD); on SQLite the writer's group commit already holds the file.
 */
const LOCK_CONTACT: Record<Provider, string> = {
  sqlite: `SELECT "contactId" FROM "Conversation" WHERE "id" = ?`,
  postgresql: `SELECT "id" FROM "Contact" WHERE "id" = (SELECT "contactId" FROM "Conversation" WHERE "id" = ?) FOR UPDATE`,
};

export interface StaffActionInput {
  conversationId: string;
  /** The hand-off statuses the action was decided for; another one fails it (StaleHandoffError). */
  expect: HandoffStatus[];
  /** The assignee the action was decided for (undefined: any). */
  expectAssignee?: string | null;
  record: StaffRecord;
  /** An internal note. */
  note?: string;
}

export interface StaffActionResult {
  outboundIds: number[];
  noteId?: number;
}

const INSERT_AUDIT = `INSERT INTO "AuditEntry" ("at", "actorId", "actorEmail", "action", "targetType", "targetId", "detail") VALUES (?, ?, ?, ?, ?, ?, ?)`;

function* audit(entry: AuditInput, now: string): SqlWork<void> {
  const row = auditData(entry);
  yield* run(INSERT_AUDIT, now, row.actorId, row.actorEmail, row.action, row.targetType, row.targetId, row.detail);
}

/** One row, answering its id (the ids of a multi-row insert are not reliably in the rows' order). */
function* addMessage(row: MessageRow, now: string): SqlWork<number> {
  const { sql, params } = messageInsert([row], now);
  const [inserted] = yield* all<{ id: number }>(`${sql} RETURNING "id"`, ...params);
  return inserted!.id;
}

/**
 * A staff action on a handed-off conversation: optionally a machine step (`decide`, for
 * replies and closing), an internal note, transcript events, the hand-off's new status or
 * assignee and the audit entries. Fails with StaleHandoffError when the hand-off is no longer
 * in a state the action expected, and with ConversationErasedError when the person erased
 * their data.
 */
export function* staffActionWork(
  provider: Provider,
  fields: SealedFields,
  input: StaffActionInput,
  decide?: (ctx: StepContext & { conversation: StoredConversation }) => StaffStepOutput,
): SqlWork<StaffActionResult> {
  const now = sqlTime(new Date());
  const { conversationId, record } = input;
  const [locked] = yield* all<{ contactId: string }>(LOCK_CONTACT[provider], conversationId);
  if (!locked) throw new StaleHandoffError();
  const [conversation] = yield* all<LoadRow & { channel: Channel; contactId: string; contactLanguage: string | null }>(
    `SELECT c."id", c."channel", c."contactId", c."machineId", c."machineVersion", c."snapshot", c."status", c."language", ct."language" AS "contactLanguage"
      FROM "Conversation" c JOIN "Contact" ct ON ct."id" = c."contactId" WHERE c."id" = ?`,
    conversationId,
  );
  const [handoff] = yield* all<{ status: string; assigneeId: string | null }>(`SELECT "status", "assigneeId" FROM "HandoffRequest" WHERE "id" = ?`, record.handoffId);
  if (conversation!.status === "erased" || handoff?.status === "erased") throw new ConversationErasedError();
  if (!handoff || !input.expect.includes(handoff.status as HandoffStatus)) throw new StaleHandoffError();
  if (input.expectAssignee !== undefined && handoff.assigneeId !== input.expectAssignee) throw new StaleHandoffError();
  const { channel } = conversation!;

  const outboundIds: number[] = [];
  if (decide) {
    const out = decide({ contactLanguage: conversation!.contactLanguage, conversation: openedConversation(fields, conversation!)! });
    yield* run(
      `UPDATE "Conversation" SET "machineId" = ?, "machineVersion" = ?, "snapshot" = ?, "status" = ?, "seq" = "seq" + 1, "updatedAt" = ? WHERE "id" = ?`,
      out.machineId, out.machineVersion, fields.snapshot(out.snapshot), out.status, now, conversationId,
    );
    for (const row of fields.outboxRows(conversationId, channel, out.outbound)) outboundIds.push(yield* addMessage(row, now));
    // What staff send is activity: an auto-clear waits its full quiet time again, and a hold ends.
    if (out.outbound.length > 0) yield* rearmAutoClear(conversationId);
  }
  let noteId: number | undefined;
  if (input.note !== undefined) {
    noteId = yield* addMessage(
      { conversationId, channel, direction: "note", kind: "text", text: fields.text(input.note), payload: null, staffId: record.staffId, status: "internal" },
      now,
    );
  }
  yield* addMessages(
    record.events.map((e) => ({ conversationId, channel, direction: "event", kind: e.kind, text: null, payload: fields.payload(e.payload), staffId: record.staffId, status: "recorded" })),
    now,
  );
  const { status, assigneeId } = record.handoff ?? {};
  // closedAt: when the case was finished (resolved or closed), so staff see how long it took.
  const closedAt = status === "closed" || status === "resolved" ? now : null;
  yield* run(
    `UPDATE "HandoffRequest" SET "status" = COALESCE(?, "status"), "closedAt" = CASE WHEN ? THEN ? ELSE "closedAt" END,
      "assigneeId" = CASE WHEN ? THEN ? ELSE "assigneeId" END, "updatedAt" = ? WHERE "id" = ?`,
    status ?? null, status !== undefined, closedAt, assigneeId !== undefined, assigneeId ?? null, now, record.handoffId,
  );
  for (const entry of record.audit) yield* audit(entry, now);
  return { outboundIds, ...(noteId !== undefined ? { noteId } : {}) };
}

function* rearmAutoClear(conversationId: string): SqlWork<void> {
  const [schedule] = yield* all<{ minutes: number }>(`SELECT "minutes" FROM "AutoClear" WHERE "conversationId" = ?`, conversationId);
  if (!schedule) return;
  const dueAt = sqlTime(new Date(Date.now() + schedule.minutes * 60_000));
  yield* run(`UPDATE "AutoClear" SET "dueAt" = ?, "holdUntil" = NULL WHERE "conversationId" = ?`, dueAt, conversationId);
}

/**
 * Auto-clear of one due chat: claims its schedule (a second instance, or a second run, finds
 * nothing to claim), queues the deletion of every message the platform still lets the bot
 * delete, and records the clearing for staff. False when it is no longer due (new activity
 * moved it on, staff are writing, or another instance cleared it first).
 */
export function* clearChatWork(provider: Provider, fields: SealedFields, conversationId: string, at: Date): SqlWork<boolean> {
  const now = sqlTime(at);
  const [locked] = yield* all<{ contactId: string }>(LOCK_CONTACT[provider], conversationId);
  if (!locked) return false;
  const claimed = yield* run(
    `UPDATE "AutoClear" SET "dueAt" = NULL WHERE "conversationId" = ? AND "dueAt" <= ? AND ("holdUntil" IS NULL OR "holdUntil" <= ?)`,
    conversationId, now, now,
  );
  if (claimed === 0) return false;
  const [{ channel }] = (yield* all<{ channel: string }>(`SELECT "channel" FROM "Conversation" WHERE "id" = ?`, conversationId)) as [{ channel: string }];
  const count = yield* queueDeletion(fields, conversationId, channel, now, { autoClear: true });
  yield* addMessages(
    [{ conversationId, channel, direction: "event", kind: "autoClear.done", text: null, payload: fields.payload({ count }), staffId: null, status: "recorded" }],
    now,
  );
  return true;
}

/** The person blocked or unblocked the bot (LINE unfollow/follow). */
export function* setContactActiveWork(channel: Channel, platformUserId: string, active: boolean): SqlWork<void> {
  yield* run(`UPDATE "Contact" SET "active" = ? WHERE "channel" = ? AND "platformUserId" = ?`, active, channel, platformUserId);
}

/**
 * The person unsent one of their messages. Policy: the row stays, so the transcript keeps
 * its order and staff see that something was withdrawn, but its content is erased, and a
 * photo or file that came with it goes.
 */
export function* markUnsentWork(channel: Channel, platformUserId: string, platformMessageId: string): SqlWork<boolean> {
  const theirs = `SELECT m."id" FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId" JOIN "Contact" ct ON ct."id" = c."contactId"
    WHERE m."channel" = ? AND m."direction" = 'in' AND m."platformMessageId" = ? AND ct."platformUserId" = ?`;
  const [row] = yield* all<{ id: number }>(theirs, channel, platformMessageId, platformUserId);
  if (!row) return false;
  yield* run(`DELETE FROM "EvidenceFile" WHERE "messageId" IN (${theirs})`, channel, platformMessageId, platformUserId);
  yield* run(`UPDATE "Message" SET "status" = 'unsent', "text" = NULL, "payload" = NULL WHERE "id" IN (${theirs})`, channel, platformMessageId, platformUserId);
  return true;
}
