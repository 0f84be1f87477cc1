// Group steps on PostgreSQL. Every statement is a round trip to the server (and, on one
// machine, a context switch each way), so the steps that arrive in one event-loop turn
// share one transaction of five statements: BEGIN, upsert of their contacts (which takes
// the contact row locks, in a fixed order so two server processes cannot deadlock), the
// load of their conversations, one write of all conversations, messages and languages,
// COMMIT. Each step is answered only after that COMMIT.
//
// Steps that need more than that (a report, a handoff, a photo or file, a quick exit, erasure, an auto-clear schedule) are run
// again on their own right after, through the single-step path (runStep); so is every step
// of a batch that fails (a duplicate event racing in from another process, an error in one
// step's decision), so one step can never fail another. A repeated event changes nothing:
// its person is left out of the upsert, and if a copy of it was committed meanwhile by
// another process, the whole batch is rolled back and its steps run one by one.
import type { SealedFields } from "./sealed-fields.ts";
import { all, run, sqlTime, type SqlDriver, type SqlWork } from "./sql-driver.ts";
import {
  CONVERSATION_COLUMNS,
  conversationValues,
  inboundRow,
  MESSAGE_COLUMNS,
  messageValues,
  openedConversation,
  runStep,
  saveConversationsSql,
  type LoadRow,
  type StepContext,
} from "./conversation-writes.ts";
import { timeOrderedId } from "./time-ordered-id.ts";
import type { StepInput, StepOutput, StepResult } from "./types.ts";

/** Steps per transaction at most; more wait for the next one. */
const MAX_BATCH = 64;

