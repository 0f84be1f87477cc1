// The step thread (SQLite): conversation steps (the flow's decision and the transaction)
// and the outbox's SQL run on a worker thread of their own, so the main thread's core is
// left to HTTP, the channels and sending. SQLite works synchronously: on one thread, its
// work and the HTTP traffic take turns on one core; here they run side by side. This file
// is the main thread's side; step-thread-worker.ts is the thread.
//
// The thread commits without waiting for the disk and answers at once; this side flushes the
// WAL and hands an answer on only after a flush that began after it arrived (for a write) or
// after the last write before it (for a read). The flush's end is heard here, on a thread that
// is seldom busy for long, rather than on the step thread, where it waited for the batch being
// run (5 of the 6 ms a flush took under load).
import { Worker } from "node:worker_threads";
import type { Logger } from "../log.ts";
import type { CipherKey } from "../store/field-cipher.ts";
import type { Outbox } from "../store/outbox-sql.ts";
import type { Heartbeat, HeartbeatResult, OutboxPresence } from "../store/outbox-presence-sql.ts";
import type { HotPathThread, OutboxItem, StepResult } from "../store/store.ts";
import { WalFlush } from "../store/wal-flush.ts";
import { WriteLock } from "../store/write-lock.ts";
import type { DeciderOptions } from "./decider.ts";
import type { Inbound } from "./engine.ts";
import type { Admission } from "./inbound-limiter.ts";

/** What the thread does for the main thread; every call is a message there and back. */
export interface StepThreadCalls extends Outbox, OutboxPresence {
  step(inbound: Inbound, admission: Admission): Promise<StepResult>;
  rows(sql: string, params?: unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

export type StepThreadRequest = { [K in keyof StepThreadCalls]: { id: number; call: K; args: Parameters<StepThreadCalls[K]> } }[keyof StepThreadCalls];

/** What the main thread posts: the calls made during one turn of its event loop, as one message. */
export interface StepThreadRequests {
  requests: StepThreadRequest[];
}

export type StepThreadReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

/**
 * What the thread posts. Replies that a group commit makes ready together come back as one
 * message, in the order the thread made them. `flushWal`: its commits do not sync the WAL.
 */
export type StepThreadMessage = { ready: true; flushWal: boolean } | { replies: StepThreadReply[] } | { log: { level: "warn"; obj: object; msg: string } };

/** Calls that only read: their answer waits for the writes before it, not for one of its own. */
const READS: ReadonlySet<keyof StepThreadCalls> = new Set(["due", "rows"]);

export interface StepThreadData {
  /** The SQLite file. */
  path: string;
  keys: CipherKey[];
  /** The decider's options; the thread runs the helpline flow. */
  decider: DeciderOptions;
  /** Shared with the main thread's Prisma operations (see write-lock.ts). */
  lock: SharedArrayBuffer;
}

const WORKER = new URL("./step-thread-worker.ts", import.meta.url).href;
// The project runs TypeScript through tsx; a worker thread registers it for itself.
const TSX = import.meta.resolve("tsx/esm/api");
const BOOT = `import(${JSON.stringify(TSX)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

export class StepThread implements HotPathThread {
  readonly lock = new WriteLock();
  private readonly worker: Worker;
  private readonly pending = new Map<number, { read: boolean; resolve: (value: never) => void; reject: (error: Error) => void }>();
  private next = 1;
  private gone: Error | undefined;
  private outgoing: StepThreadRequest[] = [];
  private walFlush: WalFlush | undefined;

  private constructor(data: Omit<StepThreadData, "lock">, log: Logger, ready: (error?: Error) => void) {
    this.worker = new Worker(BOOT, { eval: true, workerData: { ...data, lock: this.lock.buffer } satisfies StepThreadData });
    this.worker.on("message", (message: StepThreadMessage) => {
      if ("ready" in message) {
        if (message.flushWal) this.walFlush = new WalFlush(`${data.path}-wal`);
        return ready();
      }
      if ("log" in message) return log[message.log.level](message.log.obj, message.log.msg);
      for (const reply of message.replies) this.onReply(reply);
    });
    this.worker.on("error", (error) => {
      log.error({ err: error.message }, "step thread failed");
      ready(error);
    });
    this.worker.on("exit", (code) => {
      this.gone = new Error(`the step thread stopped (exit code ${code})`);
      for (const call of this.pending.values()) call.reject(this.gone);
      this.pending.clear();
      ready(this.gone);
    });
  }

  /** Hands a reply to its caller, once the WAL flush it needs has finished. */
  private onReply(reply: StepThreadReply): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    const settle = (flushError?: Error) => {
      if (flushError) call.reject(flushError);
      else if ("error" in reply) call.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      else call.resolve(reply.value as never);
    };
    if (!this.walFlush) settle();
    else if (call.read) this.walFlush.read(settle);
    else this.walFlush.committed(settle);
  }

  /** Starts the thread on the SQLite file at `path` and waits until it can take calls. */
  static async start(data: Omit<StepThreadData, "lock">, log: Logger): Promise<StepThread> {
    let settle!: (error?: Error) => void;
    const started = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
    const thread = new StepThread(data, log, (error) => settle(error));
    await started;
    return thread;
  }

  private call<K extends keyof StepThreadCalls>(call: K, ...args: Parameters<StepThreadCalls[K]>): ReturnType<StepThreadCalls[K]> {
    return new Promise((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      const id = this.next++;
      this.pending.set(id, { read: READS.has(call), resolve, reject });
      if (this.outgoing.push({ id, call, args } as StepThreadRequest) === 1) queueMicrotask(this.post);
    }) as ReturnType<StepThreadCalls[K]>;
  }

  private readonly post = () => {
    const requests = this.outgoing;
    this.outgoing = [];
    this.worker.postMessage({ requests } satisfies StepThreadRequests);
  };

  step(inbound: Inbound, admission: Admission): Promise<StepResult> {
    return this.call("step", inbound, admission);
  }

  due(now: Date, perConversation: number, limit: number, maxChats?: number, skip?: ReadonlySet<string>): Promise<OutboxItem[][]> {
    return this.call("due", now, perConversation, limit, maxChats, skip);
  }

  claim(ids: number[], now: Date, leaseUntil: Date, holder: string | null): Promise<Set<number>> {
    return this.call("claim", ids, now, leaseUntil, holder);
  }

  release(ids: number[]): Promise<void> {
    return ids.length ? this.call("release", ids) : Promise.resolve();
  }

  markSent(id: number, platformMessageIds: string[]): Promise<void> {
    return this.call("markSent", id, platformMessageIds);
  }

  markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    return this.call("markRetry", id, nextAttemptAt, error);
  }

  markFailed(id: number, error: string): Promise<void> {
    return this.call("markFailed", id, error);
  }

  forgetErasedChat(conversationId: string): Promise<void> {
    return this.call("forgetErasedChat", conversationId);
  }

  join(processId: string, now: Date, takeOverAll: boolean): Promise<number> {
    return this.call("join", processId, now, takeOverAll);
  }

  beat(processId: string, now: Date, heartbeat: Heartbeat): Promise<HeartbeatResult> {
    return this.call("beat", processId, now, heartbeat);
  }

  leave(processId: string): Promise<void> {
    return this.call("leave", processId);
  }

  rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.call("rows", sql, params) as Promise<T[]>;
  }

  /** Lets the thread commit what it was asked to, then stops it. */
  async close(): Promise<void> {
    if (!this.gone) await this.call("close");
    await this.worker.terminate();
    this.walFlush?.close();
  }
}
