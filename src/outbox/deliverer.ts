// Sends outbox rows through the channel senders: oldest first within a conversation,
// conversations in parallel, transient failures retried with backoff, permanent ones
// marked failed. Claims name this process and carry a lease that it renews while a send
// lasts (presence.ts): a row left `sending` by a crashed process is released as soon as
// that process's heartbeat is missed (on SQLite, at the next start), and the lease alone
// frees a claim that names no live process.
import type { Logger } from "../log.ts";
import type { Outbox } from "../store/outbox-sql.ts";
import type { OutboxPresence } from "../store/outbox-presence-sql.ts";
import type { Channel, OutboxItem } from "../store/types.ts";

/** What the deliverer needs of the store: the outbox, and the presence of the processes delivering it. */
export interface OutboxAccess {
  outbox: Outbox;
  presence: OutboxPresence;
}
import { nextDelayMs } from "./backoff.ts";
import { DeliveryError } from "./delivery-error.ts";
import { Presence } from "./presence.ts";
import { PassCounter } from "../pass-counter.ts";

export interface ChannelSender {
  /** How many consecutive messages of one conversation `send` may receive at once (default 1). */
  readonly batchSize?: number;
  /**
   * The person fetches their messages from this server (the web test chat), so an erased chat
   * must stay reachable until they have read its last reply: the channel forgets it itself then.
   */
  readonly forgetsErasedChat?: boolean;
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
  /** A delivering process whose heartbeat is older than this is taken for dead and its claims released. */
  heartbeatTimeoutMs: number;
  /** SQLite, where one process serves: at start, release every claim an earlier process left. */
  takeOverAll: boolean;
  now: () => number;
  maxAttempts: number;
  /** Chats being sent to at once. A claim is held while its send waits for a rate-limit slot: keep this divided by the sends per second well under the lease. */
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
  /**
   * Send calls one claim may make to a chat, one after another: a chat whose replies queued
   * up is not held to one call per pass. Each call is recorded before the next is made.
   */
  callsPerClaim: number;
  /** Called after messages were sent or given up on (live staff consoles show delivery status). */
  onDelivered?: () => void;
}

const DEFAULTS: DelivererOptions = {
  pollMs: 1000,
  leaseMs: 10_000,
  heartbeatTimeoutMs: 3000,
  takeOverAll: false,
  now: Date.now,
  maxAttempts: 10,
  concurrency: 256,
  callsPerClaim: 5,
  backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
};

export class Deliverer {
  private readonly senders: Partial<Record<Channel, ChannelSender>>;
  private readonly log: Logger;
  private readonly options: DelivererOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Sends under way, each for one chat. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly passes = new PassCounter();
  /**
   * Conversations with a send under way in this process. Their claim may outlive its lease
   * (a slow platform call); the row then looks due again, but must not be sent twice.
   */
  private readonly sendingTo = new Set<string>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeTimerAt = Infinity;
  /** This process's identity and heartbeat; no pass runs before it has joined. */
  readonly presence: Presence;
  private joined: Promise<void> | undefined;

  private readonly outbox: Outbox;

  constructor(access: OutboxAccess, senders: Partial<Record<Channel, ChannelSender>>, log: Logger, options: Partial<DelivererOptions> = {}) {
    this.senders = senders;
    this.log = log;
    this.options = { ...DEFAULTS, ...options };
    this.outbox = access.outbox;
    const { heartbeatTimeoutMs, leaseMs, takeOverAll, now } = this.options;
    this.presence = new Presence(access.presence, log, { heartbeatTimeoutMs, leaseMs, takeOverAll, now }, () => this.wake());
  }

  start(): void {
    this.stopped = false;
    this.joined = this.presence.join().then(() => {
      if (this.stopped) return;
      this.timer = setInterval(() => this.wake(), this.options.pollMs);
      this.timer.unref();
      this.wake();
    });
  }

