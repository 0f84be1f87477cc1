// Clears chats whose auto-clear is due (see src/store/auto-clear-store.ts), checking every
// few seconds. Several server processes may run it on one database: each due chat is
// claimed in the transaction that queues its deletion, so it is cleared once.
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { PeriodicRun } from "../periodic-run.ts";

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
  private readonly store: Store;
  private readonly log: Logger;
  private readonly options: AutoClearJobOptions;
  private readonly run: PeriodicRun<number>;

  constructor(store: Store, log: Logger, options: AutoClearJobOptions = {}) {
    this.store = store;
    this.log = log;
    this.options = options;
    this.run = new PeriodicRun((now) => this.clearDue(now), {
      intervalMs: options.intervalMs ?? AUTO_CLEAR_CHECK_MS,
      log,
      failureMessage: "auto-clear check failed; the next check tries again",
      ...(options.now ? { now: options.now } : {}),
    });
  }

  start(): void {
    this.run.start();
  }

  /** Stops the checks and waits for one under way. */
  stop(): Promise<void> {
    return this.run.stop();
  }

  /** One check now (after any still under way): clears what is due; returns how many chats it cleared. */
  runOnce(now?: Date): Promise<number> {
    return this.run.runOnce(now);
  }

  private async clearDue(now: Date): Promise<number> {
    let cleared = 0;
    for (const conversationId of await this.store.autoClear.due(now, BATCH)) {
      if (this.run.stopped) break;
      if (await this.store.conversations.clearChat(conversationId, now)) cleared++;
    }
    if (cleared > 0) {
      this.log.info({ cleared }, "auto-clear queued deletions");
      this.options.onCleared?.(cleared);
    }
    return cleared;
  }
}
