// Ready replies over real HTTP on SQLite and PostgreSQL: the officer picks one in a Korean
// console, and the person receives it in their own language (Vietnamese here) at the fake
// Telegram Bot API, through the same path as a typed reply (outbox, transcript, audit). The
// server writes the text from an id and checked parameters; a number only from the person's
// own lines. Queue rows show the reference code, nationality, reason and risk.
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CONTACTS, isUserVisible } from "../flows/data/contacts.ts";
import { LANGUAGES } from "../flows/data/languages.ts";
import { NATIONALITIES } from "../flows/data/nationalities.ts";
import { personLines, READY_REPLY_IDS } from "../flows/data/ready-replies.ts";
import type { App } from "../src/app.ts";
import { createI18n } from "../src/i18n.ts";
import { readyReplyOptions } from "../src/staff/ready-replies.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { query } from "./helpers/db-query.ts";
import { addStaffAccounts, signedInClient, type StaffName } from "./helpers/staff-accounts.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { previewOf, REVEALING_WORDS } from "../flows/data/revealing-words.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

type Bundle = Record<string, unknown>;
const bundle = (lang: string) => JSON.parse(readFileSync(`locales/${lang}.json`, "utf8")) as Bundle;
const text = (b: Bundle, key: string) => String(key.split(".").reduce<unknown>((node, k) => (node as Bundle)[k], b));
const [KO, VI] = [bundle("ko"), bundle("vi")];

interface Option {
  reply: Record<string, string>;
  label?: string;
  preview: string;
  theirs: string;
}
interface ReadyList {
  language: string;
  nationality: string | null;
  nationalityGuessed: boolean;
  replies: { id: string; options: Option[] }[];
}

describe("ready replies as written", () => {
  let i18n: Awaited<ReturnType<typeof createI18n>>;
  beforeAll(async () => {
    i18n = await createI18n();
  });

  it("are at least ten, each calm and short, and open with nothing revealing in any language, for every choice of every nationality", () => {
    expect(READY_REPLY_IDS.length).toBeGreaterThanOrEqual(10);
    for (const lang of LANGUAGES) {
      for (const nationality of [...NATIONALITIES, null]) {
        const { replies } = readyReplyOptions({ nationality, language: lang }, i18n, "en");
        expect(replies.map((r) => r.id)).toEqual([...READY_REPLY_IDS]);
        for (const { id, options } of replies) {
          expect(options.length, `${lang} ${id}`).toBeGreaterThan(0);
          for (const { theirs } of options) {
            const opening = previewOf(theirs).toLowerCase();
            expect(REVEALING_WORDS[lang].filter((word) => opening.includes(word)), `${lang} ${id}: ${opening}`).toEqual([]);
            // Its own words come first: a contact line (with its label) starts after 60 characters.
            expect(theirs.split("\n")[0]!.length, `${lang} ${id}`).toBeGreaterThanOrEqual(Math.min(60, theirs.length));
            expect(theirs.length, `${lang} ${id}`).toBeLessThanOrEqual(400);
          }
        }
      }
    }
  });

  it("offer only the person's own lines, HIGH or MED, never a LOW one", () => {
    for (const nationality of [...NATIONALITIES, undefined]) {
      const lines = personLines(nationality);
      expect(lines.length).toBeGreaterThan(0);
      for (const id of lines) expect(isUserVisible(CONTACTS[id]), `${nationality} ${id}`).toBe(true);
    }
    expect(personLines("vn")).toEqual(["vnCitizenProtection", "vnCitizenProtection2", "khPolice117", "khPoliceTelegram"]);
    expect(personLines("vn")).not.toContain("vnEmbassy");
    expect(personLines("cn")).not.toContain("krConsularCallCenter");
  });
});

