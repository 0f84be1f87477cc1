// The SQLite writer: the one connection that writes a conversation's rows and the outbox,
// on a worker thread of its own (writer-thread.ts), so the main thread's core is left to
// HTTP, the channels and sending. SQLite works synchronously: on one thread, its work and
// the HTTP traffic take turns on one core; here they run side by side. This file is the
// main thread's side: every call is a message there and back, and the store's other
// (Prisma) operations take turns with the thread's group commits (turns.ts).
//
// The thread commits without waiting for the disk and answers at once; this side flushes the
// WAL and hands an answer on only after a flush that began after it arrived (for a write) or
// after the last write before it (for a read). The flush's end is heard here, on a thread that
// is seldom busy for long, rather than on the writer thread, where it waited for the batch being
// run (5 of the 6 ms a flush took under load).
import { Worker } from "node:worker_threads";
import type { Logger } from "../../log.ts";
import type { DeciderOptions } from "../../engine/decider.ts";
import type { ConversationWrites } from "../conversation-writer.ts";
import { errorFrom } from "../errors.ts";
import type { CipherKey } from "../field-cipher.ts";
import type { Outbox } from "../outbox-sql.ts";
import type { OutboxPresence } from "../outbox-presence-sql.ts";
import { Turns } from "./turns.ts";
import { WalFlush } from "./wal-flush.ts";

/** What the thread does for the main thread, by method name. */
export interface WriterCalls extends ConversationWrites, Outbox, OutboxPresence {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

type CallName = keyof WriterCalls;

export interface WriterRequest {
  id: number;
  call: CallName;
  args: unknown[];
}

export type WriterReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

/**
 * What the thread posts. Replies that a group commit makes ready together come back as one
 * message, in the order the thread made them. `flushWal`: its commits do not sync the WAL.
 */
export type WriterMessage = { ready: true; flushWal: boolean } | { replies: WriterReply[] } | { log: { level: "warn"; obj: object; msg: string } };

/**
 * How long an answer waits for the WAL flush: a read for the writes before it, a write for one
 * of its own; closing, for none (the last connection's close checkpoints the WAL into the
 * database file, synced, and removes the WAL file).
 */
type Wait = "read" | "write" | "none";
const WAIT: Partial<Record<CallName, Wait>> = { due: "read", rows: "read", close: "none" };

export interface WriterData {
  /** The SQLite file. */
  path: string;
  keys: CipherKey[];
  /** How steps decide (the helpline flow with these options); unset: the store runs no steps (tools). */
  decider?: DeciderOptions;
  /** Shared with the main thread's Prisma operations (turns.ts). */
  turns: SharedArrayBuffer;
}

/** The thread's module: Node runs its TypeScript as it does the main thread's (by stripping the types). */
const THREAD = new URL("./writer-thread.ts", import.meta.url);

/**
 * The thread's young generation is capped: Node 24's V8 grows it under load to well over a
 * hundred MB, holds it afterwards and the thread only ever uses a few tens (bench/README.md).
 */
const WRITER_HEAP = { maxYoungGenerationSizeMb: 24 };

export class SqliteWriter {
  readonly turns = new Turns();
  /** The thread's operations: a call by any of WriterCalls' names is sent there. */
  readonly calls: WriterCalls;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { wait: Wait; resolve: (value: never) => void; reject: (error: Error) => void }>();
  private next = 1;
  private gone: Error | undefined;
  private outgoing: WriterRequest[] = [];
  private walFlush: WalFlush | undefined;

  private constructor(data: Omit<WriterData, "turns">, log: Logger, ready: (error?: Error) => void) {
    this.calls = new Proxy({} as WriterCalls, {
      // "then": the object is not a promise (awaiting it must not send a call).
      get: (_, name) => (name === "then" || typeof name !== "string" ? undefined : (...args: unknown[]) => this.call(name as CallName, args)),
    });
    this.worker = new Worker(THREAD, { workerData: { ...data, turns: this.turns.buffer } satisfies WriterData, resourceLimits: WRITER_HEAP });
    this.worker.on("message", (message: WriterMessage) => {
      if ("ready" in message) {
        if (message.flushWal) this.walFlush = new WalFlush(`${data.path}-wal`);
        return ready();
      }
      if ("log" in message) return log[message.log.level](message.log.obj, message.log.msg);
      for (const reply of message.replies) this.onReply(reply);
    });
    this.worker.on("error", (error) => {
      log.error({ err: error.message }, "writer thread failed");
      ready(error);
    });
    this.worker.on("exit", (code) => {
      this.gone = new Error(`the writer thread stopped (exit code ${code})`);
      for (const call of this.pending.values()) call.reject(this.gone);
      this.pending.clear();
      ready(this.gone);
    });
  }

  /** Starts the thread on the SQLite file at `path` and waits until it can take calls. */
  static async start(data: Omit<WriterData, "turns">, log: Logger): Promise<SqliteWriter> {
    let settle!: (error?: Error) => void;
    const started = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
    const writer = new SqliteWriter(data, log, (error) => settle(error));
    await started;
    return writer;
  }

  /** Hands a reply to its caller, once the WAL flush it needs has finished. */
  private onReply(reply: WriterReply): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    const settle = (flushError?: Error) => {
      if (flushError) call.reject(flushError);
      else if ("error" in reply) call.reject(errorFrom(reply.error));
      else call.resolve(reply.value as never);
    };
    if (!this.walFlush || call.wait === "none") settle();
    else if (call.wait === "read") this.walFlush.read(settle);
    else this.walFlush.committed(settle);
  }

  private call(call: CallName, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      const id = this.next++;
      this.pending.set(id, { wait: WAIT[call] ?? "write", resolve, reject });
      if (this.outgoing.push({ id, call, args }) === 1) queueMicrotask(this.post);
    });
  }

  private readonly post = () => {
    const requests = this.outgoing;
    this.outgoing = [];
    this.worker.postMessage(requests);
  };

  /** Lets the thread commit what it was asked to, then stops it. */
  async close(): Promise<void> {
    if (!this.gone) await this.calls.close();
    await this.worker.terminate();
    this.walFlush?.close();
  }
}
