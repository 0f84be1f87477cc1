// What the console shows of a handoff: summaries for the queue, the whole conversation for
// the conversation view and export. Platform ids are masked for roles that may not see them;
// report answers are shown with the questions as the bot asked them, in the console language.
import type { TFunction } from "i18next";
import { questionFor } from "../../flows/data/questions.ts";
import type { EvidenceInfo } from "../store/evidence-store.ts";
import type { HandoffRow, ReportRow, StaffAccount, StaffTranscriptRow } from "../store/staff-types.ts";
import { seesIdentity } from "./policy.ts";
import type { TapReading } from "./tap-reading.ts";
import { readyReplyIn } from "./ready-replies.ts";

export interface Coordinates {
  latitude: number;
  longitude: number;
  mapUrl: string;
}

const mapUrl = (latitude: number, longitude: number) =>
  `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;

function coordinates(payload: unknown): Coordinates | undefined {
  const p = payload as { latitude?: unknown; longitude?: unknown } | null;
  if (typeof p?.latitude !== "number" || typeof p.longitude !== "number") return undefined;
  return { latitude: p.latitude, longitude: p.longitude, mapUrl: mapUrl(p.latitude, p.longitude) };
}

/**
 * A handoff as the queue shows it. Open and in-progress cases show how long the person has
 * been waiting; resolved and closed ones how long the case took (until it was resolved or closed).
 */
export function handoffSummary(row: HandoffRow, now: Date) {
  const finished = row.status === "resolved" || row.status === "closed";
  const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return {
    id: row.id,
    conversationId: row.conversationId,
    status: row.status,
    risk: row.risk,
    reason: row.reason,
    channel: row.channel,
    language: row.language,
    nationality: row.nationality,
    reportCode: row.reportCode,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    waitingSeconds: finished ? null : seconds(row.createdAt, now),
    durationSeconds: finished ? seconds(row.createdAt, row.closedAt ?? row.updatedAt) : null,
    lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
    assignee: row.assignee,
  };
}

/**
 * A photo or file as the transcript shows it: its state (fetching, retrying after a failed
 * try, stored, failed for good, too large), and where a stored one is viewed (audited there).
 */
export function evidenceView(handoffId: string, e: EvidenceInfo) {
  const retrying = e.status === "pending" && e.attempts > 0;
  return {
    id: e.id,
    kind: e.kind,
    status: retrying ? ("retrying" as const) : e.status === "fetching" ? ("pending" as const) : e.status,
    size: e.size,
    contentType: e.contentType,
    fileName: e.fileName,
    attempts: e.attempts,
    fetchedAt: e.fetchedAt?.toISOString() ?? null,
    ...(e.status === "stored" ? { url: `/staff/api/handoffs/${encodeURIComponent(handoffId)}/evidence/${encodeURIComponent(e.id)}` } : {}),
  };
}

type EvidenceView = ReturnType<typeof evidenceView>;

function transcriptItem(row: StaffTranscriptRow, tap: TapReading | undefined, evidence: EvidenceView | undefined, t: TFunction) {
  const role =
    row.direction === "in" ? "user"
    : row.direction === "note" ? "note"
    : row.direction === "event" || row.kind === "delete" ? "system"
    : row.staffEmail !== null ? "staff"
    : "bot";
  const location = row.kind === "location" ? coordinates(row.payload) : undefined;
  const detail = row.direction === "event" ? (row.payload as Record<string, unknown> | null) : null;
  // A ready reply: what the person read in their language is `text`; `ready.text` is the same in the console's.
  const ready = row.direction === "out" && row.staffEmail !== null ? readyReplyIn(row.payload, t) : undefined;
  return {
    id: row.id,
    at: row.createdAt.toISOString(),
    role,
    kind: row.kind,
    text: row.text,
    status: row.status,
    author: row.staffEmail,
    ...(location ? { location } : {}),
    ...(tap ? { tap } : {}),
    ...(ready ? { ready } : {}),
    ...(evidence ? { evidence } : {}),
    ...(detail ? { detail } : {}),
    ...(row.kind === "delete" ? { detail: deletionDetail(row.payload) } : {}),
  };
}

function answerText(key: string, value: string, t: TFunction): string {
  const label = questionFor(key)?.choices.find((c) => c.id === value)?.label;
  if (label) return t(label);
  if (["yes", "no", "skip", "unsure"].includes(value)) return t(`common.${value}`);
  return value;
}

/** A report's answers with the questions as the bot asked them, in the console language `t`. */
export function reportView(row: ReportRow, t: TFunction) {
  return {
    code: row.code,
    kind: row.kind,
    consent: row.consent,
    risk: row.risk,
    createdAt: row.createdAt.toISOString(),
    answers: Object.entries(row.answers).map(([key, value]) => ({ key, question: t(questionFor(key)?.prompt ?? key), answer: answerText(key, value, t) })),
  };
}

export function handoffDetail(
  viewer: StaffAccount,
  row: HandoffRow,
  transcript: StaffTranscriptRow[],
  reports: ReportRow[],
  t: TFunction,
  now: Date,
  taps: Map<number, TapReading> = new Map(),
  evidence: EvidenceInfo[] = [],
) {
  const files = new Map(evidence.map((e) => [e.messageId, evidenceView(row.id, e)]));
  const items = transcript.map((r) => transcriptItem(r, taps.get(r.id), files.get(r.id), t));
  const lastLocation = items.findLast((i) => i.location)?.location ?? null;
  const identity = seesIdentity(viewer);
  return {
    handoff: handoffSummary(row, now),
    person: { channel: row.channel, platformUserId: identity ? row.platformUserId : null, masked: !identity },
    location: lastLocation,
    reports: reports.map((r) => reportView(r, t)),
    transcript: items,
  };
}

/** A deletion's size, and whether auto-clear (rather than a quick exit) asked for it. */
function deletionDetail(payload: unknown): { count: number; autoClear?: true } {
  const p = payload as { messageIds?: unknown[]; autoClear?: boolean } | null;
  return { count: (p?.messageIds ?? []).length, ...(p?.autoClear ? { autoClear: true as const } : {}) };
}
