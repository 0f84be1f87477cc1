// Persistence for the engine, the outbox and the channels. One transaction per step.
// The hot path (steps, outbox) is plain SQL on the drivers (step-sql.ts, outbox-sql.ts);
// Prisma serves the cold paths: staff actions and the console, transcripts, erasure tools.
import { openPrisma, type Db } from "./prisma.ts";
import { committedMigrations } from "./migrate.ts";
import { providerOf, sqlitePath, type Provider } from "./database-url.ts";
import { SealedFields } from "./sealed-fields.ts";
import { SqliteDriver, SqliteGate } from "./sqlite-driver.ts";
import { PostgresDriver } from "./postgres-driver.ts";
import { runStep, type StepContext } from "./step-sql.ts";
import { OutboxSql, type Outbox } from "./outbox-sql.ts";
import { OutboxPresenceSql, type OutboxPresence } from "./outbox-presence-sql.ts";
import { PostgresStepBatch } from "./postgres-step-batch.ts";
import type { WriteLock } from "./write-lock.ts";
import { AlertStore } from "./alert-store.ts";
import { EvidenceStore } from "./evidence-store.ts";
import { auditData, StaffStore } from "./staff-store.ts";
import { FieldCipher } from "./field-cipher.ts";
import { RetentionStore } from "./retention-store.ts";
import { AutoClearStore } from "./auto-clear-store.ts";
import { personVisibleWhere, type PersonRow } from "./person-view.ts";
import type { StaffRecord, HandoffStatus } from "./staff-types.ts";
import type {
  Channel,
  ConversationStatus,
  OutboxItem,
  StepInput,
  StepOutput,
  StepResult,
  StoredConversation,
  TranscriptEntry,
} from "./types.ts";

export type { Channel, OutboxItem, StepContext, StepInput, StepOutput, StepResult, StoredConversation, TranscriptEntry };

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

/** What a staff action's machine step decided (see Engine.staffStep). */
export interface StaffStepOutput {
  machineId: string;
  machineVersion: number;
  snapshot: string;
  status: ConversationStatus;
  outbound: StepOutput["outbound"];
}

/**
 * The hot path on the step thread (SQLite, src/engine/step-thread.ts): the engine sends it
 * steps itself; the store reaches the outbox and readiness reads through it, and Prisma's
 * operations take turns with it through `lock`.
 */
export interface HotPathThread extends Outbox, OutboxPresence {
  readonly lock: WriteLock;
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Where the hot path's SQL runs. */
interface HotPath {
  /** Runs a step here; unset when steps run on the step thread. */
  step?: (input: StepInput, decide: (ctx: StepContext) => StepOutput) => Promise<StepResult>;
  outbox: Outbox;
  presence: OutboxPresence;
  /** For readiness: a read that does not queue behind steps. */
  reads: { rows<T>(sql: string, params?: unknown[]): Promise<T[]> };
  /** SQLite: Prisma's operations take turns with the hot path's writes. */
  gate?: SqliteGate;
  close(): Promise<void>;
}

export class StaleHandoffError extends Error {}
export class ConversationErasedError extends Error {}

export class Store {
  readonly staff: StaffStore;
  readonly retention: RetentionStore;
  readonly alerts: AlertStore;
  /** Photos and files people sent, and their fetching (src/evidence). */
  readonly evidence: EvidenceStore;
  readonly autoClear: AutoClearStore;

  private readonly outbox: Outbox;
  /** The processes delivering the outbox: identity, heartbeat, release of dead processes' claims. */
  readonly presence: OutboxPresence;
  /** Once every migration was seen applied, readiness only checks that the database answers. */
  private migrationsApplied = false;

  private constructor(
    private readonly db: Db,
    private readonly hot: HotPath,
    readonly provider: Provider,
    private readonly fields: SealedFields,
  ) {
    this.outbox = hot.outbox;
    this.presence = hot.presence;
    this.staff = new StaffStore(db, (operation) => this.exclusive(operation), fields);
    this.retention = new RetentionStore(db, provider, (operation) => this.exclusive(operation));
    this.alerts = new AlertStore(db, (operation) => this.exclusive(operation));
    this.evidence = new EvidenceStore(db, (operation) => this.exclusive(operation), fields);
    this.autoClear = new AutoClearStore(db, (operation) => this.exclusive(operation), fields, (tx, contactId) => this.lockContact(tx, contactId));
  }

