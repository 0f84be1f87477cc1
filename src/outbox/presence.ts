// This process as one of the outbox's deliverers: an identity that its claims name, and a
// heartbeat in the database. With each beat it renews the leases of the sends it still has
// under way (so a slow send is not taken for abandoned) and releases the claims of any
// process whose heartbeat stopped (so a crash holds nobody's replies for the lease).
import { randomUUID } from "node:crypto";
import type { Logger } from "../log.ts";
import type { HeartbeatResult, OutboxPresence } from "../store/outbox-presence-sql.ts";

export interface PresenceOptions {
  /** A process whose heartbeat is older than this is taken for dead; beats come four times as often. */
  heartbeatTimeoutMs: number;
  leaseMs: number;
  /** SQLite, where one process serves: at start, every claim an earlier process left is released. */
  takeOverAll: boolean;
  now: () => number;
}

/** The claims of one send under way: renewed while it lasts. */
interface Claim {
  ids: number[];
  leaseUntil: number;
}

export class Presence {
  private readonly store: OutboxPresence;
  private readonly log: Logger;
  private readonly options: PresenceOptions;
  /** Called when claims were released: they are due now. */
  private readonly onReleased: () => void;
  readonly id = randomUUID();
  private readonly claims = new Set<Claim>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<HeartbeatResult | undefined> | undefined;

  constructor(store: OutboxPresence, log: Logger, options: PresenceOptions, onReleased: () => void) {
    this.store = store;
    this.log = log;
    this.options = options;
    this.onReleased = onReleased;
  }

  /**
   * Registers this process and starts beating: on SQLite it first takes over whatever earlier
   * processes left claimed; elsewhere it beats at once, releasing the claims of processes already silent.
   */
  async join(): Promise<void> {
    try {
      const released = await this.store.join(this.id, new Date(this.options.now()), this.options.takeOverAll);
      if (released > 0) this.log.info({ released }, "outbox: claims left by an earlier process released");
      if (!this.options.takeOverAll) await this.beat();
    } catch (error) {
      // The next beat registers the process again; until then only leases free what a crash left.
      this.log.error({ err: (error as Error).message }, "outbox: joining failed");
    }
    this.timer = setInterval(this.tick, this.options.heartbeatTimeoutMs / 4);
    this.timer.unref();
  }

  /** A send's claims, renewed until `done` is called. */
  hold(ids: number[], leaseUntil: number): () => void {
    const claim: Claim = { ids, leaseUntil };
    this.claims.add(claim);
    return () => this.claims.delete(claim);
  }

  /** The timer's beat: skipped while the previous one is still under way. */
  private readonly tick = () => {
    if (!this.beating) void this.beat();
  };

  /** One heartbeat, after any still under way; answers undefined if it failed (logged). */
  beat(): Promise<HeartbeatResult | undefined> {
    const beating = (this.beating ?? Promise.resolve()).then(() => this.beatOnce());
    this.beating = beating;
    void beating.finally(() => {
      if (this.beating === beating) this.beating = undefined;
    });
    return beating;
  }

  private async beatOnce(): Promise<HeartbeatResult | undefined> {
    const now = this.options.now();
    const { leaseMs, heartbeatTimeoutMs } = this.options;
    // Renew the claims whose lease is half gone; most sends end long before.
    const renewing = [...this.claims].filter((claim) => claim.leaseUntil - now < leaseMs / 2);
    const leaseUntil = now + leaseMs;
    try {
      const result = await this.store.beat(this.id, new Date(now), {
        renew: renewing.flatMap((claim) => claim.ids),
        leaseUntil: new Date(leaseUntil),
        staleBefore: new Date(now - heartbeatTimeoutMs),
      });
      for (const claim of renewing) claim.leaseUntil = leaseUntil;
      if (!result.known) this.log.warn({ process: this.id }, "outbox: heartbeat was late; others took this process for dead and released its claims");
      if (result.released > 0) {
        this.log.warn({ processes: result.gone, released: result.released }, "outbox: claims of a stopped process released");
        this.onReleased();
      }
      return result;
    } catch (error) {
      this.log.error({ err: (error as Error).message }, "outbox: heartbeat failed");
      return undefined;
    }
  }

  /** Stops beating and removes this process's row (its claims were released or recorded by then). */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    try {
      await this.store.leave(this.id);
    } catch (error) {
      this.log.error({ err: (error as Error).message }, "outbox: leaving failed");
    }
  }
}
