// Persistence for the engine, the outbox and the channels. One transaction per step.
import { randomUUID } from "node:crypto";
import { openPrisma, type Db } from "./prisma.ts";
import { committedMigrations } from "./migrate.ts";
import { providerOf, type Provider } from "./database-url.ts";
import { KeyedQueue } from "../engine/keyed-queue.ts";
import { auditData, StaffStore } from "./staff-store.ts";
import { FieldCipher } from "./field-cipher.ts";
import { RetentionStore } from "./retention-store.ts";
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

export type { Channel, OutboxItem, StepInput, StepOutput, StepResult, StoredConversation, TranscriptEntry };

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface StepContext {
  contactLanguage: string | null;
  conversation: StoredConversation | null;
}

const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };
/** Telegram deletes messages up to 48 h old; keep a margin for the queue. */
const DELETABLE_FOR_MS = 47 * 60 * 60 * 1000;

function isUniqueViolation(error: unknown, model: string): boolean {
  const e = error as { code?: string; meta?: { modelName?: string } };
  return e?.code === "P2002" && e.meta?.modelName === model;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** What a staff action's machine step decided (see Engine.staffStep). */
export interface StaffStepOutput {
  machineId: string;
  machineVersion: number;
  snapshot: string;
  status: ConversationStatus;
  outbound: StepOutput["outbound"];
}

export class StaleHandoffError extends Error {}
export class ConversationErasedError extends Error {}

export class Store {
  /**
   * SQLite has one connection: a query issued while a step's transaction is open would
   * run inside it (and roll back with it). So on SQLite every operation takes its turn.
   */
  private readonly turns = new KeyedQueue();
  readonly staff: StaffStore;
  readonly retention: RetentionStore;

  private constructor(
    private readonly db: Db,
    readonly provider: Provider,
    private readonly cipher: FieldCipher,
  ) {
    this.staff = new StaffStore(db, (operation) => this.exclusive(operation), cipher);
    this.retention = new RetentionStore(db, provider, (operation) => this.exclusive(operation));
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return this.provider === "sqlite" ? this.turns.run("db", operation) : operation();
  }

  /** `cipher` encrypts what people wrote (see field-cipher.ts); without keys it stores plain text. */
  static async open(url: string, cipher = new FieldCipher()): Promise<Store> {
    return new Store(await openPrisma(url), providerOf(url), cipher);
  }

  // What people wrote is sealed on the way in and opened on the way out, nowhere else.
  private readonly text = (value: string | null) => this.cipher.seal("Message.text", value);
  private readonly payload = (value: unknown) => this.cipher.seal("Message.payload", json(value));
  private readonly snapshot = (value: string) => this.cipher.seal("Conversation.snapshot", value);
  private readonly openPayload = (stored: string | null): unknown => {
    const plain = this.cipher.open("Message.payload", stored);
    return plain === null ? null : JSON.parse(plain);
  };

  private outboxRows(conversationId: string, channel: Channel, outbound: StepOutput["outbound"]) {
    return outbound.map((m) => ({
      conversationId,
      channel,
      direction: "out",
      kind: m.kind,
      text: this.text(m.text),
      payload: this.payload(m.payload),
      staffId: m.staffId ?? null,
      status: "pending",
    }));
  }

  close(): Promise<void> {
    return this.db.$disconnect();
  }

  async eventSeen(channel: Channel, eventId: string): Promise<boolean> {
    const row = await this.exclusive(() =>
      this.db.message.findUnique({
        where: { channel_platformEventId: { channel, platformEventId: eventId } },
        select: { id: true },
      }),
    );
    return row !== null;
  }

  /**
   * Runs one conversation step: `decide` sees the current conversation and returns what
   * to store. Contact, inbound message, snapshot, outbox rows and handoff are committed
   * together. A repeated platform event id changes nothing and reports `duplicate`.
   */
  async step(input: StepInput, decide: (ctx: StepContext) => StepOutput): Promise<StepResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.exclusive(() => this.db.$transaction((tx) => this.stepInTx(tx, input, decide), TX_OPTIONS));
      } catch (error) {
        if (isUniqueViolation(error, "Message")) return { duplicate: true };
        // Two instances creating the same new contact at once: the loser retries and finds it.
        if (isUniqueViolation(error, "Contact") && attempt === 0) continue;
        // A report code that is already taken: decide again, which draws a new code.
        if (isUniqueViolation(error, "Report") && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async stepInTx(tx: Tx, input: StepInput, decide: (ctx: StepContext) => StepOutput): Promise<StepResult> {
    const now = new Date();
    const contact = await tx.contact.upsert({
      where: { channel_platformUserId: { channel: input.channel, platformUserId: input.platformUserId } },
      create: { id: randomUUID(), channel: input.channel, platformUserId: input.platformUserId },
      update: { lastSeenAt: now, active: true },
      select: { id: true, language: true },
    });
    await this.lockContact(tx, contact.id);
    const current = await tx.conversation.findFirst({
      where: { contactId: contact.id, chatId: input.chatId, status: { not: "closed" } },
      orderBy: { createdAt: "desc" },
      select: { id: true, machineId: true, machineVersion: true, snapshot: true, status: true, language: true },
    });
    const conversation = current && {
      ...current,
      status: current.status as ConversationStatus,
      snapshot: this.cipher.open("Conversation.snapshot", current.snapshot),
    };
    const out = decide({ contactLanguage: contact.language, conversation });

    const conversationId = conversation?.id ?? randomUUID();
    const fields = {
      machineId: out.machineId,
      machineVersion: out.machineVersion,
      snapshot: this.snapshot(out.snapshot),
      status: out.status,
      language: out.language,
    };
    if (conversation) {
      await tx.conversation.update({ where: { id: conversationId }, data: { ...fields, seq: { increment: 1 } } });
    } else {
      await tx.conversation.create({
        data: { id: conversationId, contactId: contact.id, channel: input.channel, chatId: input.chatId, seq: 1, ...fields },
      });
    }
    await tx.message.create({
      data: {
        conversationId,
        channel: input.channel,
        direction: "in",
        kind: out.inbound.kind,
        text: this.text(out.inbound.text ?? null),
        payload: this.payload(out.inbound.payload),
        platformEventId: input.eventId,
        platformMessageId: out.inbound.platformMessageId ?? null,
        status: "received",
      },
    });
    if (out.quickExit || out.erase) await this.queueDeletion(tx, conversationId, input.channel);
    if (out.erase) await this.erase(tx, contact.id);
    if (out.outbound.length > 0) await tx.message.createMany({ data: this.outboxRows(conversationId, input.channel, out.outbound) });
    if (out.report) {
      const { kind, code, answers, consent, risk } = out.report;
      await tx.report.create({ data: { id: randomUUID(), conversationId, kind, code, answers: this.cipher.seal("Report.answers", JSON.stringify(answers)), consent, risk: risk ?? null } });
    }
    if (out.handoff) {
      // One request per conversation until staff close it: asking again updates (and reopens) it.
      const open = await tx.handoffRequest.findFirst({
        where: { conversationId, status: { in: ["open", "in_progress", "resolved"] } },
        select: { id: true, status: true },
      });
      const data = { reason: out.handoff.reason, risk: out.handoff.risk ?? null };
      const handoffId = open?.id ?? randomUUID();
      if (open) await tx.handoffRequest.update({ where: { id: handoffId }, data: { ...data, ...(open.status === "resolved" ? { status: "open" } : {}) } });
      else await tx.handoffRequest.create({ data: { id: handoffId, conversationId, ...data } });
      await this.addEvents(tx, conversationId, input.channel, [{ kind: "handoff.requested", payload: { handoffId, ...data } }]);
    }
    if (out.language && out.language !== contact.language) {
      await tx.contact.update({ where: { id: contact.id }, data: { language: out.language } });
    }
    return { duplicate: false, conversationId, outboundCount: out.outbound.length };
  }

  /** On PostgreSQL, serialises everything that changes one person's conversations, across processes. */
  private async lockContact(tx: Tx, contactId: string): Promise<void> {
    if (this.provider === "postgresql") await tx.$queryRaw`SELECT id FROM "Contact" WHERE id = ${contactId} FOR UPDATE`;
  }

  /** Creates outbox rows in order and returns their ids (createMany returns none). */
  private async queueOutbound(tx: Tx, conversationId: string, channel: Channel, outbound: StepOutput["outbound"]): Promise<number[]> {
    const ids: number[] = [];
    for (const data of this.outboxRows(conversationId, channel, outbound)) ids.push((await tx.message.create({ data, select: { id: true } })).id);
    return ids;
  }

  private async addEvents(tx: Tx, conversationId: string, channel: string, events: StaffRecord["events"], staffId?: string): Promise<void> {
    for (const e of events) {
      await tx.message.create({
        data: { conversationId, channel, direction: "event", kind: e.kind, payload: this.payload(e.payload), staffId: staffId ?? null, status: "recorded" },
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
              snapshot: this.cipher.open("Conversation.snapshot", conversation.snapshot),
            },
          });
          await tx.conversation.update({
            where: { id: conversationId },
            data: { machineId: out.machineId, machineVersion: out.machineVersion, snapshot: this.snapshot(out.snapshot), status: out.status, seq: { increment: 1 } },
          });
          outboundIds = await this.queueOutbound(tx, conversationId, conversation.channel as Channel, out.outbound);
        }
        let noteId: number | undefined;
        if (input.note !== undefined) {
          const row = await tx.message.create({
            data: { conversationId, channel: conversation.channel, direction: "note", kind: "text", text: this.text(input.note), staffId: record.staffId, status: "internal" },
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
              ...(status ? { status, closedAt: status === "closed" ? new Date() : null } : {}),
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
    return count > 0;
  }

  /** Telegram can delete messages younger than 48 h: queue those this conversation knows of. */
  private async queueDeletion(tx: Tx, conversationId: string, channel: Channel): Promise<void> {
    const since = new Date(Date.now() - DELETABLE_FOR_MS);
    const rows = await tx.message.findMany({
      where: { conversationId, platformMessageId: { not: null }, createdAt: { gte: since } },
      select: { platformMessageId: true },
      orderBy: { id: "asc" },
    });
    const messageIds = rows.flatMap((r) => r.platformMessageId!.split(","));
    if (messageIds.length === 0) return;
    await tx.message.create({
      data: { conversationId, channel, direction: "out", kind: "delete", payload: this.payload({ messageIds }), status: "pending" },
    });
  }

  /**
   * Erasure on request (/delete): message content, reports and the platform identity go;
   * rows stay as tombstones (kind "erased", no content) so event ids still deduplicate
   * and staff see that a conversation existed and was erased. Unsent replies are dropped.
   */
  private async erase(tx: Tx, contactId: string): Promise<void> {
    const ids = (await tx.conversation.findMany({ where: { contactId }, select: { id: true } })).map((c) => c.id);
    await tx.message.updateMany({
      where: { conversationId: { in: ids }, direction: "out", kind: { not: "delete" }, status: { in: ["pending", "sending"] } },
      data: { status: "erased" },
    });
    await tx.message.updateMany({
      where: { conversationId: { in: ids }, kind: { not: "delete" } },
      data: { kind: "erased", text: null, payload: null, platformMessageId: null, lastError: null },
    });
    await tx.report.deleteMany({ where: { conversationId: { in: ids } } });
    await tx.handoffRequest.updateMany({ where: { conversationId: { in: ids } }, data: { status: "erased", reason: "erased", risk: null } });
    await tx.conversation.updateMany({ where: { id: { in: ids } }, data: { status: "erased", snapshot: "{}", language: null } });
    await tx.contact.update({ where: { id: contactId }, data: { platformUserId: `erased:${randomUUID()}`, language: null, active: false } });
  }

  /** After the last reply to an erased conversation: forget where it was sent. */
  async forgetErasedChat(conversationId: string): Promise<void> {
    await this.exclusive(() =>
      this.db.conversation.updateMany({ where: { id: conversationId, status: "erased" }, data: { chatId: "erased" } }),
    );
  }

  // ---- outbox ----

  /**
   * Deliverable messages grouped by conversation, oldest first: the oldest unsent message if
   * it is due (pending and not backing off, or a `sending` claim whose lease ran out), plus
   * up to `perConversation - 1` pending messages right behind it.
   */
  async dueOutbound(now: Date, perConversation = 1, limit = 500): Promise<OutboxItem[][]> {
    const rows = await this.exclusive(() =>
      this.db.message.findMany({
        where: { direction: "out", status: { in: ["pending", "sending"] } },
        orderBy: { id: "asc" },
        take: limit,
        select: {
          id: true,
          conversationId: true,
          channel: true,
          kind: true,
          text: true,
          payload: true,
          attempts: true,
          status: true,
          nextAttemptAt: true,
          conversation: { select: { chatId: true } },
        },
      }),
    );
    const groups = new Map<string, OutboxItem[] | null>();
    for (const row of rows) {
      const group = groups.get(row.conversationId);
      if (group === null || (group && group.length >= perConversation)) continue;
      const due = !row.nextAttemptAt || row.nextAttemptAt <= now;
      const follower = group !== undefined;
      if (!due || (follower && (row.status !== "pending" || row.nextAttemptAt))) {
        groups.set(row.conversationId, group ?? null);
        continue;
      }
      const item: OutboxItem = {
        id: row.id,
        conversationId: row.conversationId,
        kind: row.kind,
        channel: row.channel as Channel,
        chatId: row.conversation.chatId,
        text: this.cipher.open("Message.text", row.text) ?? "",
        payload: this.openPayload(row.payload),
        attempts: row.attempts,
      };
      if (group) group.push(item);
      else groups.set(row.conversationId, [item]);
    }
    return [...groups.values()].filter((g): g is OutboxItem[] => g !== null);
  }

  /** Claims a message for sending until `leaseUntil`; false if another deliverer got it first. */
  async claim(id: number, now: Date, leaseUntil: Date): Promise<boolean> {
    const { count } = await this.exclusive(() =>
      this.db.message.updateMany({
        where: {
          id,
          OR: [{ status: "pending", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] }, { status: "sending", nextAttemptAt: { lte: now } }],
        },
        data: { status: "sending", nextAttemptAt: leaseUntil },
      }),
    );
    return count === 1;
  }

  /** Gives claimed but unsent messages back to the outbox, as they were. */
  async release(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.exclusive(() =>
      this.db.message.updateMany({ where: { id: { in: ids }, status: "sending" }, data: { status: "pending", nextAttemptAt: null } }),
    );
  }

  async markSent(id: number, platformMessageIds: string[]): Promise<void> {
    await this.exclusive(() => this.db.message.update({
      where: { id },
      data: {
        status: "sent",
        attempts: { increment: 1 },
        sentAt: new Date(),
        nextAttemptAt: null,
        lastError: null,
        platformMessageId: platformMessageIds.length ? platformMessageIds.join(",") : null,
      },
    }));
  }

  async markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.exclusive(() => this.db.message.update({ where: { id }, data: { status: "pending", attempts: { increment: 1 }, nextAttemptAt, lastError: error } }));
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.exclusive(() => this.db.message.update({ where: { id }, data: { status: "failed", attempts: { increment: 1 }, nextAttemptAt: null, lastError: error } }));
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
      text: this.cipher.open("Message.text", r.text),
      payload: this.openPayload(r.payload),
    }));
  }

  /**
   * After a key rotation: re-encrypts every value not sealed with the current key (plain
   * text from before encryption was on, or an older key). A row changed meanwhile by the
   * running server is left alone (conditional update) and picked up by the next run.
   */
  async reseal(batch = 500): Promise<{ messages: number; conversations: number; reports: number }> {
    const c = this.cipher;
    const reseal = (column: string, stored: string | null) => (c.needsResealing(stored) ? c.seal(column, c.open(column, stored)) : stored);
    const counts = { messages: 0, conversations: 0, reports: 0 };
    for (let after = 0; ; ) {
      const rows = await this.exclusive(() =>
        this.db.message.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, text: true, payload: true } }),
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        after = r.id;
        if (!c.needsResealing(r.text) && !c.needsResealing(r.payload)) continue;
        const data = { text: reseal("Message.text", r.text), payload: reseal("Message.payload", r.payload) };
        const { count } = await this.exclusive(() => this.db.message.updateMany({ where: { id: r.id, text: r.text, payload: r.payload }, data }));
        counts.messages += count;
      }
    }
    for (let after = ""; ; ) {
      const rows = await this.exclusive(() =>
        this.db.conversation.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, snapshot: true } }),
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        after = r.id;
        if (!c.needsResealing(r.snapshot)) continue;
        const snapshot = reseal("Conversation.snapshot", r.snapshot)!;
        const { count } = await this.exclusive(() => this.db.conversation.updateMany({ where: { id: r.id, snapshot: r.snapshot }, data: { snapshot } }));
        counts.conversations += count;
      }
    }
    for (let after = ""; ; ) {
      const rows = await this.exclusive(() =>
        this.db.report.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, answers: true } }),
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        after = r.id;
        if (!c.needsResealing(r.answers)) continue;
        const answers = reseal("Report.answers", r.answers)!;
        const { count } = await this.exclusive(() => this.db.report.updateMany({ where: { id: r.id, answers: r.answers }, data: { answers } }));
        counts.reports += count;
      }
    }
    return counts;
  }

  /** Database reachable and every committed migration applied. */
  async ready(): Promise<{ ok: boolean; reason?: string }> {
    try {
      const rows = await this.exclusive(() =>
        this.db.$queryRawUnsafe<{ migration_name: string }[]>(
          `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        ),
      );
      const applied = new Set(rows.map((r) => r.migration_name));
      const missing = committedMigrations(this.provider).filter((m) => !applied.has(m.name));
      return missing.length ? { ok: false, reason: "migrations pending" } : { ok: true };
    } catch {
      return { ok: false, reason: "database unreachable" };
    }
  }
}