describe.each(DB_KINDS)("ready replies and queue rows on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;
  let accounts: Record<StaffName, string>;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
    ({ app, base } = await startTelegramApp(db.url, fake.url));
    accounts = await addStaffAccounts(app.store);
  });

  afterEach(async () => {
    await app.stop().catch(() => {});
    await fake.stop();
    await db.drop();
  });

  /** A Vietnamese person who asked for someone: /start, Vietnamese, safe, "talk to a person". */
  async function vietnameseHandoff(chatId: number): Promise<{ person: TelegramPerson; id: string }> {
    const person = new TelegramPerson(base, fake, chatId);
    await person.say("/start");
    await person.tap("vi");
    await person.tap("yes");
    await person.tap("person", 2); // the hand-off card, and a neutral line for the chat list
    const [row] = await query<{ id: string }>(db.url, `SELECT h."id" FROM "HandoffRequest" h JOIN "Conversation" c ON c."id" = h."conversationId" WHERE c."chatId" = ?`, [String(chatId)]);
    return { person, id: row!.id };
  }

  const outboundCount = async () => (await query<{ n: number | string }>(db.url, `SELECT COUNT(*) AS "n" FROM "Message" WHERE "direction" = 'out'`))[0]!.n;

  it("a reply picked in a Korean console arrives in Vietnamese, through the outbox, the transcript and the audit log", async () => {
    const { person, id } = await vietnameseHandoff(7_100_001);
    const agent = await signedInClient(base, "agent");

    // The officer's list: previews in Korean, what the person reads in Vietnamese, their lines by the language's guess.
    const list = await agent.json<ReadyList>(agent.get(`/handoffs/${id}/ready-replies?lang=ko`));
    expect(list).toMatchObject({ language: "vi", nationality: "vn", nationalityGuessed: true });
    expect(list.replies.map((r) => r.id)).toEqual([...READY_REPLY_IDS]);
    const callNow = list.replies.find((r) => r.id === "callNow")!;
    expect(callNow.options.map((o) => o.reply.contact)).toEqual(personLines("vn"));
    const picked = callNow.options[0]!;
    expect(picked.label).toBe(`${text(KO, "contacts.vnCitizenProtection")}: +84-981-84-84-84`);
    expect(picked.preview).toBe(`${text(KO, "staffReply.callNow")}\n• ${text(KO, "contacts.vnCitizenProtection")}: +84-981-84-84-84`);
    const inVietnamese = `${text(VI, "staffReply.callNow")}\n• ${text(VI, "contacts.vnCitizenProtection")}: +84-981-84-84-84`;
    expect(picked.theirs).toBe(inVietnamese);

    const sent = await agent.json<{ messageId: number }>(agent.post(`/handoffs/${id}/reply`, { ready: picked.reply }), 202);
    expect(await person.waitFor(1)).toEqual([inVietnamese]);
    // The person has it; the outbox records it as sent right after the Bot API's answer.
    await vi.waitUntil(async () => (await query<{ status: string }>(db.url, `SELECT "status" FROM "Message" WHERE "id" = ?`, [sent.messageId]))[0]?.status === "sent", { timeout: 10_000 });

    // The transcript: a staff message (the person's text), readable in the console's language.
    const detail = await agent.json<{ handoff: { status: string; assignee: { id: string } | null }; transcript: Record<string, unknown>[] }>(
      agent.get(`/handoffs/${id}?lang=ko`),
    );
    expect(detail.handoff).toMatchObject({ status: "in_progress", assignee: { id: accounts.agent } });
    expect(detail.transcript.find((i) => i.id === sent.messageId)).toMatchObject({
      role: "staff",
      author: "agent@example.org",
      text: inVietnamese,
      status: "sent",
      ready: { id: "callNow", text: picked.preview },
    });
    const audit = await query<{ action: string; detail: string }>(db.url, `SELECT "action", "detail" FROM "AuditEntry" WHERE "action" = 'reply' AND "targetId" = ?`, [id]);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ ready: "callNow" });
    expect(audit[0]!.detail).not.toContain("+84");

    // "Share your location" asks with the platform's location button; "we will answer within…" takes its choice.
    const location = list.replies.find((r) => r.id === "shareLocation")!.options[0]!;
    await agent.json(agent.post(`/handoffs/${id}/reply`, { ready: location.reply }), 202);
    await person.waitFor(1);
    const asked = person.messages().at(-1)!.payload;
    expect(asked.text).toBe(text(VI, "staffReply.shareLocation"));
    expect(JSON.stringify(asked.reply_markup)).toContain("request_location");
    await agent.json(agent.post(`/handoffs/${id}/reply`, { ready: { id: "answerWithin", within: "fewHours" } }), 202);
    expect(await person.waitFor(1)).toEqual([text(VI, "staffReply.answerWithin.fewHours")]);

    // Typed replies stay available.
    await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "Xin chào" }), 202);
    expect((await person.waitFor(1))[0]).toContain("Xin chào");
  });

  it("refuses a bad id or parameters with a clear 400, and an agent who may not reply with 403; nothing is sent", async () => {
    const { person, id } = await vietnameseHandoff(7_100_002);
    const agent = await signedInClient(base, "agent");
    const before = await outboundCount();
    const delivered = person.messages().length;

    const refused = async (body: unknown, issue: RegExp) => {
      const res = await agent.post(`/handoffs/${id}/reply`, body);
      const answer = (await res.json()) as { error: string; issues: string[] };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.error).toBe("invalid");
      expect(answer.issues.join(" | ")).toMatch(issue);
    };
    await refused({ ready: { id: "sayAnything" } }, /^ready\.id: not a ready reply/);
    await refused({ ready: { id: "received", text: "free words under a ready label" } }, /ready: Unrecognized key: "text"/);
    await refused({ ready: { id: "received" }, text: "both" }, /Unrecognized key: "text"/);
    await refused({ ready: { id: "callNow" } }, /^ready\.contact:/);
    await refused({ ready: { id: "callNow", contact: "+84 123 456" } }, /^ready\.contact:/);
    // Not this person's line: Korea's call center for a Vietnamese person, and the Vietnamese embassy's LOW number.
    await refused({ ready: { id: "callNow", contact: "krConsularCallCenter" } }, /ready\.contact: not one of this person's lines/);
    await refused({ ready: { id: "callNow", contact: "vnEmbassy" } }, /ready\.contact: not one of this person's lines/);
    await refused({ ready: { id: "answerWithin", within: "never" } }, /^ready\.within:/);
    await refused({ ready: { id: "answerWithin", within: "hour", extra: 1 } }, /Unrecognized key/);

    // Another agent's case: refused.
    await agent.json(agent.post(`/handoffs/${id}/assign`, { staffId: accounts.agent }));
    const agent2 = await signedInClient(base, "agent2");
    expect((await agent2.post(`/handoffs/${id}/reply`, { ready: { id: "received" } })).status).toBe(403);
    expect((await agent2.get(`/handoffs/${id}/ready-replies?lang=ko`)).status).toBe(403);

    await app.deliverer.afterPasses(2);
    expect(await outboundCount()).toBe(before);
    expect(person.messages()).toHaveLength(delivered);
    expect(await query(db.url, `SELECT 1 FROM "AuditEntry" WHERE "action" = 'reply'`)).toHaveLength(0);
  });

  it("queue rows show the reference code, the nationality chosen, the reason and the risk", async () => {
    // A family report about a Vietnamese relative, shared, then "talk to a person".
    const family = new TelegramPerson(base, fake, 7_100_003);
    await family.say("/start");
    await family.tap("en");
    await family.tap("yes");
    await family.tap("other");
    await family.tap("child");
    await family.say("Nguyen Van A");
    await family.tap("vn");
    await family.tap("skip");
    await family.tap("week");
    await family.say("Bavet", 1);
    await family.tap("ad");
    await family.tap("no", 3);
    await family.tap("person");
    // A Vietnamese speaker who has not been asked their nationality.
    await vietnameseHandoff(7_100_004);

    const supervisor = await signedInClient(base, "supervisor");
    const page = await supervisor.json<{ handoffs: Record<string, unknown>[] }>(supervisor.get("/handoffs"));
    const [code] = await query<{ code: string }>(db.url, `SELECT "code" FROM "Report"`);
    const row = page.handoffs.find((h) => h.reportCode === code!.code);
    expect(row).toMatchObject({ nationality: "vn", reason: "family", risk: expect.any(String), reportCode: code!.code });
    const asked = page.handoffs.find((h) => h.reportCode === null);
    expect(asked).toMatchObject({ nationality: null, reason: "requested", language: "vi" });
    expect(asked!.risk).not.toBeUndefined();

    // Erasure forgets it with everything else.
    await family.say("/delete", 1);
    await family.tap("erase", 1);
    const erased = await query<{ nationality: string | null }>(db.url, `SELECT "nationality" FROM "Conversation" WHERE "status" = 'erased'`);
    expect(erased).toEqual([{ nationality: null }]);
  });
});