  /** On SQLite, Prisma's operations take turns with the hot path's group commits (see SqliteGate). */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return this.hot.gate ? this.hot.gate.run(operation) : operation();
  }

  /**
   * `cipher` encrypts what people wrote (see field-cipher.ts); without keys it stores plain
   * text. With `thread` (SQLite), the hot path runs on the step thread.
   */
  static async open(url: string, cipher = new FieldCipher(), thread?: HotPathThread): Promise<Store> {
    const provider = providerOf(url);
    const fields = new SealedFields(cipher);
    let hot: HotPath;
    if (provider === "postgresql") {
      // The outbox has its own few connections, so its claims and marks never queue behind steps.
      const steps = new PostgresDriver(url, 10);
      const outbox = new PostgresDriver(url, 3);
      const batch = new PostgresStepBatch(steps, fields);
      hot = {
        step: (input, decide) => batch.step(input, decide),
        outbox: new OutboxSql(outbox, fields),
        presence: new OutboxPresenceSql(outbox),
        reads: outbox,
        close: async () => void (await Promise.all([steps.close(), outbox.close()])),
      };
    } else if (thread) {
      hot = { outbox: thread, presence: thread, reads: thread, gate: new SqliteGate(thread.lock), close: () => thread.close() };
    } else {
      const sqlite = new SqliteDriver(sqlitePath(url));
      hot = {
        step: (input, decide) => runStep(sqlite, fields, input, decide),
        outbox: new OutboxSql(sqlite, fields),
        presence: new OutboxPresenceSql(sqlite),
        reads: sqlite,
        gate: sqlite.gate,
        close: () => sqlite.close(),
      };
    }
    return new Store(await openPrisma(url), hot, provider, fields);
  }

  async close(): Promise<void> {
    await this.hot.close();
    await this.db.$disconnect();
  }

  /**
   * Runs one conversation step: `decide` sees the current conversation and returns what
   * to store. Contact, inbound message, snapshot, outbox rows and handoff are committed
   * together. A repeated platform event id changes nothing and reports `duplicate`.
   */
  step(input: StepInput, decide: (ctx: StepContext) => StepOutput): Promise<StepResult> {
    return this.hot.step ? this.hot.step(input, decide) : Promise.reject(new Error("steps run on the step thread"));
  }

  /** On PostgreSQL, serialises everything that changes one person's conversations, across processes. */
  private async lockContact(tx: Tx, contactId: string): Promise<void> {
    if (this.provider === "postgresql") await tx.$queryRaw`SELECT id FROM "Contact" WHERE id = ${contactId} FOR UPDATE`;
  }

  /** Creates outbox rows in order and returns their ids (createMany returns none). */
  private async queueOutbound(tx: Tx, conversationId: string, channel: Channel, outbound: StepOutput["outbound"]): Promise<number[]> {
    const ids: number[] = [];
    for (const data of this.fields.outboxRows(conversationId, channel, outbound)) ids.push((await tx.message.create({ data, select: { id: true } })).id);
    return ids;
  }

  private async addEvents(tx: Tx, conversationId: string, channel: string, events: StaffRecord["events"], staffId?: string): Promise<void> {
    for (const e of events) {
      await tx.message.create({
        data: { conversationId, channel, direction: "event", kind: e.kind, payload: this.fields.payload(e.payload), staffId: staffId ?? null, status: "recorded" },
      });
    }
  }

