// Alerts to on-call staff, as rows: which cases need one (critical or high and open, no alert
// yet; critical, still open and unassigned a while after the last one), and the claims,
// retries and outcomes of sending them. Each (case, round, target) is unique, so several
// server processes looking at once still alert once.
import type { Db } from "./prisma.ts";
import { riskRank } from "./risk-rank.ts";
import type { Channel } from "./types.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;

export type AlertTarget = "telegram" | "email";

/** An alert claimed for sending, with what its text may say about the case (no personal data). */
export interface AlertJob {
  id: number;
  round: number;
  target: AlertTarget;
  attempts: number;
  handoff: {
    id: string;
    status: string;
    risk: string | null;
    assigned: boolean;
    createdAt: Date;
    channel: Channel;
    language: string | null;
  };
}

const HIGH = riskRank("high");
const CRITICAL = riskRank("critical");

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

export class AlertStore {
  private readonly db: Db;
  private readonly run: Run;

  constructor(db: Db, run: Run) {
    this.db = db;
    this.run = run;
  }

  /**
   * First alerts for open cases that are critical or high and have none yet on a target (also a
   * case whose risk rose to high later, and a target added since), changed since `since` (a
   * backlog from before alerts were turned on is not alerted). Returns how many rows were added.
   */
  async scheduleNew(targets: readonly AlertTarget[], since: Date, limit: number): Promise<number> {
    let added = 0;
    for (const target of targets) {
      const cases = await this.run(() =>
        this.db.handoffRequest.findMany({
          where: { status: "open", riskRank: { lte: HIGH }, updatedAt: { gte: since }, alerts: { none: { round: 0, target } } },
          orderBy: [{ riskRank: "asc" }, { createdAt: "asc" }],
          take: limit,
          select: { id: true },
        }),
      );
      for (const c of cases) added += await this.add({ handoffId: c.id, round: 0 }, [target]);
    }
    return added;
  }

  /** A further round for each critical case still open and unassigned `repeatMs` after its last alert. */
  async scheduleRepeats(targets: readonly AlertTarget[], repeatMs: number, now: Date, limit: number): Promise<number> {
    const cases = await this.run(() =>
      this.db.handoffRequest.findMany({
        where: { status: "open", riskRank: CRITICAL, assigneeId: null, alerts: { some: {} } },
        orderBy: { createdAt: "asc" },
        take: limit,
        select: { id: true, alerts: { orderBy: { round: "desc" }, take: 1, select: { round: true, createdAt: true } } },
      }),
    );
    let added = 0;
    for (const c of cases) {
      const last = c.alerts[0]!;
      if (now.getTime() - last.createdAt.getTime() >= repeatMs) added += await this.add({ handoffId: c.id, round: last.round + 1 }, targets);
    }
    return added;
  }

  /** One round of a case on `targets`, all or nothing (another process may have added it first). */
  private async add(round: { handoffId: string; round: number }, targets: readonly AlertTarget[]): Promise<number> {
    try {
      const { count } = await this.run(() => this.db.staffAlert.createMany({ data: targets.map((target) => ({ ...round, target })) }));
      return count;
    } catch (error) {
      if (isUniqueViolation(error)) return 0;
      throw error;
    }
  }

  /**
   * Claims up to `limit` alerts that are due: pending ones whose time has come, and ones left
   * "sending" by a process that stopped (their lease ran out). A claim holds for `leaseMs`.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<AlertJob[]> {
    const due = await this.run(() =>
      this.db.staffAlert.findMany({
        where: { status: { in: ["pending", "sending"] }, nextAttemptAt: { lte: now } },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, status: true, nextAttemptAt: true },
      }),
    );
    const claimed: number[] = [];
    for (const row of due) {
      // Only if nobody claimed it since it was read.
      const { count } = await this.run(() =>
        this.db.staffAlert.updateMany({
          where: { id: row.id, status: row.status, nextAttemptAt: row.nextAttemptAt },
          data: { status: "sending", nextAttemptAt: new Date(now.getTime() + leaseMs), attempts: { increment: 1 } },
        }),
      );
      if (count === 1) claimed.push(row.id);
    }
    if (claimed.length === 0) return [];
    const rows = await this.run(() =>
      this.db.staffAlert.findMany({
        where: { id: { in: claimed } },
        orderBy: { id: "asc" },
        select: {
          id: true,
          round: true,
          target: true,
          attempts: true,
          handoff: {
            select: {
              id: true,
              status: true,
              risk: true,
              assigneeId: true,
              createdAt: true,
              conversation: { select: { channel: true, language: true, contact: { select: { language: true } } } },
            },
          },
        },
      }),
    );
    return rows.map((r) => ({
      id: r.id,
      round: r.round,
      target: r.target as AlertTarget,
      attempts: r.attempts,
      handoff: {
        id: r.handoff.id,
        status: r.handoff.status,
        risk: r.handoff.risk,
        assigned: r.handoff.assigneeId !== null,
        createdAt: r.handoff.createdAt,
        channel: r.handoff.conversation.channel as Channel,
        language: r.handoff.conversation.language ?? r.handoff.conversation.contact.language,
      },
    }));
  }

  /** The outcome of a claimed alert: sent, tried again at `retryAt`, failed for good, or dropped unsent. */
  async settle(id: number, outcome: { sent: Date } | { retryAt: Date; error: string } | { failed: string } | { dropped: true }): Promise<void> {
    const data =
      "sent" in outcome ? { status: "sent", sentAt: outcome.sent, lastError: null }
      : "retryAt" in outcome ? { status: "pending", nextAttemptAt: outcome.retryAt, lastError: outcome.error }
      : "failed" in outcome ? { status: "failed", lastError: outcome.failed }
      : { status: "dropped" };
    await this.run(() => this.db.staffAlert.updateMany({ where: { id, status: "sending" }, data }));
  }
}
