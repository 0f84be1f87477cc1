// The SQLite writer thread itself (see writer.ts): owns the connection that writes, runs each
// step's decision inside its transaction, and the outbox's SQL. Its group commits take turns
// with the main thread's Prisma operations (turns.ts). Calls arrive by name and go to the
// object that has them: adding an operation to the outbox or the conversation writes needs
// no change here.
import { parentPort, workerData } from "node:worker_threads";
import { createDecider } from "../../engine/decider.ts";
import { ConversationWriter } from "../conversation-writer.ts";
import { FieldCipher } from "../field-cipher.ts";
import { OutboxSql } from "../outbox-sql.ts";
import { OutboxPresenceSql } from "../outbox-presence-sql.ts";
import { SealedFields } from "../sealed-fields.ts";
import { SqliteDriver } from "./driver.ts";
import { Turns } from "./turns.ts";
import type { WriterData, WriterMessage, WriterReply, WriterRequest } from "./writer.ts";

const port = parentPort!;
const data = workerData as WriterData;
const post = (message: WriterMessage) => port.postMessage(message);

const driver = new SqliteDriver(data.path, new Turns(data.turns));
const fields = new SealedFields(new FieldCipher(data.keys));
// The decider's one log line (a snapshot restarted) goes to the main thread's logger.
const log = { warn: (obj: object, msg: string) => post({ log: { level: "warn", obj, msg } }) };
const decider = data.decider ? await createDecider(data.decider, log) : undefined;
const served: object[] = [
  new ConversationWriter(driver, fields, decider),
  new OutboxSql(driver, fields),
  new OutboxPresenceSql(driver),
  { rows: (sql: string, params?: unknown[]) => driver.rows(sql, params), close: () => driver.close() },
];

type Method = (...args: unknown[]) => Promise<unknown>;
const methods = new Map<string, Method>();
const method = (name: string): Method | undefined => {
  let found = methods.get(name);
  for (const target of served) {
    if (found) break;
    const fn = (target as Record<string, unknown>)[name];
    if (typeof fn === "function" && name !== "constructor") methods.set(name, (found = (fn as Method).bind(target)));
  }
  return found;
};

// Replies that become ready together (a group commit answers many calls at once) go back as one message.
let replies: WriterReply[] = [];
const reply = (r: WriterReply) => {
  if (replies.push(r) === 1) {
    queueMicrotask(() => {
      post({ replies });
      replies = [];
    });
  }
};

async function answer(request: WriterRequest): Promise<void> {
  try {
    const fn = method(request.call);
    if (!fn) throw new Error(`the writer has no operation ${request.call}`);
    reply({ id: request.id, value: await fn(...request.args) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply({ id: request.id, error: { name: e.name, message: e.message } });
  }
}

port.on("message", (requests: WriterRequest[]) => {
  for (const request of requests) void answer(request);
});
post({ ready: true, flushWal: !driver.syncsOnCommit });