interface Pending {
  input: StepInput;
  decide: (ctx: StepContext) => StepOutput;
  resolve: (result: StepResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { result: StepResult } | { alone: true };

/** One person: a channel's user id. */
const personKey = (channel: string, platformUserId: string) => `${channel}\n${platformUserId}`;

/** A step of the batch saw its event stored after the upsert (another process): run them one by one. */
class RaceLost extends Error {}

/** The people of the steps whose events are new, in the order given. */
const UPSERT_CONTACTS = `INSERT INTO "Contact" ("id", "channel", "platformUserId", "active", "createdAt", "lastSeenAt")
  SELECT u."id", u."channel", u."platformUserId", true, ?::timestamp(3), ?::timestamp(3)
  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u("id", "channel", "platformUserId", "eventId", "n")
  WHERE NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."channel" = u."channel" AND m."platformEventId" = u."eventId")
  ORDER BY u."n"
  ON CONFLICT ("channel", "platformUserId") DO UPDATE SET "lastSeenAt" = excluded."lastSeenAt", "active" = excluded."active"
  RETURNING "id", "channel", "platformUserId", "language"`;

/** Per step (`n`): whether its event is stored already, and its chat's open conversation; with the contact row locks. */
const LOAD = `SELECT s."n", EXISTS (SELECT 1 FROM "Message" m WHERE m."channel" = s."channel" AND m."platformEventId" = s."eventId") AS "seen", cv.*
  FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::text[]) AS s("n", "contactId", "chatId", "channel", "eventId")
  JOIN "Contact" ct ON ct."id" = s."contactId"
  LEFT JOIN LATERAL (SELECT "id", "machineId", "machineVersion", "snapshot", "status", "language" FROM "Conversation"
    WHERE "chatId" = s."chatId" AND "contactId" = ct."id" AND "status" <> 'closed' ORDER BY "createdAt" DESC LIMIT 1) AS cv ON true
  ORDER BY ct."id" FOR UPDATE OF ct`;

const arrays = (types: readonly string[]) => types.map((t) => `?::${t}[]`).join(", ");
const quoted = (columns: readonly string[], table = "") => columns.map((c) => `${table}"${c}"`).join(", ");
const CONVERSATION = Object.keys(CONVERSATION_COLUMNS);

/** Every conversation, then the language changes, then every message, in one statement (the columns of conversation-writes.ts). */
const WRITE = `WITH saved AS (
    ${saveConversationsSql(`SELECT ${quoted(CONVERSATION, "c.")}, 1, ?::timestamp(3), ?::timestamp(3)
      FROM unnest(${arrays(Object.values(CONVERSATION_COLUMNS))}) AS c(${quoted(CONVERSATION)})`)}
  ), languages AS (
    UPDATE "Contact" AS ct SET "language" = l."language" FROM unnest(?::text[], ?::text[]) AS l("id", "language") WHERE ct."id" = l."id"
  )
  INSERT INTO "Message" (${quoted(MESSAGE_COLUMNS)}, "createdAt")
  SELECT ${quoted(MESSAGE_COLUMNS, "m.")}, ?::timestamp(3)
  FROM unnest(${arrays(MESSAGE_COLUMNS.map(() => "text"))}) WITH ORDINALITY AS m(${quoted(MESSAGE_COLUMNS)}, "n")
  ORDER BY m."n"`;

export class PostgresStepBatch {
  private readonly driver: SqlDriver;
  private readonly fields: SealedFields;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(driver: SqlDriver, fields: SealedFields) {
    this.driver = driver;
    this.fields = fields;
  }

  step(input: StepInput, decide: (ctx: StepContext) => StepOutput): Promise<StepResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, decide, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runBatch(this.take());
      this.schedule();
    });
  }

  /** Up to MAX_BATCH steps, one per person (a person's second step waits for the next batch). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const people = new Set<string>();
    for (const p of this.pending) {
      const person = personKey(p.input.channel, p.input.platformUserId);
      if (batch.length < MAX_BATCH && !people.has(person)) {
        people.add(person);
        batch.push(p);
      } else rest.push(p);
    }
    this.pending = rest;
    return batch;
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.driver.transaction(() => this.batchWork(batch));
    } catch {
      outcomes = batch.map(() => ({ alone: true }));
    }
    await Promise.all(
      batch.map(async (p, i) => {
        const outcome = outcomes[i]!;
        if ("alone" in outcome) await runStep(this.driver, this.fields, p.input, p.decide).then(p.resolve, p.reject);
        else p.resolve(outcome.result);
      }),
    );
  }

  private *batchWork(batch: Pending[]): SqlWork<Outcome[]> {
    const now = sqlTime(new Date());
    // The same order in every process, so that their row locks cannot deadlock.
    const byPerson = [...batch].sort((a, b) =>
      a.input.channel === b.input.channel ? (a.input.platformUserId < b.input.platformUserId ? -1 : 1) : a.input.channel < b.input.channel ? -1 : 1,
    );
    const contacts = yield* all<{ id: string; channel: string; platformUserId: string; language: string | null }>(
      UPSERT_CONTACTS,
      now,
      now,
      byPerson.map(() => timeOrderedId()),
      byPerson.map((p) => p.input.channel),
      byPerson.map((p) => p.input.platformUserId),
      byPerson.map((p) => p.input.eventId),
    );
    const contactOf = new Map(contacts.map((c) => [personKey(c.channel, c.platformUserId), c]));
    const contact = (p: Pending) => contactOf.get(personKey(p.input.channel, p.input.platformUserId));
    // Steps whose person was left out of the upsert repeat an event that is stored already.
    const fresh = [...batch.entries()].filter(([, p]) => contact(p));
    const loaded = yield* all<LoadRow & { n: number }>(
      LOAD,
      fresh.map(([n]) => n),
      fresh.map(([, p]) => contact(p)!.id),
      fresh.map(([, p]) => p.input.chatId),
      fresh.map(([, p]) => p.input.channel),
      fresh.map(([, p]) => p.input.eventId),
    );
    const loadOf = new Map(loaded.map((row) => [row.n, row]));

    const outcomes: Outcome[] = [];
    const conversations: unknown[][] = CONVERSATION.map(() => []);
    const languages: string[][] = [[], []];
    const messages: unknown[][] = MESSAGE_COLUMNS.map(() => []);
    for (const [n, p] of batch.entries()) {
      const c = contact(p);
      if (!c) {
        outcomes.push({ result: { duplicate: true } });
        continue;
      }
      const row = loadOf.get(n)!;
      if (row.seen) throw new RaceLost();
      const conversation = openedConversation(this.fields, row);
      // A decision that throws fails the batch: its steps then run one by one, and only that one fails.
      const out = p.decide({ contactLanguage: c.language, conversation });
      if (out.report || out.handoff || out.quickExit || out.erase || out.inbound.attachment || out.autoClear) {
        outcomes.push({ alone: true });
        continue;
      }
      const conversationId = conversation?.id ?? timeOrderedId();
      conversationValues(this.fields, conversationId, c.id, p.input, out).forEach((value, column) => conversations[column]!.push(value));
      if (out.language && out.language !== c.language) {
        languages[0]!.push(c.id);
        languages[1]!.push(out.language);
      }
      for (const m of [inboundRow(this.fields, p.input, conversationId, out), ...this.fields.outboxRows(conversationId, p.input.channel, out.outbound)]) {
        messageValues(m).forEach((value, column) => messages[column]!.push(value));
      }
      outcomes.push({ result: { duplicate: false, conversationId, outboundCount: out.outbound.length } });
    }
    if (conversations[0]!.length > 0) yield* run(WRITE, now, now, ...conversations, ...languages, now, ...messages);
    return outcomes;
  }
}
