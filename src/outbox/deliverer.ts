// Sends outbox rows through the channel senders: oldest first within a conversation,
// conversations in parallel, transient failures retried with backoff, permanent ones
// marked failed. Claims carry a lease, so a row left `sending` by a crashed process is
// picked up again once the lease has run out; everything resumes after a restart.
import type { Logger } from "../log.ts";
import type { Channel, OutboxItem, Store } from "../store/store.ts";
import { nextDelayMs } from "./backoff.ts";
import { DeliveryError } from "./delivery-error.ts";

export interface ChannelSender {
  /** How many consecutive messages of one conversation `send` may receive at once (default 1). */
  readonly batchSize?: number;
  /** Milliseconds until this message's chat may be sent to (rate limits, a platform's wait); 0 or unset: now. */
  readyIn?(item: OutboxItem): number;
  /**
   * Sends the first of `items`, and as many of the following as it can together with it.
   * Returns the platform message ids of each message sent, in order (at least one entry);
   * messages beyond the returned ones go back to the outbox untouched.
   */
  send(items: OutboxItem[]): Promise<string[][]>;
}

export interface DelivererOptions {
  pollMs: number;
  leaseMs: number;
  maxAttempts: number;
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
  /** Called after a pass that sent or gave up on messages (live staff consoles show delivery status). */
  onDelivered?: () => void;
}

const DEFAULTS: DelivererOptions = {
  pollMs: 1000,
  leaseMs: 30_000,
  maxAttempts: 10,
  concurrency: 16,
  backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
};

export class Deliverer {
  private readonly options: DelivererOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeTimerAt = Infinity;

  constructor(
    private readonly store: Store,
    private readonly senders: Partial<Record<Channel, ChannelSender>>,
    private readonly log: Logger,
    options: Partial<DelivererOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Look for work now (called after every committed step). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops polling and waits for sends already under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.wakeTimer);
    await this.running;
  }

  /** Wakes in `ms`; one timer for the earliest of many such requests (every paced chat makes one). */
  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.wakeTimer && this.wakeTimerAt <= at) return;
    clearTimeout(this.wakeTimer);
    this.wakeTimerAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeTimerAt = Infinity;
      this.wake();
    }, ms);
    this.wakeTimer.unref();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const sent = await this.deliverDue();
        if (sent > 0) {
          this.again = true;
          this.options.onDelivered?.();
        }
      } catch (error) {
        this.log.error({ err: (error as Error).message }, "outbox pass failed");
      }
    } while (this.again && !this.stopped);
  }

  private async deliverDue(): Promise<number> {
    const batch = Math.max(1, ...Object.values(this.senders).map((sender) => sender?.batchSize ?? 1));
    const due = (await this.store.dueOutbound(new Date(), batch)).filter((group) => this.senders[group[0]!.channel]);
    let done = 0;
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.stopped) {
        done += await this.deliver(due[next++]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
    return done;
  }

  /** Claims a conversation's due messages in order, stopping at the first one it cannot claim. */
  private async claimAll(group: OutboxItem[]): Promise<OutboxItem[]> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + this.options.leaseMs);
    const claimed: OutboxItem[] = [];
    for (const item of group) {
      if (!(await this.store.claim(item.id, now, leaseUntil))) break;
      claimed.push(item);
    }
    return claimed;
  }

  private async deliver(group: OutboxItem[]): Promise<number> {
    const sender = this.senders[group[0]!.channel]!;
    // A chat that must wait is left for later, unclaimed, so it holds no worker.
    const wait = sender.readyIn?.(group[0]!) ?? 0;
    if (wait > 0) {
      this.wakeIn(wait);
      return 0;
    }
    const items = await this.claimAll(group.slice(0, sender.batchSize ?? 1));
    if (items.length === 0) return 0;
    const head = items[0]!;
    const attempt = head.attempts + 1;
    try {
      const sent = (await sender.send(items)).slice(0, items.length);
      if (sent.length === 0) throw new DeliveryError("sender reported nothing sent", true);
      for (const [i, ids] of sent.entries()) {
        const item = items[i]!;
        await this.store.markSent(item.id, ids);
        if ((item.payload as { forgetChat?: boolean } | null)?.forgetChat) await this.store.forgetErasedChat(item.conversationId);
      }
      await this.store.release(items.slice(sent.length).map((item) => item.id));
      return sent.length;
    } catch (error) {
      const e = error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, true);
      if (e.rateLimited) {
        // The platform's flow control, not this message's fault: back as it was, in order.
        await this.store.release(items.map((item) => item.id));
        this.log.warn({ message: head.id, waitMs: e.retryAfterMs }, "delivery paused by the platform's rate limit");
        this.wakeIn(e.retryAfterMs ?? 0);
        return 0;
      }
      await this.store.release(items.slice(1).map((item) => item.id));
      if (!e.retryable || attempt >= this.options.maxAttempts) {
        await this.store.markFailed(head.id, e.message);
        this.log.error({ message: head.id, attempt, reason: e.message }, "delivery failed for good");
        return 1;
      }
      const delay = nextDelayMs(attempt, this.options.backoff, e.retryAfterMs);
      await this.store.markRetry(head.id, new Date(Date.now() + delay), e.message);
      this.log.warn({ message: head.id, attempt, delayMs: delay, reason: e.message }, "delivery will be retried");
      setTimeout(() => this.wake(), delay).unref();
      return 0;
    }
  }
}