  /**
   * A staff action on a handed-off conversation, in one transaction: optionally a machine
   * step (`decide`, for replies and closing), an internal note, transcript events, the
   * handoff's new status/assignee and the audit entries. Fails with StaleHandoffError when
   * the handoff's status is no longer one of `expect` (another staff member got there first)
   * and with ConversationErasedError when the person erased their data.
   */
  async staffAction(input: {
    conversationId: string;
    expect: HandoffStatus[];
    /** The assignee the action was decided for (undefined: any). */
    expectAssignee?: string | null;
    record: StaffRecord;
    note?: string;
    decide?: (ctx: StepContext & { conversation: StoredConversation }) => StaffStepOutput;
  }): Promise<{ outboundIds: number[]; noteId?: number }> {
    const { conversationId, record } = input;
    return this.exclusive(() =>
      this.db.$transaction(async (tx) => {
        const conversation = await tx.conversation.findUnique({
          where: { id: conversationId },
          select: { id: true, channel: true, contactId: true, machineId: true, machineVersion: true, snapshot: true, status: true, language: true },
        });
        if (!conversation) throw new StaleHandoffError();
        await this.lockContact(tx, conversation.contactId);
        const handoff = await tx.handoffRequest.findUnique({ where: { id: record.handoffId }, select: { status: true, assigneeId: true } });
        if (conversation.status === "erased" || handoff?.status === "erased") throw new ConversationErasedError();
        if (!handoff || !input.expect.includes(handoff.status as HandoffStatus)) throw new StaleHandoffError();
        if (input.expectAssignee !== undefined && handoff.assigneeId !== input.expectAssignee) throw new StaleHandoffError();

        let outboundIds: number[] = [];
        if (input.decide) {
          const contact = await tx.contact.findUniqueOrThrow({ where: { id: conversation.contactId }, select: { language: true } });
          const out = input.decide({
            contactLanguage: contact.language,
            conversation: {
              ...conversation,
              status: conversation.status as ConversationStatus,
              snapshot: this.fields.openSnapshot(conversation.snapshot),
            },
          });
          await tx.conversation.update({
            where: { id: conversationId },
            data: { machineId: out.machineId, machineVersion: out.machineVersion, snapshot: this.fields.snapshot(out.snapshot), status: out.status, seq: { increment: 1 } },
          });
          outboundIds = await this.queueOutbound(tx, conversationId, conversation.channel as Channel, out.outbound);
          // What staff send is activity: an auto-clear waits its full quiet time again.
          if (out.outbound.length > 0) await this.autoClear.rearm(tx, conversationId, new Date());
        }
        let noteId: number | undefined;
        if (input.note !== undefined) {
          const row = await tx.message.create({
            data: { conversationId, channel: conversation.channel, direction: "note", kind: "text", text: this.fields.text(input.note), staffId: record.staffId, status: "internal" },
            select: { id: true },
          });
          noteId = row.id;
        }
        await this.addEvents(tx, conversationId, conversation.channel, record.events, record.staffId);
        if (record.handoff) {
          const { status, assigneeId } = record.handoff;
          await tx.handoffRequest.update({
            where: { id: record.handoffId },
            data: {
              // closedAt: when the case was finished (resolved or closed), so staff see how long it took.
              ...(status ? { status, closedAt: status === "closed" || status === "resolved" ? new Date() : null } : {}),
              ...(assigneeId !== undefined ? { assigneeId } : {}),
            },
          });
        } else {
          await tx.handoffRequest.update({ where: { id: record.handoffId }, data: { updatedAt: new Date() } });
        }
        for (const entry of record.audit) await tx.auditEntry.create({ data: auditData(entry) });
        return { outboundIds, ...(noteId !== undefined ? { noteId } : {}) };
      }, TX_OPTIONS),
    );
  }

  async knownContact(channel: Channel, platformUserId: string): Promise<boolean> {
    const row = await this.exclusive(() =>
      this.db.contact.findUnique({ where: { channel_platformUserId: { channel, platformUserId } }, select: { id: true } }),
    );
    return row !== null;
  }

  /** The person blocked or unblocked the bot (LINE unfollow/follow). */
  async setContactActive(channel: Channel, platformUserId: string, active: boolean): Promise<void> {
    await this.exclusive(() => this.db.contact.updateMany({ where: { channel, platformUserId }, data: { active } }));
  }

  /**
   * The person unsent one of their messages. Policy: the row stays, so the transcript keeps
   * its order and staff see that something was withdrawn, but its content is erased.
   */
  async markUnsent(channel: Channel, platformUserId: string, platformMessageId: string): Promise<boolean> {
    const { count } = await this.exclusive(() =>
      this.db.message.updateMany({
        where: { channel, direction: "in", platformMessageId, conversation: { contact: { platformUserId } } },
        data: { status: "unsent", text: null, payload: null },
      }),
    );
    // A photo or file withdrawn goes with its message.
    if (count > 0) {
      await this.exclusive(() =>
        this.db.evidenceFile.deleteMany({ where: { channel, message: { direction: "in", platformMessageId, conversation: { contact: { platformUserId } } } } }),
      );
    }
    return count > 0;
  }

