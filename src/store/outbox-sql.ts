// The outbox in SQL: due messages, claims with a lease, and the outcome of each send.
import type { Provider } from "./database-url.ts";
import type { SealedFields } from "./sealed-fields.ts";
import { sqlTime, type SqlDriver } from "./sql-driver.ts";
import type { Channel, OutboxItem } from "./types.ts";

/** `"id"` is one of a list given as one parameter. */
const ID_IN: Record<Provider, string> = {
  sqlite: `"id" IN (SELECT "value" FROM json_each(?))`,
  postgresql: `"id" = ANY(?::int[])`,
};
const idList = (provider: Provider, ids: number[]) => (provider === "sqlite" ? JSON.stringify(ids) : ids);

interface UnsentRow {
  id: number;
  conversationId: string;
  status: string;
  /** Pending and not backing off, or a `sending` claim whose lease ran out. */
  due: number;
  /** No retry time and no lease. */
  unscheduled: number;
}

interface ContentRow {
  id: number;
  channel: string;
  kind: string;
  text: string | null;
  payload: string | null;
  attempts: number;
  chatId: string;
}

// Two reads: which unsent messages are deliverable (small columns: most unsent rows are
// usually being sent right now), then the content of those only.
const UNSENT = `SELECT "id", "conversationId", "status",
    CASE WHEN "nextAttemptAt" IS NULL OR "nextAttemptAt" <= ? THEN 1 ELSE 0 END AS "due",
    CASE WHEN "nextAttemptAt" IS NULL THEN 1 ELSE 0 END AS "unscheduled"
  FROM "Message" WHERE "direction" = 'out' AND "status" IN ('pending', 'sending') ORDER BY "id" LIMIT ?`;
const CONTENT = (provider: Provider) => `SELECT m."id", m."channel", m."kind", m."text", m."payload", m."attempts", c."chatId"
  FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId" WHERE m.${ID_IN[provider]}`;

const MARK_SENT = `UPDATE "Message" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = ?, "nextAttemptAt" = NULL, "lastError" = NULL,`;

/** The outbox's operations, wherever its SQL runs (on PostgreSQL in the process, on SQLite on the writer thread). */
export interface Outbox {
  due(now: Date, perConversation: number, limit: number, maxChats?: number, skip?: ReadonlySet<string>): Promise<OutboxItem[][]>;
  claim(ids: number[], now: Date, leaseUntil: Date, holder: string | null): Promise<Set<number>>;
  release(ids: number[]): Promise<void>;
  markSent(id: number, platformMessageIds: string[]): Promise<void>;
  markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void>;
  markFailed(id: number, error: string): Promise<void>;
  forgetErasedChat(conversationId: string): Promise<void>;
}

