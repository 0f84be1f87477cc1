// Model-based: every shortest path to every state of the helpline machine (xstate/graph)
// is executed through the real engine on a real database, and its replies are checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PersonEvent } from "../flows/types.ts";
import { forChannel } from "../src/engine/channel-messages.ts";
import type { Engine } from "../src/engine/engine.ts";
import { parseStaffHours } from "../src/engine/staff-hours.ts";
import type { Store } from "../src/store/store.ts";
import { createTestDatabase, type DbKind, type TestDatabase } from "./helpers/databases.ts";
import { LANGUAGES, type Language } from "../flows/data/languages.ts";
import { query } from "./helpers/db-query.ts";
import { openEngine, webEvent } from "./helpers/engine-harness.ts";
import { pathEvents, runFlow, shortestPaths, shortestPathsAfter, stateId } from "./helpers/flow-model.ts";

/** The keys the pure machine says for each step of a path, as the test chat gets them. */
function expectedKeys(events: PersonEvent[]): string[][] {
  return runFlow(events).steps.map((step) => {
    // The test chat cannot delete messages, so the engine adds how to delete the chat, before the last line.
    const deletes = step.effects.some((e) => e.type === "quickExit" || e.type === "erase");
    const said = deletes ? [...step.messages.slice(0, -1), { text: "stop.deleteYourself" }, ...step.messages.slice(-1)] : step.messages;
    return forChannel(said, "web", false).map((m) => m.text);
  });
}

/**
 * Paths from a fresh conversation on both databases (no language chosen: the first
 * message decides), then paths after choosing each language, every language on SQLite
 * and the source language on PostgreSQL.
 */
type Run = [DbKind, Language | "first message"];
const RUNS: Run[] = [
  ["sqlite", "first message"],
  ["postgresql", "first message"],
  ...LANGUAGES.map((lng): Run => ["sqlite", lng]),
  ["postgresql", "ko"],
];
const CHOOSE_KO: PersonEvent[] = [{ type: "COMMAND", command: "start" }, { type: "CHOICE", id: "ko" }];

/**
 * The path with its language choice replaced by `lng`. The graph's paths choose "ko" or "en";
 * other language codes ("id", "th") are also nationality choices, so only those two are swapped.
 */
const inLanguage = (events: PersonEvent[], lng: Language): PersonEvent[] =>
  events.map((e) => (e.type === "CHOICE" && (e.id === "ko" || e.id === "en") ? { type: "CHOICE", id: lng } : e));

describe.each(RUNS)("every flow path through the engine on %s in %s", (kind, lng) => {
  let db: TestDatabase;
  let store: Store;
  let engine: Engine;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    ({ store, engine } = await openEngine(db.url));
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const paths = (lng === "first message" ? shortestPaths() : shortestPathsAfter(CHOOSE_KO)).filter((p) => pathEvents(p).length > 0);
  const eventsOf = (path: (typeof paths)[number]) =>
    lng === "first message" ? pathEvents(path) : inLanguage([...CHOOSE_KO, ...pathEvents(path)], lng);

  it(`covers ${paths.length} paths`, () => {
    expect(paths.length).toBeGreaterThan(30);
    if (lng === "first message") return;
    // Every path really runs in this language.
    for (const path of paths) expect((runFlow(eventsOf(path)).last.snapshot.context as { lang?: string }).lang).toBe(lng);
  });

  it.each(paths.map((p) => [stateId(p.state.value), p] as const))("reaches %s with the right replies", async (target, path) => {
    const chat = `path-${kind}-${lng}-${target}`;
    const events = eventsOf(path);
    const expected = expectedKeys(events);
    for (const [i, event] of events.entries()) {
      const result = await engine.handle(webEvent(chat, event));
      expect(result.duplicate).toBe(false);
      if (!result.duplicate) expect(result.outboundCount, `step ${i}`).toBe(expected[i]!.length);
    }
    const [conversation] = await query<{ snapshot: string; status: string }>(db.url, `SELECT snapshot, status FROM "Conversation" WHERE "chatId" = ?`, [chat]);
    if (target === "erased") {
      // Erasure leaves a tombstone: no content, no snapshot, only the erasure reply to deliver.
      expect(conversation).toEqual({ snapshot: "{}", status: "erased" });
      const rows = await store.transcript("web", chat);
      expect(rows.filter((m) => m.kind !== "erased").map((m) => (m.payload as { key: string }).key)).toEqual(expected.at(-1));
      expect(rows.filter((m) => m.kind === "erased").every((m) => m.text === null && m.payload === null)).toBe(true);
      return;
    }
    const transcript = await store.transcript("web", chat);
    expect(transcript.filter((m) => m.direction === "in")).toHaveLength(events.length);
    const out = transcript.filter((m) => m.direction === "out");
    expect(out.map((m) => (m.payload as { key: string }).key)).toEqual(expected.flat());
    for (const m of out) {
      expect(m.text).not.toMatch(/{{|}}|undefined/);
      expect(m.text).not.toBe((m.payload as { key: string }).key);
    }
    expect(stateId(JSON.parse(conversation!.snapshot).value)).toBe(target);
    // The language the person chose (if the path chose one) is the conversation's language.
    const chosen = (runFlow(events).last.snapshot.context as { lang?: string }).lang ?? null;
    const [{ language }] = (await query<{ language: string | null }>(db.url, `SELECT language FROM "Conversation" WHERE "chatId" = ?`, [chat])) as [{ language: string | null }];
    expect(language).toBe(chosen);
  });
});

