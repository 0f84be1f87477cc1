// Auto-clear's schedule (the AutoClear table; steps keep it moving, see step-sql.ts). A due
// chat is cleared in one transaction that claims its row (sets `dueAt` to null: a second
// instance, or a second run, finds nothing to claim), queues the deletion of every message
// Telegram still lets the bot delete as an outbox row (delivered like /stop's), and records
// the clearing for staff. A crash before the commit leaves the row due; after it, the outbox
// has the deletion. While staff are writing a reply (`holdUntil`), the chat is not cleared.
import type { Db } from "./prisma.ts";
import type { SealedFields } from "./sealed-fields.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;
type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Telegram deletes messages up to 48 h old; keep a margin for the queue (as /stop does). */
const DELETABLE_FOR_MS = 47 * 60 * 60 * 1000;
const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

export interface AutoClearSchedule {
  conversationId: string;
  minutes: number;
  dueAt: Date | null;
  holdUntil: Date | null;
}

export class AutoClearStore {
  constructor(
    private readonly db: Db,
    private readonly exclusive: Run,
    private readonly fields: SealedFields,
    private readonly lockContact: (tx: Tx, contactId: string) => Promise<void>,
  ) {}

  /** Conversations due for clearing at `now` and not held by a reply being written, oldest first. */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows = await this.exclusive(() =>
      this.db.autoClear.findMany({
        where: { dueAt: { lte: now }, OR: [{ holdUntil: null }, { holdUntil: { lte: now } }] },
        orderBy: { dueAt: "asc" },
        take: limit,
        select: { conversationId: true },
      }),
    );
    return rows.map((r) => r.conversationId);
  }

  /**
   * Clears one due conversation: false when it is no longer due (new activity moved it on,
   * staff are writing, or another instance cleared it first).
   */
  clear(conversationId: string, now: Date): Promise<boolean> {
    return this.exclusive(() =>
      this.db.$transaction(async (tx) => {
        const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { contactId: true, channel: true } });
        if (!conversation) return false;
        // Takes its turn with the person's steps and staff actions (PostgreSQL: the contact's row lock).
        await this.lockContact(tx, conversation.contactId);
        const claimed = await tx.autoClear.updateMany({
          where: { conversationId, dueAt: { lte: now }, OR: [{ holdUntil: null }, { holdUntil: { lte: now } }] },
          data: { dueAt: null },
        });
        if (claimed.count === 0) return false;
        const sent = await tx.message.findMany({
          where: { conversationId, platformMessageId: { not: null }, createdAt: { gte: new Date(Date.now() - DELETABLE_FOR_MS) } },
          orderBy: { id: "asc" },
          select: { platformMessageId: true },
        });
        const messageIds = sent.flatMap((m) => m.platformMessageId!.split(","));
        const { channel } = conversation;
        if (messageIds.length > 0) {
          await tx.message.create({
            data: { conversationId, channel, direction: "out", kind: "delete", payload: this.fields.payload({ messageIds, autoClear: true }), status: "pending" },
          });
        }
        await tx.message.create({
          data: { conversationId, channel, direction: "event", kind: "autoClear.done", payload: this.fields.payload({ count: messageIds.length }), status: "recorded" },
        });
        return true;
      }, TX_OPTIONS),
    );
  }

  /** Staff are writing a reply: no clearing before `until` (the console renews it while they type). */
  async hold(conversationId: string, until: Date): Promise<void> {
    await this.exclusive(() => this.db.autoClear.updateMany({ where: { conversationId }, data: { holdUntil: until } }));
  }

  /** Staff sent something (inside their action's transaction): the quiet time starts again, and the hold ends. */
  async rearm(tx: Tx, conversationId: string, now: Date): Promise<void> {
    const row = await tx.autoClear.findUnique({ where: { conversationId }, select: { minutes: true } });
    if (row) await tx.autoClear.update({ where: { conversationId }, data: { dueAt: new Date(now.getTime() + row.minutes * 60_000), holdUntil: null } });
  }

  async schedule(conversationId: string): Promise<AutoClearSchedule | null> {
    return this.exclusive(() => this.db.autoClear.findUnique({ where: { conversationId } }));
  }
}
