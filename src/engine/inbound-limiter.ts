// Per-person inbound limit. Each person has a token bucket (a burst, then a steady rate).
// A message over the limit is still stored, but it does not run the flow, and the person
// gets at most one short notice per cooldown. Commands (/stop, /delete…), shared locations
// and emergency words draw on a small reserve of their own when the bucket is empty, so a
// person who typed fast still gets the emergency card and the quick exit. State is kept in
// memory per process: a restart forgets it, which only makes the limit more lenient.
import type { PersonEvent } from "../../flows/types.ts";
import { isEmergencyMessage } from "../../flows/data/emergency-words.ts";
import { TokenBucket, type BucketLimits } from "../token-bucket.ts";

export interface InboundLimits extends BucketLimits {
  /** At most one "you are sending very fast" notice per person in this time. */
  noticeCooldownMs: number;
}

export type Admission = { run: true } | { run: false; notice: boolean };

/** Safety events beyond the normal limit: 5 at once, then one every 10 s. */
const SAFETY_RESERVE: BucketLimits = { burst: 5, perSecond: 0.1 };
/** Forget people whose buckets are full again, every so many admissions. */
const SWEEP_EVERY = 1024;

interface PersonState {
  bucket: TokenBucket;
  reserve?: TokenBucket;
  noticeAt?: number;
}

export function isSafetyEvent(event: PersonEvent): boolean {
  return event.type === "COMMAND" || event.type === "LOCATION" || (event.type === "TEXT" && isEmergencyMessage(event.text));
}

export class InboundLimiter {
  private readonly limits: InboundLimits;
  private readonly clock: () => number;
  private readonly people = new Map<string, PersonState>();
  private admissions = 0;

  constructor(limits: InboundLimits, clock: () => number = Date.now) {
    this.limits = limits;
    this.clock = clock;
  }

  /** Decides whether this message of `person` runs the flow, and whether to send the notice. */
  admit(person: string, event: PersonEvent): Admission {
    const now = this.clock();
    if (++this.admissions % SWEEP_EVERY === 0) this.sweep(now);
    let state = this.people.get(person);
    if (!state) {
      state = { bucket: new TokenBucket(this.limits, now) };
      this.people.set(person, state);
    }
    if (state.bucket.take(now)) return { run: true };
    if (isSafetyEvent(event)) {
      state.reserve ??= new TokenBucket(SAFETY_RESERVE, now);
      if (state.reserve.take(now)) return { run: true };
    }
    const notice = state.noticeAt === undefined || now - state.noticeAt >= this.limits.noticeCooldownMs;
    if (notice) state.noticeAt = now;
    return { run: false, notice };
  }

  /** How many people the limiter remembers (for tests). */
  get size(): number {
    return this.people.size;
  }

  private sweep(now: number): void {
    for (const [person, state] of this.people) {
      const cooled = state.noticeAt === undefined || now - state.noticeAt >= this.limits.noticeCooldownMs;
      if (cooled && state.bucket.isFull(now) && (state.reserve?.isFull(now) ?? true)) this.people.delete(person);
    }
  }
}