  /** After the last reply to an erased conversation: forget where it was sent. */
  forgetErasedChat(conversationId: string): Promise<void> {
    return this.outbox.forgetErasedChat(conversationId);
  }

  // ---- outbox ----

  /**
   * Deliverable messages grouped by conversation, oldest first: the oldest unsent message if
   * it is due (pending and not backing off, or a `sending` claim whose lease ran out), plus
   * up to `perConversation - 1` pending messages right behind it; at most `maxChats` conversations,
   * none of those in `skip`.
   */
  dueOutbound(now: Date, perConversation = 1, limit = 500, maxChats?: number, skip?: ReadonlySet<string>): Promise<OutboxItem[][]> {
    return this.outbox.due(now, perConversation, limit, maxChats, skip);
  }

  /**
   * Claims messages for `holder` (a process that joined, see `presence`) until `leaseUntil`;
   * answers the ids claimed (another deliverer may have the rest).
   */
  claimMany(ids: number[], now: Date, leaseUntil: Date, holder: string): Promise<Set<number>> {
    return this.outbox.claim(ids, now, leaseUntil, holder);
  }

  /** Claims one message until `leaseUntil` (for no known process unless `holder`); false if another deliverer got it first. */
  async claim(id: number, now: Date, leaseUntil: Date, holder: string | null = null): Promise<boolean> {
    return (await this.outbox.claim([id], now, leaseUntil, holder)).has(id);
  }

  /** Gives claimed but unsent messages back to the outbox, as they were. */
  release(ids: number[]): Promise<void> {
    return this.outbox.release(ids);
  }

  markSent(id: number, platformMessageIds: string[]): Promise<void> {
    return this.outbox.markSent(id, platformMessageIds);
  }

  markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    return this.outbox.markRetry(id, nextAttemptAt, error);
  }

  markFailed(id: number, error: string): Promise<void> {
    return this.outbox.markFailed(id, error);
  }

  // ---- reading ----

  async transcript(channel: Channel, chatId: string, afterId = 0): Promise<TranscriptEntry[]> {
    const rows = await this.exclusive(() =>
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
    const rows = await this.exclusive(() =>
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
    const row = await this.exclusive(() =>
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
        return (await this.exclusive(() => this.db.message.updateMany({ where: { id: r.id, text: r.text, payload: r.payload }, data }))).count;
      },
    );
    const conversations = await this.walk(
      "",
      (after) => this.db.conversation.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, snapshot: true } }),
      async (r) => {
        if (!c.needsResealing(r.snapshot)) return 0;
        const snapshot = reseal("Conversation.snapshot", r.snapshot)!;
        return (await this.exclusive(() => this.db.conversation.updateMany({ where: { id: r.id, snapshot: r.snapshot }, data: { snapshot } }))).count;
      },
    );
    const reports = await this.walk(
      "",
      (after) => this.db.report.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, answers: true } }),
      async (r) => {
        if (!c.needsResealing(r.answers)) return 0;
        const answers = reseal("Report.answers", r.answers)!;
        return (await this.exclusive(() => this.db.report.updateMany({ where: { id: r.id, answers: r.answers }, data: { answers } }))).count;
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
        return (await this.exclusive(() => this.db.evidenceFile.updateMany({ where: { id: r.id, source: r.source, status: r.status }, data }))).count;
      },
    );
    return { messages, conversations, reports, evidence };
  }

  /** Visits a table in id order a page at a time; `each` returns how many rows it changed. */
  private async walk<Id, Row extends { id: Id }>(first: Id, page: (after: Id) => Promise<Row[]>, each: (row: Row) => Promise<number>): Promise<number> {
    let changed = 0;
    for (let after = first; ; ) {
      const rows = await this.exclusive(() => page(after));
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
   * is asked: on SQLite on the hot path's connection, beside the writes (WAL); on PostgreSQL
   * on the outbox's small pool, not behind the steps.
   */
  async ready(): Promise<{ ok: boolean; reason?: string }> {
    try {
      if (this.migrationsApplied) {
        await this.hot.reads.rows("SELECT 1");
        return { ok: true };
      }
      const rows = await this.hot.reads.rows<{ migration_name: string }>(
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