describe("reports and handoffs in the database", () => {
  let db: TestDatabase;
  let store: Store;
  let engine: Engine;
  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    ({ store, engine } = await openEngine(db.url));
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const walk = async (chat: string, events: PersonEvent[], on: Engine = engine) => {
    for (const event of events) await on.handle(webEvent(chat, event));
    return (await store.transcript("web", chat)).filter((m) => m.direction === "out");
  };
  const c = (id: string): PersonEvent => ({ type: "CHOICE", id });
  const toMenu: PersonEvent[] = [{ type: "COMMAND", command: "start" }, c("en"), c("yes")];

  it("stores a family report and shows its reference code to the person", async () => {
    const out = await walk("family", [...toMenu, c("other"), c("parent"), c("skip"), c("kr"), c("skip"), c("week"), c("skip"), c("ad"), c("no")]);
    const [report] = await query<{ code: string; kind: string; answers: string; consent: number | boolean }>(db.url, `SELECT code, kind, answers, consent FROM "Report"`);
    expect(report!.kind).toBe("family");
    expect(JSON.parse(report!.answers)).toMatchObject({ "family.relationship": "parent", "family.nationality": "kr", "family.ransom": "no" });
    expect(out.at(-1)!.text).toContain(report!.code);
  });

  it("records the handoff's risk and updates an open handoff instead of adding one", async () => {
    await walk("handoff", [...toMenu, c("danger"), c("person"), { type: "COMMAND", command: "menu" }, c("person")]);
    const rows = await query<{ reason: string; risk: string; status: string }>(
      db.url,
      `SELECT h.reason, h.risk, h.status FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = 'handoff'`,
    );
    // The person said they were in danger (menu), so the request stays critical when reopened.
    expect(rows).toEqual([{ reason: "requested", risk: "critical", status: "open" }]);
  });

  it("tells the person when staff are not working, with the 24/7 numbers", async () => {
    const closed = await openEngine(db.url, { staffHours: parseStaffHours("Sun-Sun 00:00-00:01 Pacific/Kiritimati")! });
    const out = await walk("after-hours", [...toMenu, c("person")], closed.engine).finally(() => closed.store.close());
    const hours = out.at(-2)!.text!;
    // Kiritimati (UTC+14) is 7 h ahead of Cambodia: Sunday 00:00 there is Saturday 17:00 in Cambodia.
    expect(hours).toContain("It is outside answering hours now. Hours: Sat 17:00–17:01 (Cambodia time).");
    // No nationality known yet (English): Cambodian police, never Korea's call center.
    expect(hours).toContain("• Cambodian police hotline (call, free): 117");
    expect(hours).not.toContain("+82-2-3210-0404");
    // The chat list keeps showing a neutral line, not the numbers.
    expect(out.at(-1)!.text).toBe("You can write here at any time.");
  });
});
