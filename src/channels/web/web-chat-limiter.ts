// Limits for the test chat, which has no sign-in: anyone who reaches the port may post. Per
// client address (Fastify's request.ip, which believes X-Forwarded-For only from TRUST_PROXY)
// a burst of new sessions and of messages, then a steady rate; and a cap over all addresses,
// so many addresses together cannot flood the staff queue either. Kept in memory per process.
import { TokenBucket, type BucketLimits } from "../../token-bucket.ts";

export interface WebChatLimits {
  /** New sessions (session ids this process has not seen) per address. */
  sessionsPerAddress: BucketLimits;
  /** Posted messages per address. */
  messagesPerAddress: BucketLimits;
  sessionsOverall: BucketLimits;
  messagesOverall: BucketLimits;
}

/** Enough for someone trying the flow (or a few people behind one address), not for a flood. */
export const DEFAULT_WEB_CHAT_LIMITS: WebChatLimits = {
  sessionsPerAddress: { burst: 5, perSecond: 1 / 30 },
  messagesPerAddress: { burst: 60, perSecond: 1 },
  sessionsOverall: { burst: 50, perSecond: 0.5 },
  messagesOverall: { burst: 300, perSecond: 20 },
};

/** A session not seen for this long counts as new again (and is forgotten). */
const SESSION_MEMORY_MS = 60 * 60 * 1000;
const SWEEP_EVERY = 1024;

export type WebChatAdmission = { ok: true } | { ok: false; limit: "sessions" | "messages"; retryAfterSeconds: number };

interface AddressState {
  sessions: TokenBucket;
  messages: TokenBucket;
}

export class WebChatLimiter {
  private readonly limits: WebChatLimits;
  private readonly clock: () => number;
  private readonly addresses = new Map<string, AddressState>();
  private readonly sessions = new Map<string, number>();
  private readonly sessionsOverall: TokenBucket;
  private readonly messagesOverall: TokenBucket;
  private admissions = 0;

  constructor(limits: WebChatLimits = DEFAULT_WEB_CHAT_LIMITS, clock: () => number = Date.now) {
    this.limits = limits;
    this.clock = clock;
    const now = clock();
    this.sessionsOverall = new TokenBucket(limits.sessionsOverall, now);
    this.messagesOverall = new TokenBucket(limits.messagesOverall, now);
  }

  /** Whether `address` may post this message to `session`; takes the tokens when it may. */
  admit(address: string, session: string): WebChatAdmission {
    const now = this.clock();
    if (++this.admissions % SWEEP_EVERY === 0) this.sweep(now);
    let state = this.addresses.get(address);
    if (!state) {
      state = { sessions: new TokenBucket(this.limits.sessionsPerAddress, now), messages: new TokenBucket(this.limits.messagesPerAddress, now) };
      this.addresses.set(address, state);
    }
    const seen = this.sessions.get(session);
    const isNew = seen === undefined || now - seen > SESSION_MEMORY_MS;
    if (isNew) {
      const refused = this.take("sessions", state.sessions, this.sessionsOverall, now);
      if (refused) return refused;
      this.sessions.set(session, now);
    }
    const refused = this.take("messages", state.messages, this.messagesOverall, now);
    if (refused) return refused;
    if (!isNew) this.sessions.set(session, now);
    return { ok: true };
  }

  private take(limit: "sessions" | "messages", own: TokenBucket, overall: TokenBucket, now: number): WebChatAdmission | undefined {
    const wait = Math.max(own.waitMs(now), overall.waitMs(now));
    if (wait > 0) return { ok: false, limit, retryAfterSeconds: Math.ceil(wait / 1000) };
    own.take(now);
    overall.take(now);
    return undefined;
  }

  private sweep(now: number): void {
    for (const [address, state] of this.addresses) {
      if (state.sessions.isFull(now) && state.messages.isFull(now)) this.addresses.delete(address);
    }
    for (const [session, at] of this.sessions) if (now - at > SESSION_MEMORY_MS) this.sessions.delete(session);
  }
}
