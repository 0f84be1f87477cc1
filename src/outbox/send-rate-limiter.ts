// Outbound pacing for one platform account: an overall rate (Telegram: about 30 messages
// a second per bot), a per-chat rate with a small burst (Telegram: about one a second per
// chat, short bursts tolerated), and the waits a platform asks for with 429 — per chat, or
// for every chat when two different chats are told to wait within a second (Telegram does
// not say which limit was hit; several chats at once means the account's).
//
// The deliverer asks `readyIn` before claiming a chat's next message and leaves chats that
// must wait for later, so a paced chat never holds a delivery worker; the sender calls
// `acquire` right before each API call, which waits until both the chat and the overall
// budget allow a send and counts it then, at the moment it goes out (so a stalled process
// never sends a bunch of overdue sends at once). State lives in memory, per process: with
// several instances, give each its share of the overall rate.
import { TokenBucket, type BucketLimits } from "../token-bucket.ts";
import { DeliveryError } from "./delivery-error.ts";

export interface SendLimits {
  /** Sends per second over all chats; unset: no overall limit. */
  perSecond?: number;
  /** Per chat: a burst, then a steady rate; unset: no per-chat limit. */
  chat?: BucketLimits;
}

/** Two different chats told to wait within this time: the whole account is being throttled. */
const ACCOUNT_FLOOD_WINDOW_MS = 1000;
/** Forget chats that are back to a full burst, every so many sends. */
const SWEEP_EVERY = 1024;

interface ChatState {
  bucket?: TokenBucket;
  pausedUntil: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SendRateLimiter {
  private readonly limits: SendLimits;
  private readonly clock: () => number;
  private readonly overall: TokenBucket | undefined;
  private readonly chats = new Map<string, ChatState>();
  private pausedUntil = 0;
  private lastPause: { chat: string; at: number } | undefined;
  private sends = 0;

  constructor(limits: SendLimits = {}, clock: () => number = Date.now) {
    this.limits = limits;
    this.clock = clock;
    // A burst of one send (of one millisecond's worth above 1,000/s, as timers and the clock
    // count in milliseconds): sends are spread out, and any one-second window holds at most
    // `perSecond` (plus that millisecond's worth at such rates).
    this.overall = limits.perSecond
      ? new TokenBucket({ burst: Math.max(1, Math.floor(limits.perSecond / 1000)), perSecond: limits.perSecond }, clock())
      : undefined;
  }

  /** Milliseconds until `chat` may be sent to (its own pace, or a platform's wait); 0: now. */
  readyIn(chat: string): number {
    const now = this.clock();
    const state = this.chats.get(chat);
    return Math.max(0, this.pausedUntil - now, (state?.pausedUntil ?? 0) - now, state?.bucket?.waitMs(now) ?? 0);
  }

  /**
   * Waits until `chat` and the overall budget allow a send, then counts it. A chat the
   * platform told to wait is not waited for here: that throws a rate-limited DeliveryError,
   * so the message goes back to the outbox instead of holding a worker and its lease.
   */
  async acquire(chat: string): Promise<void> {
    for (;;) {
      const paused = this.pausedFor(chat);
      if (paused > 0) throw new DeliveryError("paused after a 429", true, paused, true);
      const now = this.clock();
      const wait = Math.max(this.readyIn(chat), this.overall?.waitMs(now) ?? 0);
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      this.overall?.take(now);
      this.state(chat).bucket?.take(now);
      if (++this.sends % SWEEP_EVERY === 0) this.sweep();
      return;
    }
  }

  /** The platform answered 429 for `chat`: nothing to it for `ms`; a second chat within a second pauses all. */
  rateLimited(chat: string, ms: number): void {
    const now = this.clock();
    const state = this.state(chat);
    state.pausedUntil = Math.max(state.pausedUntil, now + ms);
    if (this.lastPause && this.lastPause.chat !== chat && now - this.lastPause.at <= ACCOUNT_FLOOD_WINDOW_MS) this.pauseAll(ms);
    this.lastPause = { chat, at: now };
  }

  /** The platform limits the whole account: nothing to any chat for `ms`. */
  pauseAll(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + ms);
  }

  /** How many chats the limiter remembers (for tests). */
  get size(): number {
    return this.chats.size;
  }

  private pausedFor(chat: string): number {
    const now = this.clock();
    return Math.max(0, this.pausedUntil - now, (this.chats.get(chat)?.pausedUntil ?? 0) - now);
  }

  private state(chat: string): ChatState {
    let state = this.chats.get(chat);
    if (!state) {
      state = { pausedUntil: 0, ...(this.limits.chat ? { bucket: new TokenBucket(this.limits.chat, this.clock()) } : {}) };
      this.chats.set(chat, state);
    }
    return state;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [chat, state] of this.chats) {
      if (state.pausedUntil <= now && (state.bucket?.isFull(now) ?? true)) this.chats.delete(chat);
    }
  }
}
