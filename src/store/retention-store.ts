// Retention: finds conversations with no activity since a cutoff and deletes them with
// everything they hold (messages, photos and files, reports, handoffs), in short batches. Scheduling is in src/retention/purge-job.ts.
//
// Purged rows are deleted, not tombstoned like /delete: after the retention period no
// platform redelivers an old update (so no event id needs deduplicating), and even a
// tombstone says that someone contacted a helpline and when.
import type { Provider } from "./database-url.ts";
import type { Db, Prisma } from "./prisma.ts";
import { auditData } from "./audit-row.ts";
import type { AuditInput } from "./staff-types.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;
type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface PurgeCounts {
  conversations: number;
  messages: number;
  reports: number;
  handoffs: number;
  contacts: number;
}

export interface PurgeOptions {
  /** Who the audit entry names (the scheduled job: "system"; the CLI: "cli"). */
  actor: AuditInput["actor"];
  /** The retention period the cutoff came from, recorded in the audit entry. */
  days: number;
  /** Conversations per transaction: short turns keep the bot answering meanwhile. */
  batchSize?: number;
  /** Called between selecting a batch and deleting it (tests race a new message in here). */
  afterSelect?: () => Promise<void>;
}

const PURGE_ACTION = "retention.purge";
/** Staff are still working on these: their conversation stays, however old. */
const ACTIVE_HANDOFF = ["open", "in_progress"];
const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 };

const zero = (): PurgeCounts => ({ conversations: 0, messages: 0, reports: 0, handoffs: 0, contacts: 0 });
const sum = (a: PurgeCounts, b: PurgeCounts): PurgeCounts => ({
  conversations: a.conversations + b.conversations,
  messages: a.messages + b.messages,
  reports: a.reports + b.reports,
  handoffs: a.handoffs + b.handoffs,
  contacts: a.contacts + b.contacts,
});
const purgedAnything = (c: PurgeCounts) => c.conversations + c.contacts > 0;

/** No message, conversation step or handoff change since `cutoff`. */
function quietSince(cutoff: Date): Prisma.ConversationWhereInput {
  return {
    updatedAt: { lt: cutoff },
    messages: { none: { createdAt: { gte: cutoff } } },
    handoffs: { none: { updatedAt: { gte: cutoff } } },
  };
}

/** What the purge deletes: quiet since `cutoff` and no handoff that staff are still working on. */
function expiredWhere(cutoff: Date): Prisma.ConversationWhereInput {
  return {
    ...quietSince(cutoff),
    handoffs: { none: { OR: [{ updatedAt: { gte: cutoff } }, { status: { in: ACTIVE_HANDOFF } }] } },
  };
}

export class RetentionStore {
  private readonly db: Db;
  private readonly provider: Provider;
  private readonly run: Run;

  constructor(db: Db, provider: Provider, run: Run) {
    this.db = db;
    this.provider = provider;
    this.run = run;
  }

  /** What a purge with this cutoff would delete now, and how many old conversations an open handoff keeps. */
  async preview(cutoff: Date): Promise<PurgeCounts & { keptOpen: number }> {
    const expired = expiredWhere(cutoff);
    const [conversations, messages, reports, handoffs, contacts, orphans, keptOpen] = await this.run(() =>
      Promise.all([
        this.db.conversation.count({ where: expired }),
        this.db.message.count({ where: { conversation: expired } }),
        this.db.report.count({ where: { conversation: expired } }),
        this.db.handoffRequest.count({ where: { conversation: expired } }),
        this.db.contact.count({ where: { conversations: { some: expired, every: expired } } }),
        this.db.contact.count({ where: this.orphanWhere(cutoff) }),
        this.keptOpenCount(cutoff),
      ]),
    );
    return { conversations, messages, reports, handoffs, contacts: contacts + orphans, keptOpen };
  }

  /**
   * Deletes every expired conversation (messages, reports, handoffs with it) and the
   * contacts left with no conversation. Each batch is one transaction that also creates or
   * updates this run's audit entry, so the log always matches what was deleted. A run that
   * deletes nothing writes no entry.
   *
   * Safe beside the engine and other purges: a batch locks its contacts (lockContacts) and
   * then checks again that each conversation is still expired, so one that got a new
   * message after it was selected stays, and two purges never delete (or count) a row twice.
   */
  async purge(cutoff: Date, options: PurgeOptions): Promise<PurgeCounts & { keptOpen: number }> {
    const batchSize = options.batchSize ?? 100;
    const keptOpen = await this.run(() => this.keptOpenCount(cutoff));
    const detail = (counts: PurgeCounts) => ({ days: options.days, before: cutoff.toISOString(), ...counts, keptOpen });
    let total = zero();
    let auditId: number | undefined;
    const commit = async (batch: (tx: Tx) => Promise<PurgeCounts>) => {
      const done = await this.run(() =>
        this.db.$transaction(async (tx) => this.record(tx, auditId, options.actor, detail, total, await batch(tx)), TX_OPTIONS),
      );
      total = done.total;
      auditId = done.auditId;
    };
    for (let after = ""; ; ) {
      const candidates = await this.run(() =>
        this.db.conversation.findMany({
          where: { id: { gt: after }, ...expiredWhere(cutoff) },
          orderBy: { id: "asc" },
          take: batchSize,
          select: { id: true, contactId: true },
        }),
      );
      if (candidates.length === 0) break;
      after = candidates.at(-1)!.id;
      await options.afterSelect?.();
      await commit((tx) => this.purgeBatch(tx, cutoff, candidates));
      if (candidates.length < batchSize) break;
    }
    // Contacts with no conversation at all: none is created that way, but none may linger.
    for (let after = ""; ; ) {
      const orphans = await this.run(() =>
        this.db.contact.findMany({ where: { id: { gt: after }, ...this.orphanWhere(cutoff) }, orderBy: { id: "asc" }, take: batchSize, select: { id: true } }),
      );
      if (orphans.length === 0) break;
      after = orphans.at(-1)!.id;
      await commit(async (tx) => {
        const ids = await this.lockContacts(tx, orphans.map((o) => o.id));
        const { count } = await tx.contact.deleteMany({ where: { id: { in: ids }, ...this.orphanWhere(cutoff) } });
        return { ...zero(), contacts: count };
      });
      if (orphans.length < batchSize) break;
    }
    return { ...total, keptOpen };
  }

