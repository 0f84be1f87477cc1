// Auto-clear's schedule (the AutoClear table; steps keep it moving, see conversation-writes.ts).
// A due chat is cleared by the writer (Store.conversations.clearChat, clearChatWork): one transaction claims its row,
// queues the deletion of every message Telegram still lets the bot delete as an outbox row
// (delivered like /stop's), and records the clearing for staff. A crash before the commit
// leaves the row due; after it, the outbox has the deletion. While staff are writing a
// reply (`holdUntil`), the chat is not cleared.
import type { Db } from "./prisma.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;

export interface AutoClearSchedule {
  conversationId: string;
  minutes: number;
  dueAt: Date | null;
  holdUntil: Date | null;
}

export class AutoClearStore {
  private readonly db: Db;
  private readonly turn: Run;

  constructor(db: Db, turn: Run) {
    this.db = db;
    this.turn = turn;
  }

  /** Conversations due for clearing at `now` and not held by a reply being written, oldest first. */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows = await this.turn(() =>
      this.db.autoClear.findMany({
        where: { dueAt: { lte: now }, OR: [{ holdUntil: null }, { holdUntil: { lte: now } }] },
        orderBy: { dueAt: "asc" },
        take: limit,
        select: { conversationId: true },
      }),
    );
    return rows.map((r) => r.conversationId);
  }

  /** Staff are writing a reply: no clearing before `until` (the console renews it while they type). */
  async hold(conversationId: string, until: Date): Promise<void> {
    await this.turn(() => this.db.autoClear.updateMany({ where: { conversationId }, data: { holdUntil: until } }));
  }

  async schedule(conversationId: string): Promise<AutoClearSchedule | null> {
    return this.turn(() => this.db.autoClear.findUnique({ where: { conversationId } }));
  }
}
