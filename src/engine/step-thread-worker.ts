// The step thread itself (see step-thread.ts): owns the hot path's SQLite connection, runs
// each step's decision inside its transaction, and the outbox's SQL. Its group commits take
// turns with the main thread's Prisma operations through the shared write lock.
import { parentPort, workerData } from "node:worker_threads";
import { helplineFlow } from "../../flows/registry.ts";
import { createI18n } from "../i18n.ts";
import { FieldCipher } from "../store/field-cipher.ts";
import { OutboxSql } from "../store/outbox-sql.ts";
import { OutboxPresenceSql } from "../store/outbox-presence-sql.ts";
import { SealedFields } from "../store/sealed-fields.ts";
import { SqliteDriver } from "../store/sqlite-driver.ts";
import { runStep } from "../store/step-sql.ts";
import { WriteLock } from "../store/write-lock.ts";
import { Decider } from "./decider.ts";
import type { StepThreadCalls, StepThreadData, StepThreadMessage, StepThreadReply, StepThreadRequest, StepThreadRequests } from "./step-thread.ts";

const port = parentPort!;
const data = workerData as StepThreadData;
const post = (message: StepThreadMessage) => port.postMessage(message);

const driver = new SqliteDriver(data.path, { lock: new WriteLock(data.lock), flushedByOwner: true });
const fields = new SealedFields(new FieldCipher(data.keys));
const outbox = new OutboxSql(driver, fields);
const presence = new OutboxPresenceSql(driver);
// The decider's one log line (a snapshot restarted) goes to the main thread's logger.
const log = { warn: (obj: object, msg: string) => post({ log: { level: "warn", obj, msg } }) };
const decider = new Decider(helplineFlow, await createI18n(), log, data.decider);

const calls: StepThreadCalls = {
  step: (inbound, admission) => runStep(driver, fields, inbound, (ctx) => decider.decide(inbound, ctx, admission)),
  due: (...args) => outbox.due(...args),
  claim: (...args) => outbox.claim(...args),
  release: (...args) => outbox.release(...args),
  markSent: (...args) => outbox.markSent(...args),
  markRetry: (...args) => outbox.markRetry(...args),
  markFailed: (...args) => outbox.markFailed(...args),
  forgetErasedChat: (...args) => outbox.forgetErasedChat(...args),
  join: (...args) => presence.join(...args),
  beat: (...args) => presence.beat(...args),
  leave: (...args) => presence.leave(...args),
  rows: (sql, params) => driver.rows(sql, params),
  close: () => driver.close(),
};

// Replies that become ready together (a group commit answers many calls at once) go back as one message.
let replies: StepThreadReply[] = [];
const reply = (r: StepThreadReply) => {
  if (replies.push(r) === 1) {
    queueMicrotask(() => {
      post({ replies });
      replies = [];
    });
  }
};

async function answer(request: StepThreadRequest): Promise<void> {
  try {
    reply({ id: request.id, value: await (calls[request.call] as (...args: unknown[]) => Promise<unknown>)(...request.args) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply({ id: request.id, error: { name: e.name, message: e.message } });
  }
}

port.on("message", ({ requests }: StepThreadRequests) => {
  for (const request of requests) void answer(request);
});
post({ ready: true, flushWal: !driver.syncsOnCommit });