  /**
   * On PostgreSQL, locks these contacts as a conversation step does (FOR UPDATE), skipping
   * any that a step holds right now: they are active, and the next run looks again.
   * Returns the ids now held. On SQLite the caller's turn excludes everyone else in this
   * process, and the batch takes the file's write lock before it reads: another process
   * (the server beside `npm run db:purge`) that writes between a deferred transaction's
   * read and its first delete makes that delete fail at once ("database is locked",
   * SQLITE_BUSY_SNAPSHOT) instead of waiting out busy_timeout.
   */
  private async lockContacts(tx: Tx, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return ids;
    if (this.provider !== "postgresql") {
      await tx.$executeRawUnsafe(`UPDATE "Contact" SET "id" = "id" WHERE 0`);
      return ids;
    }
    const sorted = [...ids].sort();
    const placeholders = sorted.map((_, i) => `$${i + 1}`).join(", ");
    const locked = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM "Contact" WHERE id IN (${placeholders}) ORDER BY id FOR UPDATE SKIP LOCKED`,
      ...sorted,
    );
    return locked.map((r) => r.id);
  }

  private async purgeBatch(tx: Tx, cutoff: Date, candidates: { id: string; contactId: string }[]): Promise<PurgeCounts> {
    const contactIds = await this.lockContacts(tx, [...new Set(candidates.map((c) => c.contactId))]);
    if (contactIds.length === 0) return zero();
    // Checked again now that nobody else can add to these conversations.
    const still = await tx.conversation.findMany({
      where: { id: { in: candidates.map((c) => c.id) }, contactId: { in: contactIds }, ...expiredWhere(cutoff) },
      select: { id: true },
    });
    const ids = still.map((c) => c.id);
    if (ids.length === 0) return zero();
    const inIds = { conversationId: { in: ids } };
    // Photos and files first: they hang on the messages.
    await tx.evidenceFile.deleteMany({ where: inIds });
    const messages = (await tx.message.deleteMany({ where: inIds })).count;
    const reports = (await tx.report.deleteMany({ where: inIds })).count;
    await tx.staffAlert.deleteMany({ where: { handoff: inIds } });
    const handoffs = (await tx.handoffRequest.deleteMany({ where: inIds })).count;
    const conversations = (await tx.conversation.deleteMany({ where: { id: { in: ids } } })).count;
    const contacts = (await tx.contact.deleteMany({ where: { id: { in: contactIds }, conversations: { none: {} } } })).count;
    return { conversations, messages, reports, handoffs, contacts };
  }

  /** Adds a batch to the run's audit entry (created by its first batch that deleted anything), in the batch's transaction. */
  private async record(
    tx: Tx,
    auditId: number | undefined,
    actor: AuditInput["actor"],
    detail: (counts: PurgeCounts) => Record<string, unknown>,
    total: PurgeCounts,
    batch: PurgeCounts,
  ): Promise<{ total: PurgeCounts; auditId: number | undefined }> {
    if (!purgedAnything(batch)) return { total, auditId };
    const next = sum(total, batch);
    if (auditId === undefined) {
      const row = await tx.auditEntry.create({ data: auditData({ actor, action: PURGE_ACTION, detail: detail(next) }), select: { id: true } });
      return { total: next, auditId: row.id };
    }
    await tx.auditEntry.update({ where: { id: auditId }, data: { detail: JSON.stringify(detail(next)) } });
    return { total: next, auditId };
  }

  private orphanWhere(cutoff: Date): Prisma.ContactWhereInput {
    return { lastSeenAt: { lt: cutoff }, conversations: { none: {} } };
  }

  /** Old conversations the purge leaves alone because a handoff is still open or in progress. */
  private keptOpenCount(cutoff: Date): Promise<number> {
    return this.db.conversation.count({ where: { ...quietSince(cutoff), AND: [{ handoffs: { some: { status: { in: ACTIVE_HANDOFF } } } }] } });
  }
}
