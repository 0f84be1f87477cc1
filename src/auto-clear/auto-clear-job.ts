// Clears chats whose auto-clear is due (see src/store/auto-clear-store.ts), checking every
// few seconds. Several server processes may run it on one database: each due chat is
// claimed in the transaction that queues its deletion, so it is cleared once.
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";

export const AUTO_CLEAR_CHECK_MS = 15_000;
/** Chats cleared per check at most; the rest wait for the next check. */
const BATCH = 50;

export interface AutoClearJobOptions {
  intervalMs?: number;
  /** The clock (tests move it on instead of waiting). */
  now?: () => Date;
  /** After a check that queued deletions (wakes the outbox and live consoles). */
  onCleared?: (count: number) => void;
}

export class AutoClearJob {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly options: AutoClearJobOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    void this.scheduled();
    this.timer = setInterval(() => void this.scheduled(), this.options.intervalMs ?? AUTO_CLEAR_CHECK_MS);
    this.timer.unref();
  }

  /** Stops the checks and waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.current.catch(() => {});
  }

  /** One check now (after any still under way): clears what is due; returns how many chats it cleared. */
  runOnce(now = this.options.now?.() ?? new Date()): Promise<number> {
    const run = this.current.catch(() => {}).then(() => this.clearDue(now));
    this.current = run;
    return run;
  }

  private async scheduled(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.runOnce();
    } catch (error) {
      this.log.error({ err: (error as Error).message }, "auto-clear check failed; the next check tries again");
    }
  }

  private async clearDue(now: Date): Promise<number> {
    let cleared = 0;
    for (const conversationId of await this.store.autoClear.due(now, BATCH)) {
      if (this.stopped) break;
      if (await this.store.autoClear.clear(conversationId, now)) cleared++;
    }
    if (cleared > 0) {
      this.log.info({ cleared }, "auto-clear queued deletions");
      this.options.onCleared?.(cleared);
    }
    return cleared;
  }
}
