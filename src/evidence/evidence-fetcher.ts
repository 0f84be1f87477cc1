// Fetches the photos and files people send, once each, as evidence for staff. The row is
// committed with the person's message (so a crash loses nothing); here, due rows are claimed
// with a lease (several processes share the work; a claim left by a process that stopped
// runs out and is taken again), fetched from the platform within EVIDENCE_MAX_BYTES, and
// stored sealed. Failures are retried with backoff like the outbox, and end as "failed"
// after `maxAttempts`, which staff see: nothing is dropped silently.
import { randomUUID } from "node:crypto";
import type { Logger } from "../log.ts";
import { PassCounter } from "../pass-counter.ts";
import { nextDelayMs, type BackoffOptions } from "../outbox/backoff.ts";
import type { EvidenceJob, EvidenceStore } from "../store/evidence-store.ts";
import type { Channel } from "../store/types.ts";
import { storedContentType } from "./content-type.ts";
import { EvidenceFetchError, EvidenceTooLargeError } from "./fetch-errors.ts";
import type { FileFetcher } from "./file-fetcher.ts";

export interface EvidenceFetcherOptions {
  maxBytes: number;
  pollMs: number;
  leaseMs: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  /** Files fetched at once by this process. */
  concurrency: number;
}

export const EVIDENCE_DEFAULTS: Omit<EvidenceFetcherOptions, "maxBytes"> = {
  pollMs: 2000,
  // Longer than a fetch can take (two requests of at most 60 s each), so a live claim never runs out.
  leaseMs: 180_000,
  maxAttempts: 8,
  backoff: { baseMs: 5000, maxMs: 10 * 60_000 },
  concurrency: 4,
};

export class EvidenceFetcher {
  private readonly store: EvidenceStore;
  private readonly fetchers: Partial<Record<Channel, FileFetcher>>;
  private readonly log: Logger;
  private readonly onSettled: () => void;
  private readonly options: EvidenceFetcherOptions;
  /** This process, as the claims name it. */
  private readonly holder = `evidence-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly passes = new PassCounter();
  /** Aborts the fetches under way when the server stops (they are tried again later). */
  private readonly stopping = new AbortController();

  constructor(
    store: EvidenceStore,
    fetchers: Partial<Record<Channel, FileFetcher>>,
    log: Logger,
    options: Pick<EvidenceFetcherOptions, "maxBytes"> & Partial<EvidenceFetcherOptions>,
    onSettled: () => void = () => {},
  ) {
    this.store = store;
    this.fetchers = fetchers;
    this.log = log;
    this.onSettled = onSettled;
    this.options = { ...EVIDENCE_DEFAULTS, ...options };
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** One pass now (a person just sent a file); if one is under way, another right after it. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.log.error({ err: (error as Error).message }, "evidence: pass failed"))
      .finally(() => {
        this.running = undefined;
        this.passes.finishedOne();
        if (this.again && this.timer) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once `n` whole passes have run after this call (a pass under way does not count): what they would fetch is fetched. */
  afterPasses(n: number): Promise<void> {
    return this.passes.after(n, this.running !== undefined);
  }

  /** Stops looking; fetches under way are cut short and recorded as to be tried again. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running;
  }

  private async pass(): Promise<void> {
    // A pass after stop() does nothing (wake() may still be called by a late step).
    while (!this.stopping.signal.aborted) {
      const jobs = await this.store.claimDue(new Date(), this.options.leaseMs, this.options.concurrency, this.holder);
      if (jobs.length === 0) return;
      await Promise.all(jobs.map((job) => this.fetchOne(job)));
      this.onSettled();
    }
  }

  private async fetchOne(job: EvidenceJob): Promise<void> {
    const fetcher = this.fetchers[job.channel];
    const settle = (outcome: Parameters<EvidenceStore["settle"]>[2]) => this.store.settle(job.id, this.holder, outcome);
    if (!fetcher) {
      // The channel was turned off since: kept pending, not lost, until it is back.
      await settle({ retryAt: new Date(Date.now() + this.options.backoff.maxMs), error: `${job.channel} is not configured` });
      return;
    }
    try {
      const file = await fetcher.fetch(job, this.options.maxBytes, this.stopping.signal);
      const contentType = storedContentType(file.content, job.contentType, file.contentType);
      await settle({ stored: { content: file.content, contentType } });
      this.log.info({ evidence: job.id, channel: job.channel, kind: job.kind, bytes: file.content.length }, "evidence stored");
    } catch (error) {
      if (error instanceof EvidenceTooLargeError) {
        await settle({ tooLarge: error.size });
        this.log.info({ evidence: job.id, channel: job.channel, size: error.size }, "evidence too large: not fetched");
        return;
      }
      const reason = (error as Error).message;
      const retryable = !(error instanceof EvidenceFetchError) || error.retryable;
      if (retryable && job.attempts < this.options.maxAttempts) {
        const wait = nextDelayMs(job.attempts, this.options.backoff, error instanceof EvidenceFetchError ? error.retryAfterMs : 0);
        await settle({ retryAt: new Date(Date.now() + wait), error: reason });
        this.log.warn({ evidence: job.id, channel: job.channel, attempts: job.attempts, err: reason }, "evidence: will try again");
      } else {
        await settle({ failed: reason });
        this.log.error({ evidence: job.id, channel: job.channel, attempts: job.attempts, err: reason }, "evidence fetch failed");
      }
    }
  }
}
