// What staff can do, checked against their role and written to the audit log. Reads go
// through the store; anything that changes a conversation goes through the engine, so it
// takes its turn with the person's own messages.
import { createHash } from "node:crypto";
import type { i18n as I18n } from "i18next";
import type { Engine } from "../engine/engine.ts";
import { ConversationErasedError, StaleHandoffError, type Store } from "../store/store.ts";
import type { AuditInput, HandoffFilter, HandoffRow, HandoffStatus, KeysetCursor, ReportFilter, StaffAccount, StaffRecord, StaffRole } from "../store/staff-types.ts";
import { handoffDetail, handoffSummary } from "./handoff-view.ts";
import { encodeCursor } from "./page-cursor.ts";
import { reportDetail, reportSummary } from "./report-list-view.ts";
import { readTaps } from "./tap-reading.ts";
import { readyReplyOptions, readyReplyRefusal } from "./ready-replies.ts";
import type { StaffReply } from "../engine/decider.ts";
import { createStaffAccount } from "./accounts.ts";
import { atLeast, canAssign, canWorkOn, statusesLeadingTo, WORKABLE } from "./policy.ts";
import { conflict, forbidden, notFound, StaffError } from "./staff-errors.ts";

export type ConsoleLanguage = "ko" | "en";

/** How long one "writing" signal holds a person's auto-clear; the console renews it every 30 s while typing. */
export const WRITING_HOLD_MS = 2 * 60_000;

const actorOf = (account: StaffAccount): AuditInput["actor"] => ({ id: account.id, email: account.email });

export class StaffService {
  private readonly store: Store;
  private readonly engine: Engine;
  private readonly i18n: I18n;
  private readonly onChange: () => void;

  constructor(store: Store, engine: Engine, i18n: I18n, onChange: () => void) {
    this.store = store;
    this.engine = engine;
    this.i18n = i18n;
    this.onChange = onChange;
  }

  /** One page of the queue (ordered and filtered by the database), with counts per status and risk. */
  async queue(account: StaffAccount, filter: Omit<HandoffFilter, "visibleTo">, from: KeysetCursor | undefined, limit: number) {
    const scoped: HandoffFilter = { ...filter, ...(atLeast(account, "supervisor") ? {} : { visibleTo: account.id }) };
    const [page, counts, accounts] = await Promise.all([
      this.store.staff.handoffPage(scoped, from, limit),
      this.store.staff.handoffCounts(scoped),
      atLeast(account, "supervisor") ? this.store.staff.accounts() : Promise.resolve([]),
    ]);
    const now = new Date();
    return {
      handoffs: page.rows.map((r) => handoffSummary(r, now)),
      next: page.next && encodeCursor(page.next),
      counts,
      staff: accounts.filter((a) => a.active).map((a) => ({ id: a.id, email: a.email })),
    };
  }

  /** One page of the shared reports; agents do not see those of conversations someone else has. */
  async reports(account: StaffAccount, filter: Omit<ReportFilter, "visibleTo">, from: KeysetCursor | undefined, limit: number) {
    const page = await this.store.staff.reportPage({ ...filter, ...this.reportScope(account) }, from, limit);
    return { reports: page.rows.map(reportSummary), next: page.next && encodeCursor(page.next) };
  }

  /** A shared report with its answers as the bot asked them; every view is audited. */
  async report(account: StaffAccount, reportId: string, language: ConsoleLanguage) {
    const found = await this.store.staff.sharedReport(reportId, this.reportScope(account));
    if (!found) throw notFound();
    if (!found.visible) throw forbidden();
    await this.store.staff.audit({ actor: actorOf(account), action: "report.view", targetType: "report", targetId: reportId, detail: { code: found.report.code } });
    return reportDetail(found.summary, found.report, this.i18n.getFixedT(language));
  }

