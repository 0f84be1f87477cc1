// Staff accounts, console sessions, the audit log and the handoff queue as staff read it.
// Writes that touch a conversation (replies, notes, assignment, status) are staff actions (conversation-writes.ts).
import { randomUUID } from "node:crypto";
import { auditData } from "./audit-row.ts";
import type { SealedFields } from "./sealed-fields.ts";
import type { Db } from "./prisma.ts";
import { handoffCounts, handoffPage, handoffSelect, toHandoff } from "./handoff-queue.ts";
import { reportPage, sharedReport } from "./report-queries.ts";
import type {
  AuditInput,
  AuditRow,
  HandoffCounts,
  HandoffFilter,
  HandoffRow,
  KeysetCursor,
  Page,
  ReportFilter,
  ReportListRow,
  ReportRow,
  StaffAccount,
  StaffCredentials,
  StaffRole,
  StaffTranscriptRow,
} from "./staff-types.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;

export class AccountExistsError extends Error {}

const accountFields = { id: true, email: true, role: true, active: true, lockedUntil: true, createdAt: true } as const;
const toAccount = (row: { role: string } & Omit<StaffAccount, "role">): StaffAccount => ({ ...row, role: row.role as StaffRole });

export class StaffStore {
  private readonly db: Db;
  private readonly run: Run;
  private readonly fields: SealedFields;

  constructor(db: Db, run: Run, fields: SealedFields) {
    this.db = db;
    this.run = run;
    this.fields = fields;
  }

  // ---- accounts ----

