// How long replies waited after a process died: for the replies still unsent when it died,
// the time from the moment SafeLine could send again (the restart's readiness, or the kill
// when another process is left to take over) to each reply's own send at the fake Bot API.
import type { DeliveryAudit } from "./conversation-audit.ts";

/** The replies unsent when a process died, and when sending could resume. */
export interface Interruption {
  unsent: number[];
  resumedAt: number;
  /** The next interruption's kill: what it finds unsent is measured from its own resumption. */
  until?: number;
}

export interface ResumeWaits {
  /** Replies measured. */
  replies: number;
  /** Per interruption: its replies, and the time from resumption to the last of them sent (ms). */
  each: { replies: number; lastMs: number }[];
  /** Replies sent more than `limitMs` after their resumption. */
  late: number;
  limitMs: number;
}

/** When each outbox row's own send (the last part of a split text) reached the fake. */
export function sendTimes(delivery: DeliveryAudit): Map<number, number> {
  const at = new Map<number, number>();
  for (const [call, row] of delivery.rowOf) at.set(row.id, Math.max(at.get(row.id) ?? 0, call.at));
  return at;
}

export function resumeWaits(interruptions: Interruption[], delivery: DeliveryAudit, limitMs = 5000): ResumeWaits {
  const sentAt = sendTimes(delivery);
  const waits: ResumeWaits = { replies: 0, each: [], late: 0, limitMs };
  for (const { unsent, resumedAt, until = Infinity } of interruptions) {
    let last = 0;
    let replies = 0;
    for (const id of unsent) {
      const at = sentAt.get(id);
      // Unsent rows show as problems in the delivery audit; one still unsent at the next kill is measured there.
      if (at === undefined || at >= until) continue;
      const wait = Math.max(0, at - resumedAt);
      waits.replies++;
      replies++;
      last = Math.max(last, wait);
      if (wait > limitMs) waits.late++;
    }
    waits.each.push({ replies, lastMs: last });
  }
  return waits;
}

export const describeWaits = (w: ResumeWaits) =>
  `replies unsent at each kill and the last of them sent after the resumption: ` +
  `${w.each.map((e) => `${e.replies} in ${(e.lastMs / 1000).toFixed(2)} s`).join(", ")}; ${w.late} of ${w.replies} waited longer than ${w.limitMs / 1000} s`;