  /** The whole conversation behind a handoff; every view is audited. */
  async detail(account: StaffAccount, handoffId: string, language: ConsoleLanguage, action: "transcript.view" | "export" = "transcript.view") {
    const row = await this.visibleHandoff(account, handoffId);
    const [transcript, reports, evidence] = await Promise.all([
      this.store.staff.transcript(row.conversationId),
      this.store.staff.reports(row.conversationId),
      this.store.evidence.ofConversation(row.conversationId),
    ]);
    // An export holds the photos and files themselves, so it is a record on its own.
    const files = action === "export" ? await this.exportedFiles(row.conversationId, evidence) : undefined;
    await this.store.staff.audit({
      actor: actorOf(account),
      action,
      targetType: "handoff",
      targetId: row.id,
      detail: { messages: transcript.length, ...(files ? { files: files.length } : {}) },
    });
    const t = this.i18n.getFixedT(language);
    const detail = handoffDetail(account, row, transcript, reports, t, new Date(), readTaps(transcript, row.language, this.i18n, t), evidence);
    return files ? { ...detail, evidenceFiles: files } : detail;
  }

  /**
   * One stored photo or file of a handoff's conversation, for staff who may open that
   * handoff; every view is audited. Not found (404) when it is not this conversation's or
   * not stored (not fetched yet, too large, failed, erased).
   */
  async evidence(account: StaffAccount, handoffId: string, evidenceId: string) {
    const row = await this.visibleHandoff(account, handoffId);
    const file = await this.store.evidence.content(row.conversationId, evidenceId);
    if (!file) throw notFound();
    await this.store.staff.audit({
      actor: actorOf(account),
      action: "evidence.view",
      targetType: "evidence",
      targetId: file.id,
      detail: { handoffId: row.id, kind: file.kind, bytes: file.content.length },
    });
    return file;
  }

  private async exportedFiles(conversationId: string, evidence: Awaited<ReturnType<Store["evidence"]["ofConversation"]>>) {
    const files = [];
    for (const e of evidence) {
      const file = e.status === "stored" ? await this.store.evidence.content(conversationId, e.id) : null;
      files.push({
        id: e.id,
        messageId: e.messageId,
        kind: e.kind,
        status: e.status,
        contentType: e.contentType,
        fileName: e.fileName,
        size: e.size,
        ...(file ? { sha256: createHash("sha256").update(file.content).digest("hex"), contentBase64: file.content.toString("base64") } : {}),
      });
    }
    return files;
  }

  /** The ready replies for this conversation: previews in the console's language, and what the person will read. */
  async readyReplies(account: StaffAccount, handoffId: string, language: ConsoleLanguage) {
    const row = await this.visibleHandoff(account, handoffId);
    return readyReplyOptions(row, this.i18n, language);
  }

  /** Typed text, or a ready reply whose text the server renders in the person's language. */
  async reply(account: StaffAccount, handoffId: string, reply: StaffReply): Promise<{ messageId: number }> {
    const row = await this.workableHandoff(account, handoffId);
    const refused = "ready" in reply ? readyReplyRefusal(reply.ready, row) : undefined;
    if (refused) throw new StaffError(400, "invalid", { issues: [refused] });
    const record = this.record(
      account,
      row,
      "reply",
      {
        // The first answer takes the handoff: it is in progress and, if nobody had it, it is theirs.
        ...(row.status === "open" ? { status: "in_progress" as const } : {}),
        ...(row.assignee === null ? { assigneeId: account.id } : {}),
      },
      account.email,
      // Which ready reply was sent (an id, never text).
      "ready" in reply ? { ready: reply.ready.id } : undefined,
    );
    const { outboundIds } = await this.act(row, { expect: [row.status], record, reply });
    return { messageId: outboundIds[0]! };
  }

  /**
   * Staff are writing a reply: the person's auto-clear waits (WRITING_HOLD_MS, renewed by the
   * console while they type), so the chat is not cleared just before the reply arrives.
   */
  async writing(account: StaffAccount, handoffId: string): Promise<void> {
    const row = await this.workableHandoff(account, handoffId);
    await this.store.autoClear.hold(row.conversationId, new Date(Date.now() + WRITING_HOLD_MS));
  }

  async note(account: StaffAccount, handoffId: string, text: string): Promise<{ noteId: number }> {
    const row = await this.workableHandoff(account, handoffId);
    const { noteId } = await this.act(row, { expect: WORKABLE, record: this.record(account, row, "note"), note: text });
    return { noteId: noteId! };
  }

  async assign(account: StaffAccount, handoffId: string, to: string | null) {
    const row = await this.workableHandoff(account, handoffId);
    if (!canAssign(account, row, to)) throw forbidden();
    const target = to === null ? null : await this.store.staff.account(to);
    if (to !== null && !target?.active) throw new StaffError(400, "invalid", { issues: ["staffId: no active account with this id"] });
    await this.act(row, { expect: WORKABLE, record: this.record(account, row, "assign", { assigneeId: to }, target?.email ?? null) });
    return this.summary(handoffId);
  }

