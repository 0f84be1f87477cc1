// Persistence for the engine, the outbox, the channels and the staff console.
//
// The rule: every write to a conversation's rows (contact, conversation, messages, hand-off,
// report, photos and files, auto-clear schedule) is an SQL work unit in conversation-writes.ts,
// run in one transaction on the store's writer: on SQLite the writer thread (sqlite/), the one
// connection that writes those rows and the outbox; on PostgreSQL the steps' pool, a person's
// steps grouped (postgres-step-batch.ts). The outbox's SQL is outbox-sql.ts and
// outbox-presence-sql.ts. Staff accounts, sessions and audit (staff-store.ts), retention,
// alerts, evidence fetching and reading for the console go through Prisma; on SQLite its
// operations take turns with the writer (sqlite/turns.ts).
import { createDecider, type DeciderOptions } from "../engine/decider.ts";
import { createLogger, type Logger } from "../log.ts";
import { openPrisma, type Db } from "./prisma.ts";
import { committedMigrations } from "./migrate.ts";
import { providerOf, sqlitePath, type Provider } from "./database-url.ts";
import { SealedFields } from "./sealed-fields.ts";
import { PostgresDriver } from "./postgres-driver.ts";
import { ConversationWriter, type ConversationWrites } from "./conversation-writer.ts";
import type { StepContext } from "./conversation-writes.ts";
import { OutboxSql, type Outbox } from "./outbox-sql.ts";
import { OutboxPresenceSql, type OutboxPresence } from "./outbox-presence-sql.ts";
import { PostgresStepBatch } from "./postgres-step-batch.ts";
import { SqliteWriter } from "./sqlite/writer.ts";
import type { Turns } from "./sqlite/turns.ts";
import { AlertStore } from "./alert-store.ts";
import { EvidenceStore } from "./evidence-store.ts";
import { StaffStore } from "./staff-store.ts";
import { FieldCipher, type CipherKey } from "./field-cipher.ts";
import { RetentionStore } from "./retention-store.ts";
import { AutoClearStore } from "./auto-clear-store.ts";
import { personVisibleWhere, type PersonRow } from "./person-view.ts";
import type { Channel, OutboxItem, StepInput, StepOutput, StepResult, StoredConversation, TranscriptEntry } from "./types.ts";

export { ConversationErasedError, StaleHandoffError } from "./errors.ts";
export type { Channel, OutboxItem, StepContext, StepInput, StepOutput, StepResult, StoredConversation, TranscriptEntry };

export interface StoreOptions {
  /** Keys that encrypt what people wrote (see field-cipher.ts); none: plain text. */
  keys?: CipherKey[];
  /** How steps decide (the helpline flow with these options); unset: the store runs no steps (tools). */
  decider?: DeciderOptions;
  log?: Logger;
}

/** Where the writes of conversations and the outbox run. */
interface Writer {
  conversations: ConversationWrites;
  outbox: Outbox;
  presence: OutboxPresence;
  /** For readiness: a read that does not queue behind steps. */
  reads: { rows<T>(sql: string, params?: unknown[]): Promise<T[]> };
  /** SQLite: Prisma's operations take turns with the writer. */
  turns?: Turns;
  close(): Promise<void>;
}

export class Store {
  private readonly db: Db;
  private readonly writer: Writer;
  readonly provider: Provider;
  private readonly fields: SealedFields;
  readonly staff: StaffStore;
  readonly retention: RetentionStore;
  readonly alerts: AlertStore;
  /** Photos and files people sent, and their fetching (src/evidence). */
  readonly evidence: EvidenceStore;
  readonly autoClear: AutoClearStore;
  /**
   * Every write to a conversation's rows: a person's step (the flow decides inside its
   * transaction), a staff action, an auto-clear, a platform's notice (conversation-writes.ts).
   */
  readonly conversations: ConversationWrites;
  /** The outbox: due messages, claims, the outcome of each send (src/outbox). */
  readonly outbox: Outbox;
  /** The processes delivering the outbox: identity, heartbeat, release of dead processes' claims. */
  readonly presence: OutboxPresence;
  /** Once every migration was seen applied, readiness only checks that the database answers. */
  private migrationsApplied = false;

