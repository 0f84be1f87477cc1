// Sends outbox rows through the channel senders: oldest first within a conversation,
// conversations in parallel, transient failures retried with backoff, permanent ones
// marked failed. Claims carry a lease, so a row left `sending` by a crashed process is
// picked up again once the lease has run out; everything resumes after a restart.
import type { Logger } from "../log.ts";
import type { Channel, OutboxItem, Store } from "../store/store.ts";
import { nextDelayMs } from "./backoff.ts";
import { DeliveryError } from "./delivery-error.ts";

export interface ChannelSender {
  /** Sends one stored message; returns the platform message ids it produced. */
  send(item: OutboxItem): Promise<string[]>;
}

export interface DelivererOptions {
  pollMs: number;
  leaseMs: number;
  maxAttempts: number;
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
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
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const sent = await this.deliverDue();
        if (sent > 0) this.again = true;
      } catch (error) {
        this.log.error({ err: (error as Error).message }, "outbox pass failed");
      }
    } while (this.again && !this.stopped);
  }

  private async deliverDue(): Promise<number> {
    const due = (await this.store.dueOutbound(new Date())).filter((item) => this.senders[item.channel]);
    let done = 0;
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.stopped) {
        const item = due[next++]!;
        if (await this.deliver(item)) done++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
    return done;
  }

  private async deliver(item: OutboxItem): Promise<boolean> {
    const leaseUntil = new Date(Date.now() + this.options.leaseMs);
    if (!(await this.store.claim(item, leaseUntil))) return false;
    const attempt = item.attempts + 1;
    try {
      const ids = await this.senders[item.channel]!.send(item);
      await this.store.markSent(item.id, ids);
      return true;
    } catch (error) {
      const e = error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, true);
      if (!e.retryable || attempt >= this.options.maxAttempts) {
        await this.store.markFailed(item.id, e.message);
        this.log.error({ message: item.id, attempt, reason: e.message }, "delivery failed for good");
        return true;
      }
      const delay = nextDelayMs(attempt, this.options.backoff, e.retryAfterMs);
      await this.store.markRetry(item.id, new Date(Date.now() + delay), e.message);
      this.log.warn({ message: item.id, attempt, delayMs: delay, reason: e.message }, "delivery will be retried");
      setTimeout(() => this.wake(), delay).unref();
      return false;
    }
  }
}
