// Shapes the staff console reads and writes through the store.
import type { Channel } from "./types.ts";

export type StaffRole = "agent" | "supervisor" | "admin";
export const STAFF_ROLES: readonly StaffRole[] = ["agent", "supervisor", "admin"];

export type HandoffStatus = "open" | "in_progress" | "resolved" | "closed" | "erased";
export const HANDOFF_STATUSES: readonly HandoffStatus[] = ["open", "in_progress", "resolved", "closed"];

export interface StaffAccount {
  id: string;
  email: string;
  role: StaffRole;
  active: boolean;
  lockedUntil: Date | null;
  createdAt: Date;
}

export interface StaffCredentials extends StaffAccount {
  passwordHash: string;
  failedLogins: number;
}

export interface HandoffRow {
  id: string;
  conversationId: string;
  status: HandoffStatus;
  risk: string | null;
  /** `risk` as the queue sorts it (src/store/risk-rank.ts). */
  riskRank: number;
  reason: string;
  channel: Channel;
  language: string | null;
  /** The nationality the person chose in the flow (in a family report, the missing person's); null when not asked yet. */
  nationality: string | null;
  /** The reference code of the newest report the person agreed to share, if any. */
  reportCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When it was resolved or closed; null while open or in progress. */
  closedAt: Date | null;
  lastMessageAt: Date | null;
  assignee: { id: string; email: string } | null;
  /** Where the person is reached; needed to queue replies in order. */
  chatId: string;
  platformUserId: string;
}

export interface HandoffFilter {
  statuses: HandoffStatus[];
  /** A risk level, or "none" for handoffs without one. */
  risk?: string;
  channel?: string;
  language?: string;
  /** Only unassigned handoffs and those assigned to this account (agents). */
  visibleTo?: string;
}

/** Where a keyset page starts: after the row with this rank, time and id. */
export interface KeysetCursor {
  rank: number;
  at: Date;
  id: string;
}

export interface Page<T> {
  rows: T[];
  /** Where the next page starts; null on the last page. */
  next: KeysetCursor | null;
}

export interface HandoffCounts {
  status: Record<Exclude<HandoffStatus, "erased">, number>;
  risk: Record<"critical" | "high" | "medium" | "low" | "none", number>;
}

export interface ReportFilter {
  risk?: string;
  kind?: "self" | "family";
  /** A reference code, normalised (upper case, with its dash). */
  code?: string;
  /** Only reports whose conversation is not assigned to another account (agents). */
  visibleTo?: string;
}

/** A report as the Reports view lists it; only reports shared with consent exist for staff. */
export interface ReportListRow {
  id: string;
  code: string;
  kind: string;
  risk: string | null;
  riskRank: number;
  createdAt: Date;
  conversationId: string;
  channel: Channel;
  language: string | null;
  /** The conversation's latest handoff: the case's status and who has it. */
  handoff: { id: string; status: HandoffStatus; assignee: { id: string; email: string } | null } | null;
}

export interface StaffTranscriptRow {
  id: number;
  direction: "in" | "out" | "note" | "event";
  kind: string;
  text: string | null;
  payload: unknown;
  status: string;
  staffEmail: string | null;
  createdAt: Date;
}

export interface ReportRow {
  code: string;
  kind: string;
  consent: boolean;
  risk: string | null;
  answers: Record<string, string>;
  createdAt: Date;
}

export interface AuditInput {
  actor: { id: string; email: string } | { id: null; email: string };
  action: string;
  targetType?: string;
  targetId?: string;
  /** Ids, statuses, counts — never message text. */
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: unknown;
}

/** A system event shown in the transcript (direction "event"). */
export interface TranscriptEvent {
  kind: string;
  payload?: Record<string, unknown>;
}

/** What a staff action writes besides the conversation step, in the same transaction. */
export interface StaffRecord {
  staffId: string;
  handoffId: string;
  handoff?: { status?: HandoffStatus; assigneeId?: string | null };
  events: TranscriptEvent[];
  audit: AuditInput[];
}
