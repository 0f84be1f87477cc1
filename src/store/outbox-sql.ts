// The outbox in SQL: due messages, claims with a lease, and the outcome of each send.
import type { Provider } from "./database-url.ts";
import type { SealedFields } from "./sealed-fields.ts";
import { all, sqlTime, type SqlDriver } from "./sql-driver.ts";
import type { Channel, OutboxItem } from "./types.ts";

/** `"id"` is one of a list given as one parameter. */
const ID_IN: Record<Provider, string> = {
  sqlite: `"id" IN (SELECT "value" FROM json_each(?))`,
  postgresql: `"id" = ANY(?::int[])`,
};
const idList = (provider: Provider, ids: number[]) => (provider === "sqlite" ? JSON.stringify(ids) : ids);

interface DueRow {
  id: number;
  conversationId: string;
  channel: string;
  kind: string;
  text: string | null;
  payload: string | null;
  attempts: number;
  status: string;
  /** Pending and not backing off, or a `sending` claim whose lease ran out. */
  due: number;
  /** No retry time and no lease. */
  unscheduled: number;
  chatId: string;
}

const DUE = `SELECT m."id", m."conversationId", m."channel", m."kind", m."text", m."payload", m."attempts", m."status",
    CASE WHEN m."nextAttemptAt" IS NULL OR m."nextAttemptAt" <= ? THEN 1 ELSE 0 END AS "due",
    CASE WHEN m."nextAttemptAt" IS NULL THEN 1 ELSE 0 END AS "unscheduled", c."chatId"
  FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId"
  WHERE m."direction" = 'out' AND m."status" IN ('pending', 'sending') ORDER BY m."id" LIMIT ?`;

export class OutboxSql {
  constructor(
    private readonly driver: SqlDriver,
    private readonly fields: SealedFields,
  ) {}

  /**
   * Deliverable messages grouped by conversation, oldest first: the oldest unsent message if
   * it is due, plus up to `perConversation - 1` pending messages right behind it.
   */
  async due(now: Date, perConversation: number, limit: number): Promise<OutboxItem[][]> {
    const rows = await this.driver.rows<DueRow>(DUE, [sqlTime(now), limit]);
    const groups = new Map<string, OutboxItem[] | null>();
    for (const row of rows) {
      const group = groups.get(row.conversationId);
      if (group === null || (group && group.length >= perConversation)) continue;
      const follower = group !== undefined;
      if (!row.due || (follower && (row.status !== "pending" || !row.unscheduled))) {
        groups.set(row.conversationId, group ?? null);
        continue;
      }
      const item: OutboxItem = {
        id: row.id,
        conversationId: row.conversationId,
        kind: row.kind,
        channel: row.channel as Channel,
        chatId: row.chatId,
        text: this.fields.openText(row.text) ?? "",
        payload: this.fields.openPayload(row.payload),
        attempts: row.attempts,
      };
      if (group) group.push(item);
      else groups.set(row.conversationId, [item]);
    }
    return [...groups.values()].filter((g): g is OutboxItem[] => g !== null);
  }

  /** Claims the messages that are still due until `leaseUntil`; answers the ids it got (another deliverer may have the rest). */
  async claim(ids: number[], now: Date, leaseUntil: Date): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const at = sqlTime(now);
    const claimed = await this.driver.transaction(() =>
      all<{ id: number }>(
        `UPDATE "Message" SET "status" = 'sending', "nextAttemptAt" = ?
          WHERE ${ID_IN[this.driver.provider]}
            AND (("status" = 'pending' AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ?)) OR ("status" = 'sending' AND "nextAttemptAt" <= ?))
          RETURNING "id"`,
        sqlTime(leaseUntil), idList(this.driver.provider, ids), at, at,
      ),
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

  async markSent(id: number, platformMessageIds: string[]): Promise<void> {
    await this.driver.execute(
      `UPDATE "Message" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = ?, "nextAttemptAt" = NULL, "lastError" = NULL, "platformMessageId" = ? WHERE "id" = ?`,
      [sqlTime(new Date()), platformMessageIds.length ? platformMessageIds.join(",") : null, id],
    );
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