  /** Closing tells the person and returns them to the bot's menu. */
  async setStatus(account: StaffAccount, handoffId: string, to: HandoffStatus) {
    const row = await this.visibleHandoff(account, handoffId);
    if (row.status === to) return this.summary(handoffId);
    const from = statusesLeadingTo(to);
    if (!from.includes(row.status)) throw conflict();
    await this.act(row, { expect: from, record: this.record(account, row, "status", { status: to }), close: to === "closed" });
    return this.summary(handoffId);
  }

  /** Changes whenever something an agent may see changes (their live updates). */
  changeMarkFor(accountId: string): Promise<string> {
    return this.store.staff.changeMarkFor(accountId);
  }

  // ---- accounts and audit log (admin) ----

  accounts(): Promise<StaffAccount[]> {
    return this.store.staff.accounts();
  }

  auditEntries(before: number | undefined, limit: number) {
    return this.store.staff.auditEntries(before, limit);
  }

  createAccount(actor: StaffAccount, input: { email: string; role: StaffRole; password: string }): Promise<StaffAccount> {
    return createStaffAccount(this.store, actorOf(actor), input);
  }

  async updateAccount(actor: StaffAccount, id: string, change: { role?: StaffRole; active?: boolean; unlock?: boolean }): Promise<StaffAccount> {
    // An admin cannot lock themselves out of administration by accident.
    if (id === actor.id && (change.active === false || (change.role && change.role !== "admin"))) throw conflict("self");
    const account = await this.store.staff.updateAccount(id, change, { actor: actorOf(actor), action: "account.update" });
    if (!account) throw notFound();
    return account;
  }

  // ---- helpers ----

  private async summary(handoffId: string) {
    const row = await this.store.staff.handoff(handoffId);
    if (!row) throw notFound();
    return { handoff: handoffSummary(row, new Date()) };
  }

  private reportScope(account: StaffAccount): Pick<ReportFilter, "visibleTo"> {
    return atLeast(account, "supervisor") ? {} : { visibleTo: account.id };
  }

  private async visibleHandoff(account: StaffAccount, handoffId: string): Promise<HandoffRow> {
    const row = await this.store.staff.handoff(handoffId);
    if (!row) throw notFound();
    if (!canWorkOn(account, row)) throw forbidden();
    return row;
  }

  private async workableHandoff(account: StaffAccount, handoffId: string): Promise<HandoffRow> {
    const row = await this.visibleHandoff(account, handoffId);
    if (row.status === "erased") throw conflict("erased");
    if (!WORKABLE.includes(row.status)) throw conflict();
    return row;
  }

  /** The transcript events and audit entry of an action; `handoff` is what changes on the handoff. */
  private record(
    account: StaffAccount,
    row: HandoffRow,
    action: string,
    handoff?: StaffRecord["handoff"],
    assigneeEmail?: string | null,
    extra?: Record<string, unknown>,
  ): StaffRecord {
    const events: StaffRecord["events"] = [];
    if (handoff?.status && handoff.status !== row.status) events.push({ kind: "handoff.status", payload: { from: row.status, to: handoff.status } });
    if (handoff?.assigneeId !== undefined && handoff.assigneeId !== (row.assignee?.id ?? null)) {
      events.push({ kind: "handoff.assigned", payload: { to: assigneeEmail ?? null } });
    }
    return {
      staffId: account.id,
      handoffId: row.id,
      ...(handoff ? { handoff } : {}),
      events,
      audit: [{ actor: actorOf(account), action, targetType: "handoff", targetId: row.id, ...(handoff || extra ? { detail: { ...handoff, ...extra } } : {}) }],
    };
  }

  private async act(row: HandoffRow, action: Parameters<Engine["staffAction"]>[1]) {
    try {
      const result = await this.engine.staffAction(
        { id: row.conversationId, channel: row.channel, chatId: row.chatId },
        // What the decision was based on must still hold when it is written.
        { ...action, expectAssignee: row.assignee?.id ?? null },
      );
      this.onChange();
      return result;
    } catch (error) {
      if (error instanceof ConversationErasedError) throw conflict("erased");
      if (error instanceof StaleHandoffError) throw conflict();
      throw error;
    }
  }
}
