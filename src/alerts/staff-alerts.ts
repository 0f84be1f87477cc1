// Tells on-call staff outside the console about critical and high cases. Every few seconds:
// cases that need an alert get alert rows (committed, so a crash loses nothing: the next
// pass, in this process or another, sends what is left); due rows are claimed with a lease
// and sent; failures are retried with backoff like the outbox. A critical case still open and
// unassigned `repeatMs` after its last alert is alerted again. The scan reads the queue's index
// (status, risk rank), so a conversation step never pays for alerts.
import type { Logger } from "../log.ts";
import { nextDelayMs, type BackoffOptions } from "../outbox/backoff.ts";
import { DeliveryError } from "../outbox/delivery-error.ts";
import type { AlertJob, AlertStore, AlertTarget } from "../store/alert-store.ts";
import { PassCounter } from "../pass-counter.ts";
import { alertText } from "./alert-text.ts";
import type { AlertSender } from "./telegram-alert-sender.ts";

export interface StaffAlertsOptions {
  /** The console's address (…/staff), for the link in each alert. */
  consoleUrl: string;
  /** Repeat for a critical case still unassigned this long after its last alert; 0: never. */
  repeatMs: number;
  pollMs: number;
  leaseMs: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  /** Cases changed longer ago than this are not alerted for the first time (a backlog from before alerts were on). */
  lookbackMs: number;
}

const DEFAULTS: Omit<StaffAlertsOptions, "consoleUrl" | "repeatMs"> = {
  pollMs: 2000,
  leaseMs: 30_000,
  maxAttempts: 10,
  backoff: { baseMs: 5000, maxMs: 5 * 60_000 },
  lookbackMs: 24 * 60 * 60_000,
};

const BATCH = 50;

export class StaffAlerts {
  private readonly store: AlertStore;
  private readonly senders: Partial<Record<AlertTarget, AlertSender>>;
  private readonly log: Logger;
  private readonly options: StaffAlertsOptions;
  private readonly targets: AlertTarget[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly passes = new PassCounter();

  constructor(store: AlertStore, senders: Partial<Record<AlertTarget, AlertSender>>, log: Logger, options: Pick<StaffAlertsOptions, "consoleUrl" | "repeatMs"> & Partial<StaffAlertsOptions>) {
    this.store = store;
    this.senders = senders;
    this.log = log;
    this.options = { ...DEFAULTS, ...options };
    this.targets = (Object.keys(senders) as AlertTarget[]).filter((t) => senders[t]);
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** One pass now, unless one is under way. */
  wake(): void {
    this.running ??= this.pass()
      .catch((error: unknown) => this.log.error({ err: (error as Error).message }, "staff alerts: pass failed"))
      .finally(() => {
        this.running = undefined;
        this.passes.finishedOne();
      });
  }

  /** Resolves once `n` whole passes have run after this call (a pass under way does not count): what they would send is sent. */
  afterPasses(n: number): Promise<void> {
    return this.passes.after(n, this.running !== undefined);
  }

  /** Stops looking; a pass under way finishes (its sends are recorded). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    for (const sender of Object.values(this.senders)) sender?.close?.();
  }

  private async pass(): Promise<void> {
    const now = new Date();
    await this.store.scheduleNew(this.targets, new Date(now.getTime() - this.options.lookbackMs), BATCH);
    if (this.options.repeatMs > 0) await this.store.scheduleRepeats(this.targets, this.options.repeatMs, now, BATCH);
    const jobs = await this.store.claimDue(now, this.options.leaseMs, BATCH);
    await Promise.all(jobs.map((job) => this.send(job)));
  }

  private async send(job: AlertJob): Promise<void> {
    const { status, risk, assigned } = job.handoff;
    // Closed or erased before it went out: nobody needs waking. A repeat only while still critical, open and unassigned.
    const stale = status === "closed" || status === "erased" || (job.round > 0 && (status !== "open" || risk !== "critical" || assigned));
    const sender = this.senders[job.target];
    if (stale || !sender) {
      await this.store.settle(job.id, { dropped: true });
      return;
    }
    try {
      await sender.send(alertText(job, this.options.consoleUrl, new Date()));
      await this.store.settle(job.id, { sent: new Date() });
      this.log.info({ alert: job.id, target: job.target, round: job.round, risk }, "staff alert sent");
    } catch (error) {
      const retryable = !(error instanceof DeliveryError) || error.retryable;
      const reason = (error as Error).message;
      if (retryable && job.attempts < this.options.maxAttempts) {
        const wait = nextDelayMs(job.attempts, this.options.backoff, error instanceof DeliveryError ? error.retryAfterMs : 0);
        await this.store.settle(job.id, { retryAt: new Date(Date.now() + wait), error: reason });
        this.log.warn({ alert: job.id, target: job.target, err: reason }, "staff alert: will try again");
      } else {
        await this.store.settle(job.id, { failed: reason });
        this.log.error({ alert: job.id, target: job.target, err: reason }, "staff alert failed");
      }
    }
  }
}