  async createAccount(input: { email: string; role: StaffRole; passwordHash: string }, audit: AuditInput): Promise<StaffAccount> {
    try {
      return await this.run(() =>
        this.db.$transaction(async (tx) => {
          const row = await tx.staffAccount.create({ data: { id: randomUUID(), ...input }, select: accountFields });
          await tx.auditEntry.create({ data: auditData({ ...audit, targetType: "account", targetId: row.id }) });
          return toAccount(row);
        }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === "P2002") throw new AccountExistsError(input.email);
      throw error;
    }
  }

  async credentials(email: string): Promise<StaffCredentials | null> {
    const row = await this.run(() =>
      this.db.staffAccount.findUnique({ where: { email }, select: { ...accountFields, passwordHash: true, failedLogins: true } }),
    );
    return row && { ...row, role: row.role as StaffRole };
  }

  async accounts(): Promise<StaffAccount[]> {
    const rows = await this.run(() => this.db.staffAccount.findMany({ orderBy: { email: "asc" }, select: accountFields }));
    return rows.map(toAccount);
  }

  async account(id: string): Promise<StaffAccount | null> {
    const row = await this.run(() => this.db.staffAccount.findUnique({ where: { id }, select: accountFields }));
    return row && toAccount(row);
  }

  /** Role, active flag or lockout; disabling an account ends its sessions. */
  async updateAccount(id: string, change: { role?: StaffRole; active?: boolean; unlock?: boolean }, audit: AuditInput): Promise<StaffAccount | null> {
    return this.run(() =>
      this.db.$transaction(async (tx) => {
        const found = await tx.staffAccount.findUnique({ where: { id }, select: { id: true } });
        if (!found) return null;
        const row = await tx.staffAccount.update({
          where: { id },
          data: {
            ...(change.role ? { role: change.role } : {}),
            ...(change.active !== undefined ? { active: change.active } : {}),
            ...(change.unlock ? { failedLogins: 0, lockedUntil: null } : {}),
          },
          select: accountFields,
        });
        if (change.active === false) await tx.staffSession.deleteMany({ where: { accountId: id } });
        await tx.auditEntry.create({ data: auditData({ ...audit, targetType: "account", targetId: id, detail: change }) });
        return toAccount(row);
      }),
    );
  }

  /** A wrong password: counts it, and locks the account for `lockMs` after `lockAfter` in a row. */
  async loginFailed(id: string, lockAfter: number, lockMs: number, now: Date): Promise<Date | null> {
    return this.run(() =>
      this.db.$transaction(async (tx) => {
        const row = await tx.staffAccount.update({ where: { id }, data: { failedLogins: { increment: 1 } }, select: { failedLogins: true } });
        if (row.failedLogins < lockAfter) return null;
        const until = new Date(now.getTime() + lockMs);
        await tx.staffAccount.update({ where: { id }, data: { failedLogins: 0, lockedUntil: until } });
        return until;
      }),
    );
  }

  // ---- sessions ----

  async createSession(input: { id: string; accountId: string; csrfToken: string; expiresAt: Date }, audit: AuditInput): Promise<void> {
    await this.run(() =>
      this.db.$transaction([
        this.db.staffAccount.update({ where: { id: input.accountId }, data: { failedLogins: 0, lockedUntil: null } }),
        this.db.staffSession.create({ data: input }),
        this.db.auditEntry.create({ data: auditData(audit) }),
      ]),
    );
  }

  /** The session and its account, if it exists, has not expired, was used since `idleSince` and the account is active. */
  async session(id: string, now: Date, idleSince: Date): Promise<{ account: StaffAccount; csrfToken: string } | null> {
    const row = await this.run(() =>
      this.db.staffSession.findUnique({ where: { id }, select: { csrfToken: true, expiresAt: true, lastSeenAt: true, account: { select: accountFields } } }),
    );
    if (!row || row.expiresAt <= now || row.lastSeenAt < idleSince || !row.account.active) return null;
    // Touch at most once a minute: a console polls often.
    if (now.getTime() - row.lastSeenAt.getTime() > 60_000) {
      await this.run(() => this.db.staffSession.updateMany({ where: { id }, data: { lastSeenAt: now } }));
    }
    return { account: toAccount(row.account), csrfToken: row.csrfToken };
  }

  async deleteSession(id: string, audit?: AuditInput): Promise<void> {
    await this.run(() =>
      this.db.$transaction([
        this.db.staffSession.deleteMany({ where: { id } }),
        ...(audit ? [this.db.auditEntry.create({ data: auditData(audit) })] : []),
      ]),
    );
  }

  // ---- audit ----

  async audit(input: AuditInput): Promise<void> {
    await this.run(() => this.db.auditEntry.create({ data: auditData(input) }));
  }

  async auditEntries(before: number | undefined, limit: number): Promise<AuditRow[]> {
    const rows = await this.run(() =>
      this.db.auditEntry.findMany({ where: before ? { id: { lt: before } } : {}, orderBy: { id: "desc" }, take: limit }),
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actorEmail,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
  }

  // ---- handoffs ----

  /** One page of the queue, in the database's order (most urgent, then longest waiting). */
  handoffPage(filter: HandoffFilter, from: KeysetCursor | undefined, limit: number): Promise<Page<HandoffRow>> {
    return handoffPage(this.db, this.run, filter, from, limit);
  }

  handoffCounts(filter: HandoffFilter): Promise<HandoffCounts> {
    return handoffCounts(this.db, this.run, filter);
  }

  async handoff(id: string): Promise<HandoffRow | null> {
    const row = await this.run(() => this.db.handoffRequest.findUnique({ where: { id }, select: handoffSelect }));
    return row && toHandoff(row);
  }

  /** One page of the shared reports: most urgent, then newest. */
  reportPage(filter: ReportFilter, from: KeysetCursor | undefined, limit: number): Promise<Page<ReportListRow>> {
    return reportPage(this.db, this.run, filter, from, limit);
  }

  sharedReport(id: string, filter: Pick<ReportFilter, "visibleTo">) {
    return sharedReport(this.db, this.run, this.fields, id, filter);
  }

  async transcript(conversationId: string, limit = 5000): Promise<StaffTranscriptRow[]> {
    const [rows, staff] = await this.run(() =>
      Promise.all([
        this.db.message.findMany({
          where: { conversationId },
          orderBy: { id: "asc" },
          take: limit,
          select: { id: true, direction: true, kind: true, text: true, payload: true, status: true, staffId: true, createdAt: true },
        }),
        this.db.staffAccount.findMany({ select: { id: true, email: true } }),
      ]),
    );
    const emails = new Map(staff.map((s) => [s.id, s.email]));
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction as StaffTranscriptRow["direction"],
      kind: r.kind,
      text: this.fields.openText(r.text),
      payload: this.fields.openPayload(r.payload),
      status: r.status,
      staffEmail: r.staffId ? (emails.get(r.staffId) ?? null) : null,
      createdAt: r.createdAt,
    }));
  }

  async reports(conversationId: string): Promise<ReportRow[]> {
    // A report saved without the person's consent is never shown to staff.
    const rows = await this.run(() => this.db.report.findMany({ where: { conversationId, consent: true }, orderBy: { createdAt: "asc" } }));
    return rows.map((r) => ({
      code: r.code,
      kind: r.kind,
      consent: r.consent,
      risk: r.risk,
      answers: this.fields.openAnswers(r.answers),
      createdAt: r.createdAt,
    }));
  }

  /** Changes whenever a message or handoff is added or changed: lets other processes' changes reach live consoles. */
  async changeMark(): Promise<string> {
    const [message, handoff, evidence] = await this.run(() =>
      Promise.all([
        this.db.message.aggregate({ _max: { id: true } }),
        this.db.handoffRequest.aggregate({ _max: { updatedAt: true }, _count: { id: true } }),
        this.db.evidenceFile.aggregate({ _max: { settledAt: true } }),
      ]),
    );
    return `${message._max.id ?? 0}:${handoff._max.updatedAt?.getTime() ?? 0}:${handoff._count.id}:${evidence._max.settledAt?.getTime() ?? 0}`;
  }

  /** Like changeMark, over the hand-offs an agent may open (unassigned or theirs) and their messages. */
  async changeMarkFor(accountId: string): Promise<string> {
    const visible = { OR: [{ assigneeId: null }, { assigneeId: accountId }] };
    const [message, handoff, evidence] = await this.run(() =>
      Promise.all([
        this.db.message.aggregate({ where: { conversation: { handoffs: { some: visible } } }, _max: { id: true, sentAt: true } }),
        this.db.handoffRequest.aggregate({ where: visible, _max: { updatedAt: true }, _count: { id: true } }),
        this.db.evidenceFile.aggregate({ where: { conversation: { handoffs: { some: visible } } }, _max: { settledAt: true } }),
      ]),
    );
    const marks = [message._max.id ?? 0, message._max.sentAt?.getTime() ?? 0, handoff._max.updatedAt?.getTime() ?? 0, handoff._count.id, evidence._max.settledAt?.getTime() ?? 0];
    return marks.join(":");
  }
}
