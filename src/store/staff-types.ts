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
  reason: string;
  channel: Channel;
  language: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastMessageAt: Date | null;
  assignee: { id: string; email: string } | null;
  /** Where the person is reached; needed to queue replies in order. */
  chatId: string;
  platformUserId: string;
}

export interface HandoffFilter {
  statuses: HandoffStatus[];
  risk?: string;
  channel?: string;
  language?: string;
  /** Only unassigned handoffs and those assigned to this account (agents). */
  visibleTo?: string;
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
