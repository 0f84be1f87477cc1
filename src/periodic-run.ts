// A job run at start and then every interval, one run at a time: a run asked for while one is
// under way starts after it, and stop() waits for a run under way. A failed scheduled run is
// logged; the next one tries again.
import type { Logger } from "./log.ts";

export interface PeriodicRunOptions {
  intervalMs: number;
  log: Logger;
  /** Logged when a scheduled run fails (no ids or content). */
  failureMessage: string;
  /** The time a scheduled run is given (tests move it on instead of waiting). */
  now?: () => Date;
}

export class PeriodicRun<T> {
  private readonly work: (now: Date) => Promise<T>;
  private readonly options: PeriodicRunOptions;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> = Promise.resolve();
  private isStopped = false;

  constructor(work: (now: Date) => Promise<T>, options: PeriodicRunOptions) {
    this.work = work;
    this.options = options;
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  start(): void {
    this.isStopped = false;
    void this.scheduled();
    this.timer = setInterval(() => void this.scheduled(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a run under way. */
  async stop(): Promise<void> {
    this.isStopped = true;
    clearInterval(this.timer);
    await this.current.catch(() => {});
  }

  /** One run now, after any run of this process still under way. */
  runOnce(now = this.options.now?.() ?? new Date()): Promise<T> {
    const run = this.current.catch(() => {}).then(() => this.work(now));
    this.current = run;
    return run;
  }

  private async scheduled(): Promise<void> {
    if (this.isStopped) return;
    try {
      await this.runOnce();
    } catch (error) {
      this.options.log.error({ err: (error as Error).message }, this.options.failureMessage);
    }
  }
}
