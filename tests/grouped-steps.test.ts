// Steps that arrive together share a commit (SQLite: one transaction with a savepoint per
// step; PostgreSQL: a batch of a few statements). Each step must still stand alone: stored
// once, a failing decision fails only its own step, a repeated event changes nothing, and
// steps that need more (a handoff, a report) are stored whole.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runStep, type StepContext } from "../src/store/conversation-writes.ts";
import { providerOf, sqlitePath } from "../src/store/database-url.ts";
import { FieldCipher } from "../src/store/field-cipher.ts";
import { migrate } from "../src/store/migrate.ts";
import { PostgresDriver } from "../src/store/postgres-driver.ts";
import { PostgresStepBatch } from "../src/store/postgres-step-batch.ts";
import { SealedFields } from "../src/store/sealed-fields.ts";
import { SqliteDriver } from "../src/store/sqlite/driver.ts";
import { Turns } from "../src/store/sqlite/turns.ts";
import type { StepInput, StepOutput, StepResult } from "../src/store/types.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";

const input = (chat: string, eventId: string): StepInput => ({ channel: "web", platformUserId: chat, chatId: chat, eventId });

/** A step that counts in its snapshot and answers once. */
function counting(extra: Partial<StepOutput> = {}) {
  return ({ conversation }: StepContext): StepOutput => {
    const n = conversation ? (JSON.parse(conversation.snapshot) as { n: number }).n + 1 : 1;
    return {
      machineId: "test",
      machineVersion: 1,
      snapshot: JSON.stringify({ n }),
      status: "active",
      language: null,
      nationality: null,
      inbound: { kind: "text", text: `message ${n}` },
      outbound: [{ kind: "text", text: `reply ${n}`, payload: { key: "test.reply" } }],
      ...extra,
    };
  };
}

/**
 * Steps with the test's own decisions, run as the store runs them: on SQLite the writer
 * thread's driver and work (here in the test's thread), on PostgreSQL the grouped steps.
 */
interface Steps {
  step(input: StepInput, decide: (ctx: StepContext) => StepOutput): Promise<StepResult>;
  close(): Promise<void>;
}

function openSteps(url: string): Steps {
  const fields = new SealedFields(new FieldCipher());
  if (providerOf(url) === "sqlite") {
    const driver = new SqliteDriver(sqlitePath(url), new Turns());
    return { step: (input, decide) => runStep(driver, fields, input, decide), close: () => driver.close() };
  }
  const driver = new PostgresDriver(url, 10);
  const batch = new PostgresStepBatch(driver, fields);
  return { step: (input, decide) => batch.step(input, decide), close: () => driver.close() };
}

describe.each(DB_KINDS)("grouped steps on %s", (kind) => {
  let db: TestDatabase;
  let store: Steps;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    await migrate(db.url);
    store = openSteps(db.url);
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it("stores each of many chats' steps arriving together once; a failing decision fails only its own step", async () => {
    const broken = () => {
      throw new Error("broken decision");
    };
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => store.step(input(`chat-${i}`, `e-${i}`), i === 7 ? broken : counting())));
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(["broken decision"]);
    expect(results.filter((r) => r.status === "fulfilled" && !r.value.duplicate)).toHaveLength(39);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message" WHERE direction = 'in'`)).toBe(39);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message" WHERE direction = 'out' AND status = 'pending'`)).toBe(39);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Conversation"`)).toBe(39);
    // The failing step left nothing behind, not even its person.
    expect(await count(db.url, `SELECT COUNT(*) FROM "Contact" WHERE "platformUserId" = 'chat-7'`)).toBe(0);
  });

  it("a repeated event changes nothing, also when it arrives together with other steps", async () => {
    await store.step(input("again", "same-event"), counting());
    const lastSeen = `SELECT CAST("lastSeenAt" AS TEXT) AS "lastSeenAt" FROM "Contact" WHERE "platformUserId" = 'again'`;
    const [before] = await query<{ lastSeenAt: string }>(db.url, lastSeen);
    // The clock moves past the first step's time, so a second write of lastSeenAt would show.
    const firstStepDone = Date.now();
    await vi.waitUntil(() => Date.now() > firstStepDone + 1, { interval: 1 });
    const [repeat] = await Promise.all([
      store.step(input("again", "same-event"), counting()),
      ...Array.from({ length: 10 }, (_, i) => store.step(input(`other-${i}`, `o-${i}`), counting())),
    ]);
    expect(repeat).toEqual({ duplicate: true });
    const [after] = await query<{ lastSeenAt: string }>(db.url, lastSeen);
    expect(after!.lastSeenAt).toBe(before!.lastSeenAt);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE c."chatId" = 'again'`)).toBe(2);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message" WHERE direction = 'in'`)).toBe(11);
  });

  it("keeps each chat's steps in order while other chats' steps share the commits", async () => {
    const chats = Array.from({ length: 12 }, (_, i) => `ordered-${i}`);
    await Promise.all(
      chats.map(async (chat) => {
        for (let n = 1; n <= 5; n++) await store.step(input(chat, `${chat}-${n}`), counting());
      }),
    );
    const rows = await query<{ chatId: string; seq: number | string; snapshot: string }>(db.url, `SELECT "chatId", seq, snapshot FROM "Conversation"`);
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      expect(Number(row.seq)).toBe(5);
      expect(JSON.parse(row.snapshot)).toEqual({ n: 5 });
    }
    const texts = await query<{ text: string }>(db.url, `SELECT m.text FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE c."chatId" = 'ordered-3' ORDER BY m.id`);
    expect(texts.map((t) => t.text)).toEqual([1, 2, 3, 4, 5].flatMap((n) => [`message ${n}`, `reply ${n}`]));
  });

  it("stores whole the steps that need more than a message (handoff, report, language) among plain ones", async () => {
    const handoff = counting({ status: "handoff", handoff: { reason: "asked for a person", risk: "high" } });
    const report = counting({ report: { kind: "self", code: "TEST-CODE-1", answers: { where: "a building" }, consent: true } });
    const language = counting({ language: "th" });
    await Promise.all([
      store.step(input("needs-person", "h-1"), handoff),
      store.step(input("reports", "r-1"), report),
      store.step(input("speaks-thai", "l-1"), language),
      ...Array.from({ length: 10 }, (_, i) => store.step(input(`plain-${i}`, `p-${i}`), counting())),
    ]);
    expect(await count(db.url, `SELECT COUNT(*) FROM "HandoffRequest" WHERE status = 'open' AND risk = 'high'`)).toBe(1);
    // A report shared with consent puts its conversation in the queue too.
    expect(await count(db.url, `SELECT COUNT(*) FROM "HandoffRequest" WHERE status = 'open' AND reason = 'report'`)).toBe(1);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message" WHERE direction = 'event' AND kind = 'handoff.requested'`)).toBe(2);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Report" WHERE code = 'TEST-CODE-1'`)).toBe(1);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Contact" WHERE "platformUserId" = 'speaks-thai' AND language = 'th'`)).toBe(1);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Conversation" WHERE "chatId" = 'needs-person' AND status = 'handoff'`)).toBe(1);
    expect(await count(db.url, `SELECT COUNT(*) FROM "Message" WHERE direction = 'in'`)).toBe(13);
  });
});