  private constructor(db: Db, writer: Writer, provider: Provider, fields: SealedFields) {
    this.db = db;
    this.writer = writer;
    this.provider = provider;
    this.fields = fields;
    this.conversations = writer.conversations;
    this.outbox = writer.outbox;
    this.presence = writer.presence;
    const turn = <T>(operation: () => Promise<T>) => this.turn(operation);
    this.staff = new StaffStore(db, turn, fields);
    this.retention = new RetentionStore(db, provider, turn);
    this.alerts = new AlertStore(db, turn);
    this.evidence = new EvidenceStore(db, turn, fields);
    this.autoClear = new AutoClearStore(db, turn);
  }

  /** A Prisma operation, in its turn with the SQLite writer. */
  private turn<T>(operation: () => Promise<T>): Promise<T> {
    return this.writer.turns ? this.writer.turns.prismaTurn(operation) : operation();
  }

  static async open(url: string, options: StoreOptions = {}): Promise<Store> {
    const provider = providerOf(url);
    const keys = options.keys ?? [];
    const fields = new SealedFields(new FieldCipher(keys));
    const log = options.log ?? createLogger("silent");
    let writer: Writer;
    if (provider === "postgresql") {
      // The outbox has its own few connections, so its claims and marks never queue behind steps.
      const steps = new PostgresDriver(url, 10);
      const outbox = new PostgresDriver(url, 3);
      const decider = options.decider ? await createDecider(options.decider, log) : undefined;
      writer = {
        conversations: new ConversationWriter(steps, fields, decider, new PostgresStepBatch(steps, fields)),
        outbox: new OutboxSql(outbox, fields),
        presence: new OutboxPresenceSql(outbox),
        reads: outbox,
        close: async () => void (await Promise.all([steps.close(), outbox.close()])),
      };
    } else {
      const thread = await SqliteWriter.start({ path: sqlitePath(url), keys, ...(options.decider ? { decider: options.decider } : {}) }, log);
      const { calls } = thread;
      writer = { conversations: calls, outbox: calls, presence: calls, reads: calls, turns: thread.turns, close: () => thread.close() };
    }
    try {
      return new Store(await openPrisma(url), writer, provider, fields);
    } catch (error) {
      await writer.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.db.$disconnect();
  }

  async knownContact(channel: Channel, platformUserId: string): Promise<boolean> {
    const row = await this.turn(() =>
      this.db.contact.findUnique({ where: { channel_platformUserId: { channel, platformUserId } }, select: { id: true } }),
    );
    return row !== null;
  }

  // ---- reading ----

  async transcript(channel: Channel, chatId: string, afterId = 0): Promise<TranscriptEntry[]> {
    const rows = await this.turn(() =>
      this.db.message.findMany({
        where: { id: { gt: afterId }, conversation: { channel, chatId } },
        orderBy: { id: "asc" },
        take: 200,
        select: { id: true, direction: true, kind: true, text: true, payload: true, status: true, createdAt: true },
      }),
    );
    return rows.map((r) => ({
      ...r,
      direction: r.direction as "in" | "out",
      text: this.fields.openText(r.text),
      payload: this.fields.openPayload(r.payload),
    }));
  }

  /**
   * The rows of the person's own chat (see person-view.ts) from the `after`-th on, at most
   * `take`. Numbered per chat (1, 2, …), so the global message ids stay internal.
   */
  async personTranscript(channel: Channel, chatId: string, after = 0, take = 200): Promise<PersonRow[]> {
    const rows = await this.turn(() =>
      this.db.message.findMany({
        where: { conversation: { channel, chatId }, ...personVisibleWhere },
        orderBy: { id: "asc" },
        skip: after,
        take,
        select: { conversationId: true, direction: true, kind: true, text: true, payload: true, status: true, platformEventId: true },
      }),
    );
    return rows.map((r, i) => ({
      seq: after + i + 1,
      conversationId: r.conversationId,
      direction: r.direction as "in" | "out",
      kind: r.kind,
      text: this.fields.openText(r.text),
      payload: this.fields.openPayload(r.payload),
      status: r.status,
      eventId: r.platformEventId,
    }));
  }

  /** The language chosen in the chat's latest conversation, if any. */
  async chatLanguage(channel: Channel, chatId: string): Promise<string | null> {
    const row = await this.turn(() =>
      this.db.conversation.findFirst({ where: { channel, chatId }, orderBy: { createdAt: "desc" }, select: { language: true } }),
    );
    return row?.language ?? null;
  }

  /**
   * After a key rotation: re-encrypts every value not sealed with the current key (plain
   * text from before encryption was on, or an older key). A row changed meanwhile by the
   * running server is left alone (conditional update) and picked up by the next run.
   */
  async reseal(batch = 500): Promise<{ messages: number; conversations: number; reports: number; evidence: number }> {
    const c = this.fields.cipher;
    const reseal = (column: string, stored: string | null) => (c.needsResealing(stored) ? c.seal(column, c.open(column, stored)) : stored);
    const messages = await this.walk(
      0,
      (after) => this.db.message.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, text: true, payload: true } }),
      async (r) => {
        if (!c.needsResealing(r.text) && !c.needsResealing(r.payload)) return 0;
        const data = { text: reseal("Message.text", r.text), payload: reseal("Message.payload", r.payload) };
        return (await this.turn(() => this.db.message.updateMany({ where: { id: r.id, text: r.text, payload: r.payload }, data }))).count;
      },
    );
    const conversations = await this.walk(
      "",
      (after) => this.db.conversation.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, snapshot: true } }),
      async (r) => {
        if (!c.needsResealing(r.snapshot)) return 0;
        const snapshot = reseal("Conversation.snapshot", r.snapshot)!;
        return (await this.turn(() => this.db.conversation.updateMany({ where: { id: r.id, snapshot: r.snapshot }, data: { snapshot } }))).count;
      },
    );
    const reports = await this.walk(
      "",
      (after) => this.db.report.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, answers: true } }),
      async (r) => {
        if (!c.needsResealing(r.answers)) return 0;
        const answers = reseal("Report.answers", r.answers)!;
        return (await this.turn(() => this.db.report.updateMany({ where: { id: r.id, answers: r.answers }, data: { answers } }))).count;
      },
    );
    // Photos and files: a few at a time (each can be megabytes).
    const evidence = await this.walk(
      "",
      (after) =>
        this.db.evidenceFile.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: 20, select: { id: true, source: true, fileName: true, content: true, status: true } }),
      async (r) => {
        const content = r.content ? Buffer.from(r.content) : null;
        if (!c.needsResealing(r.source) && !c.needsResealing(r.fileName) && !c.needsResealingBytes(content)) return 0;
        const data = {
          source: reseal("EvidenceFile.source", r.source)!,
          fileName: reseal("EvidenceFile.fileName", r.fileName),
          ...(content && c.needsResealingBytes(content) ? { content: new Uint8Array(c.sealBytes("EvidenceFile.content", c.openBytes("EvidenceFile.content", content))) } : {}),
        };
        // Unchanged meanwhile (a fetch settling changes the status): else the next run takes it.
        return (await this.turn(() => this.db.evidenceFile.updateMany({ where: { id: r.id, source: r.source, status: r.status }, data }))).count;
      },
    );
    return { messages, conversations, reports, evidence };
  }

  /** Visits a table in id order a page at a time; `each` returns how many rows it changed. */
  private async walk<Id, Row extends { id: Id }>(first: Id, page: (after: Id) => Promise<Row[]>, each: (row: Row) => Promise<number>): Promise<number> {
    let changed = 0;
    for (let after = first; ; ) {
      const rows = await this.turn(() => page(after));
      if (rows.length === 0) return changed;
      for (const row of rows) {
        after = row.id;
        changed += await each(row);
      }
    }
  }

  /**
   * Database reachable and every committed migration applied. Migrations cannot change
   * under a running server once they are all applied, so after that only a trivial query
   * is asked: on SQLite on the writer's connection, beside the writes (WAL); on PostgreSQL
   * on the outbox's small pool, not behind the steps.
   */
  async ready(): Promise<{ ok: boolean; reason?: string }> {
    try {
      if (this.migrationsApplied) {
        await this.writer.reads.rows("SELECT 1");
        return { ok: true };
      }
      const rows = await this.writer.reads.rows<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Set(rows.map((r) => r.migration_name));
      const missing = committedMigrations(this.provider).filter((m) => !applied.has(m.name));
      if (missing.length) return { ok: false, reason: "migrations pending" };
      this.migrationsApplied = true;
      return { ok: true };
    } catch {
      return { ok: false, reason: "database unreachable" };
    }
  }
}
