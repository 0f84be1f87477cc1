// Security events: refused sign-ins, 403s, CSRF and origin failures, bad webhook secrets or
// signatures. Each is recorded with no personal data (no address, e-mail typed, body or
// platform id). The client address is used only in memory, as a key: per event kind and
// address at most one record per window, and the events held back meanwhile are counted
// in the next record, so a flood cannot fill the audit log or the server log.
import type { Logger } from "../log.ts";

const DEFAULT_WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;

export class SecurityEvents {
  private readonly windowMs: number;
  private readonly clock: () => number;
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(windowMs = DEFAULT_WINDOW_MS, clock: () => number = Date.now) {
    this.windowMs = windowMs;
    this.clock = clock;
  }

  /** `record` gets the number of such events since the last record, this one included. */
  report(kind: string, address: string, record: (count: number) => void): void {
    const now = this.clock();
    const key = `${kind} ${address}`;
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.windowMs) {
      seen.held += 1;
      return;
    }
    if (this.last.size >= MAX_KEYS) this.forgetOld(now);
    this.last.set(key, { at: now, held: 0 });
    record((seen?.held ?? 0) + 1);
  }

  private forgetOld(now: number): void {
    for (const [key, seen] of this.last) if (now - seen.at >= this.windowMs) this.last.delete(key);
    // Still full (a flood from very many addresses): drop the oldest half.
    let drop = this.last.size >= MAX_KEYS ? this.last.size / 2 : 0;
    for (const key of this.last.keys()) if (drop-- > 0) this.last.delete(key);
  }
}

/** Security events as server log lines (webhooks): the event's kind and count, nothing else. */
export function securityEventLog(log: Logger, events = new SecurityEvents()): (kind: string, address: string) => void {
  return (kind, address) => events.report(kind, address, (count) => log.warn({ event: kind, count }, "security event"));
}