  /** Look for work now (called after every committed step). */
  wake(): void {
    if (this.stopped || !this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      this.passes.finishedOne();
    });
  }

  /** Resolves once `n` whole passes have run after this call and, unless told not to, the sends under way have finished. */
  async afterPasses(n: number, { sends = true } = {}): Promise<void> {
    await this.passes.after(n, this.running !== undefined);
    if (sends) await Promise.all(this.inFlight);
  }

  /** Stops polling and waits for sends already under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.joined;
    clearInterval(this.timer);
    clearTimeout(this.wakeTimer);
    await this.running;
    await Promise.all(this.inFlight);
    if (this.joined) await this.presence.leave();
  }

  /** Wakes in `ms`; one timer for the earliest of many such requests (every paced chat makes one). */
  private wakeIn(ms: number): void {
    const at = this.options.now() + ms;
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

  /**
   * Claims what is due, up to `concurrency` chats in flight, and starts sending it without
   * waiting for the sends: each finished send wakes the deliverer again, so claims, sends
   * and their outcomes overlap and ride on the store's batched commits. A chat's next
   * message is due only once the previous one is recorded, which keeps each chat in order.
   */
  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.claimAndSend();
      } catch (error) {
        this.log.error({ err: (error as Error).message }, "outbox pass failed");
      }
    } while (this.again && !this.stopped);
  }

  private async claimAndSend(): Promise<void> {
    const room = this.options.concurrency - this.inFlight.size;
    if (room <= 0) return;
    const depth = (sender: ChannelSender) => (sender.batchSize ?? 1) * this.options.callsPerClaim;
    const batch = Math.max(1, ...Object.values(this.senders).map((sender) => (sender ? depth(sender) : 1)));
    const ready: OutboxItem[][] = [];
    for (const group of await this.outbox.due(new Date(this.options.now()), batch, 500, room, this.sendingTo)) {
      const sender = this.senders[group[0]!.channel];
      if (!sender) continue;
      // A chat that must wait is left for later, unclaimed.
      const wait = sender.readyIn?.(group[0]!) ?? 0;
      if (wait > 0) this.wakeIn(wait);
      else ready.push(group.slice(0, depth(sender)));
      if (ready.length === room) break;
    }
    if (ready.length === 0) return;
    const { claimed, leaseUntil } = await this.claim(ready);
    for (const items of claimed) {
      if (this.stopped) {
        await this.release(items.map((item) => item.id));
        continue;
      }
      const conversationId = items[0]!.conversationId;
      const held = this.presence.hold(items.map((item) => item.id), leaseUntil);
      const sending: Promise<void> = this.deliver(items)
        .then(
          (done) => {
            if (done > 0) this.options.onDelivered?.();
          },
          (error: Error) => this.log.error({ err: error.message }, "outbox send failed"),
        )
        .finally(() => {
          held();
          this.inFlight.delete(sending);
          this.sendingTo.delete(conversationId);
          this.wake();
        });
      this.inFlight.add(sending);
      this.sendingTo.add(conversationId);
    }
  }

  /** Gives claimed but unsent messages back to the outbox (none: no call, which would wait for a WAL flush). */
  private async release(ids: number[]): Promise<void> {
    if (ids.length > 0) await this.outbox.release(ids);
  }

  /**
   * Claims chats' due messages in one statement. Each chat keeps its messages in order up to
   * the first one another deliverer got; claimed messages behind that go back.
   */
  private async claim(offered: OutboxItem[][]): Promise<{ claimed: OutboxItem[][]; leaseUntil: number }> {
    const now = this.options.now();
    const leaseUntil = now + this.options.leaseMs;
    const ids = offered.flat().map((item) => item.id);
    const claimed = await this.outbox.claim(ids, new Date(now), new Date(leaseUntil), this.presence.id);
    const groups: OutboxItem[][] = [];
    const stray: number[] = [];
    for (const group of offered) {
      const gap = group.findIndex((item) => !claimed.has(item.id));
      const items = gap === -1 ? group : group.slice(0, gap);
      if (items.length) groups.push(items);
      for (const item of group.slice(items.length)) if (claimed.has(item.id)) stray.push(item.id);
    }
    await this.release(stray);
    return { claimed: groups, leaseUntil };
  }

  /**
   * Sends a chat's claimed messages call by call, each call's messages recorded before the
   * next call goes: a crash can repeat one call, never send the chat's messages out of order.
   * The rest go back to the outbox in one statement once a call does not finish all it was
   * given, or on stop: released one part at a time, a pass between the parts could offer the
   * chat's first part alone.
   */
  private async deliver(items: OutboxItem[]): Promise<number> {
    const perCall = this.senders[items[0]!.channel]!.batchSize ?? 1;
    let finished = 0;
    while (finished < items.length && !this.stopped) {
      const call = items.slice(finished, finished + perCall);
      const done = await this.deliverCall(call);
      finished += done;
      if (done < call.length) break;
    }
    await this.release(items.slice(finished).map((item) => item.id));
    return finished;
  }

  /**
   * One send call; answers how many of `items` are finished (sent, or failed for good). The
   * caller gives back the rest; a message to retry is already pending again, with its time.
   */
  private async deliverCall(items: OutboxItem[]): Promise<number> {
    const sender = this.senders[items[0]!.channel]!;
    const head = items[0]!;
    const attempt = head.attempts + 1;
    try {
      const sent = (await sender.send(items)).slice(0, items.length);
      if (sent.length === 0) throw new DeliveryError("sender reported nothing sent", true);
      for (const [i, ids] of sent.entries()) {
        const item = items[i]!;
        await this.outbox.markSent(item.id, ids);
        const forget = (item.payload as { forgetChat?: boolean } | null)?.forgetChat && !sender.forgetsErasedChat;
        if (forget) await this.outbox.forgetErasedChat(item.conversationId);
      }
      return sent.length;
    } catch (error) {
      const e = error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, true);
      if (e.rateLimited) {
        // The platform's flow control, not this message's fault: back as it was, in order.
        this.log.warn({ message: head.id, waitMs: e.retryAfterMs }, "delivery paused by the platform's rate limit");
        this.wakeIn(e.retryAfterMs ?? 0);
        return 0;
      }
      if (!e.retryable || attempt >= this.options.maxAttempts) {
        await this.outbox.markFailed(head.id, e.message);
        this.log.error({ message: head.id, attempt, reason: e.message }, "delivery failed for good");
        return 1;
      }
      const delay = nextDelayMs(attempt, this.options.backoff, e.retryAfterMs);
      await this.outbox.markRetry(head.id, new Date(this.options.now() + delay), e.message);
      this.log.warn({ message: head.id, attempt, delayMs: delay, reason: e.message }, "delivery will be retried");
      setTimeout(() => this.wake(), delay).unref();
      return 0;
    }
  }
}