export class OutboxSql implements Outbox {
  private readonly driver: SqlDriver;
  private readonly fields: SealedFields;
  private marks: { id: number; platformMessageId: string | null; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(driver: SqlDriver, fields: SealedFields) {
    this.driver = driver;
    this.fields = fields;
  }

  /**
   * Deliverable messages grouped by conversation, oldest first: the oldest unsent message if
   * it is due, plus up to `perConversation - 1` pending messages right behind it; at most
   * `maxChats` conversations, none of those in `skip` (the caller is still sending to them:
   * their claims may have outlived the lease, but they must not count against `maxChats`).
   */
  async due(now: Date, perConversation: number, limit: number, maxChats = Infinity, skip?: ReadonlySet<string>): Promise<OutboxItem[][]> {
    const rows = await this.driver.rows<UnsentRow>(UNSENT, [sqlTime(now), limit]);
    const groups = new Map<string, number[]>();
    // Chats that take no more rows: not due at their oldest, full, or ended by a message that
    // cannot follow (nothing behind it may jump the queue), or over `maxChats`.
    const closed = new Set<string>();
    let chats = 0;
    for (const row of rows) {
      const chat = row.conversationId;
      if (closed.has(chat)) continue;
      const group = groups.get(chat);
      if (!row.due || (group && (row.status !== "pending" || !row.unscheduled)) || skip?.has(chat)) {
        closed.add(chat);
        continue;
      }
      const taken = group ?? (chats++ < maxChats ? [] : undefined);
      if (!taken) {
        closed.add(chat); // over maxChats: not this time; nor its later messages
        continue;
      }
      if (!group) groups.set(chat, taken);
      taken.push(row.id);
      if (taken.length >= perConversation) closed.add(chat);
    }
    const ids = [...groups.values()].flat();
    if (ids.length === 0) return [];
    const content = new Map<number, ContentRow>();
    for (const row of await this.driver.rows<ContentRow>(CONTENT(this.driver.provider), [idList(this.driver.provider, ids)])) content.set(row.id, row);
    const due: OutboxItem[][] = [];
    for (const [conversationId, group] of groups) {
      // A row gone meanwhile (erased, or sent by another process) ends its chat's group.
      const items: OutboxItem[] = [];
      for (const id of group) {
        const row = content.get(id);
        if (!row) break;
        items.push({
          id,
          conversationId,
          kind: row.kind,
          channel: row.channel as Channel,
          chatId: row.chatId,
          text: this.fields.openText(row.text) ?? "",
          payload: this.fields.openPayload(row.payload),
          attempts: row.attempts,
        });
      }
      if (items.length) due.push(items);
    }
    return due;
  }

  /**
   * Claims the messages that are still due for `holder` (a process, see outbox-presence-sql.ts)
   * until `leaseUntil`; answers the ids it got (another deliverer may have the rest).
   */
  async claim(ids: number[], now: Date, leaseUntil: Date, holder: string | null): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const at = sqlTime(now);
    const claimed = await this.driver.executeReturning<{ id: number }>(
      `UPDATE "Message" SET "status" = 'sending', "nextAttemptAt" = ?, "claimedBy" = ?
        WHERE ${ID_IN[this.driver.provider]}
          AND (("status" = 'pending' AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ?)) OR ("status" = 'sending' AND "nextAttemptAt" <= ?))
        RETURNING "id"`,
      [sqlTime(leaseUntil), holder, idList(this.driver.provider, ids), at, at],
    );
    return new Set(claimed.map((r) => r.id));
  }

  /** Gives claimed but unsent messages back to the outbox, as they were. */
  async release(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.driver.execute(`UPDATE "Message" SET "status" = 'pending', "nextAttemptAt" = NULL WHERE ${ID_IN[this.driver.provider]} AND "status" = 'sending'`, [
      idList(this.driver.provider, ids),
    ]);
  }

  /**
   * Records a send. On SQLite the writes of one event-loop turn already share a commit; on
   * PostgreSQL the marks of one turn go as one statement (one round trip, not one each).
   */
  markSent(id: number, platformMessageIds: string[]): Promise<void> {
    const platformMessageId = platformMessageIds.length ? platformMessageIds.join(",") : null;
    if (this.driver.provider === "sqlite") {
      return this.driver.execute(`${MARK_SENT} "platformMessageId" = ? WHERE "id" = ?`, [sqlTime(new Date()), platformMessageId, id]).then(() => {});
    }
    return new Promise((resolve, reject) => {
      this.marks.push({ id, platformMessageId, resolve, reject });
      if (this.marks.length === 1) setImmediate(() => void this.markAll());
    });
  }

  private async markAll(): Promise<void> {
    const marks = this.marks;
    this.marks = [];
    try {
      await this.driver.execute(
        `${MARK_SENT} "platformMessageId" = s."platformMessageId" FROM unnest(?::int[], ?::text[]) AS s("id", "platformMessageId") WHERE "Message"."id" = s."id"`,
        [sqlTime(new Date()), marks.map((m) => m.id), marks.map((m) => m.platformMessageId)],
      );
      for (const m of marks) m.resolve();
    } catch (error) {
      for (const m of marks) m.reject(error);
    }
  }

  async markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.driver.execute(`UPDATE "Message" SET "status" = 'pending', "attempts" = "attempts" + 1, "nextAttemptAt" = ?, "lastError" = ? WHERE "id" = ?`, [
      sqlTime(nextAttemptAt), error, id,
    ]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.driver.execute(`UPDATE "Message" SET "status" = 'failed', "attempts" = "attempts" + 1, "nextAttemptAt" = NULL, "lastError" = ? WHERE "id" = ?`, [error, id]);
  }

  /** After the last reply to an erased conversation: forget where it was sent. */
  async forgetErasedChat(conversationId: string): Promise<void> {
    await this.driver.execute(`UPDATE "Conversation" SET "chatId" = 'erased', "updatedAt" = ? WHERE "id" = ? AND "status" = 'erased'`, [
      sqlTime(new Date()),
      conversationId,
    ]);
  }
}
