// Runs the retention purge inside the server: once at start, then every hour. Several
// server processes may run it on one database at once (see RetentionStore.purge).
import type { Logger } from "../log.ts";
import type { PurgeCounts } from "../store/retention-store.ts";
import type { Store } from "../store/store.ts";
import { PeriodicRun } from "../periodic-run.ts";

export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurgeJobOptions {
  /** Conversations with no activity for this many days are purged. */
  days: number;
  intervalMs?: number;
  batchSize?: number;
  /** After a run that deleted something (lets live consoles refresh). */
  onPurged?: () => void;
}

export type PurgeResult = PurgeCounts & { keptOpen: number };

/** The cutoff for a retention period: activity before it is old enough to purge. */
export const retentionCutoff = (days: number, now = new Date()) => new Date(now.getTime() - days * DAY_MS);

export class PurgeJob {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly options: PurgeJobOptions;
  private readonly run: PeriodicRun<PurgeResult>;

  constructor(store: Store, log: Logger, options: PurgeJobOptions) {
    this.store = store;
    this.log = log;
    this.options = options;
    this.run = new PeriodicRun((now) => this.purge(now), {
      intervalMs: options.intervalMs ?? PURGE_INTERVAL_MS,
      log,
      failureMessage: "retention purge failed; the next run tries again",
    });
  }

  start(): void {
    this.run.start();
  }

  /** Stops the schedule and waits for a run under way. */
  stop(): Promise<void> {
    return this.run.stop();
  }

  /** One purge now, after any run of this process still under way. */
  runOnce(now = new Date()): Promise<PurgeResult> {
    return this.run.runOnce(now);
  }

  private async purge(now: Date): Promise<PurgeResult> {
    const started = Date.now();
    const { days, batchSize } = this.options;
    const result = await this.store.retention.purge(retentionCutoff(days, now), {
      actor: { id: null, email: "system" },
      days,
      ...(batchSize ? { batchSize } : {}),
    });
    // Counts only: never ids or content.
    const fields = { ...result, days, ms: Date.now() - started };
    if (result.conversations + result.contacts > 0) {
      this.log.info(fields, "retention purge");
      this.options.onPurged?.();
    } else {
      this.log.debug(fields, "retention purge: nothing to delete");
    }
    return result;
  }
}
