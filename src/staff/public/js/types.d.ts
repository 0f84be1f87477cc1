// The shapes of the staff API's answers as the console reads them (docs/staff-console.md).
// Types only: the browser never loads this file.

export type Role = "agent" | "supervisor" | "admin";

export interface Account {
  id: string;
  email: string;
  role: Role;
  active: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

/** The signed-in account and its CSRF token (GET /me, POST /login). */
export interface Session {
  account: Account;
  csrf: string;
}

/** GET /definitions: the server's rules the console shows and offers. */
export interface Definitions {
  statuses: string[];
  nextStatuses: Record<string, string[]>;
  workable: string[];
  risks: string[];
  channels: string[];
  languages: string[];
  roles: Role[];
  reportKinds: string[];
  /** Photos of these types are shown in the transcript; other files are downloads. */
  inlineImageTypes: string[];
  limits: { reply: number; note: number; passwordMin: number; page: number; pageMax: number };
}

export interface StaffMember {
  id: string;
  email: string;
}

export interface HandoffSummary {
  id: string;
  conversationId: string;
  status: string;
  risk: string | null;
  reason: string;
  channel: string;
  language: string | null;
  nationality: string | null;
  reportCode: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  waitingSeconds: number | null;
  durationSeconds: number | null;
  lastMessageAt: string | null;
  assignee: StaffMember | null;
}

export interface QueueCounts {
  status: Record<string, number>;
  risk: Record<string, number>;
}

export interface QueuePage {
  handoffs: HandoffSummary[];
  next: string | null;
  counts: QueueCounts;
  staff: StaffMember[];
}

export interface ReportSummary {
  id: string;
  code: string;
  kind: string;
  risk: string | null;
  createdAt: string;
  channel: string;
  language: string | null;
  handoff: { id: string; status: string; assignee: StaffMember | null } | null;
}

export interface ReportsPage {
  reports: ReportSummary[];
  next: string | null;
}

export interface Answer {
  key: string;
  question: string;
  answer: string | null;
}

export interface Report {
  code: string;
  kind: string;
  consent: boolean;
  risk: string | null;
  createdAt: string;
  answers: Answer[];
}

export interface ReportDetail extends ReportSummary {
  consent: boolean;
  answers: Answer[];
}

export interface Place {
  latitude: number;
  longitude: number;
  mapUrl: string;
}

export interface Evidence {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  size: number | null;
  contentType: string | null;
  fileName: string | null;
  fetchedAt: string | null;
  url?: string;
}

export interface Tap {
  question: string;
  answer: string;
  asked: { question?: string; answer?: string; language?: string | null };
}

export interface TranscriptItem {
  id: string;
  at: string;
  role: string;
  kind: string;
  text: string | null;
  status: string | null;
  author: string | null;
  detail?: Record<string, unknown> | null;
  location?: Place;
  tap?: Tap;
  ready?: { id: string; text: string };
  evidence?: Evidence;
}

export interface HandoffDetail {
  handoff: HandoffSummary;
  person: { channel: string; platformUserId: string | null; masked: boolean };
  location: Place | null;
  reports: Report[];
  transcript: TranscriptItem[];
}

export interface HandoffExport extends HandoffDetail {
  exportedAt: string;
  exportedBy: string;
}

/** A ready reply as sent: its id and parameters; the server writes the text. */
export type ReadyReply = { id: string; within?: string; contact?: string };

export interface ReadyReplyOption {
  reply: ReadyReply;
  label?: string;
  preview: string;
  theirs: string;
}

export interface ReadyReplies {
  language: string;
  nationality: string | null;
  nationalityGuessed: boolean;
  replies: { id: string; options: ReadyReplyOption[] }[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
}

/** What the router keeps of the view it shows. */
export interface View {
  /** Loads the view's data anew; `live`: because of a change event, `first`: just opened. */
  refresh(options?: { live?: boolean; first?: boolean }): Promise<void>;
}
