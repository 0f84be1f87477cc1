// What a person in a crisis types or taps is never lost or ignored: through the engine on a
// real database, with the replies as the person reads them, in Korean, English and Vietnamese.
import type { TFunction } from "i18next";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PersonEvent } from "../flows/types.ts";
import type { Engine } from "../src/engine/engine.ts";
import { createI18n } from "../src/i18n.ts";
import type { Store } from "../src/store/store.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { query } from "./helpers/db-query.ts";
import { openEngine, sharedClock, webEvent } from "./helpers/engine-harness.ts";

const c = (id: string): PersonEvent => ({ type: "CHOICE", id });
const text = (t: string): PersonEvent => ({ type: "TEXT", text: t });
const start: PersonEvent = { type: "COMMAND", command: "start" };

const LANGS = ["ko", "en", "vi"] as const;
/** How a frightened person types for help, in each language. */
const CRY: Record<(typeof LANGS)[number], string> = { ko: "살려 주세요!!", en: "help me please", vi: "cứu tôi với" };
/** A typed place and a story, in each language. */
const PLACE: Record<(typeof LANGS)[number], string> = { ko: "시아누크빌 어느 건물인지 몰라요", en: "Sihanoukville, I don't know which building", vi: "Sihanoukville, không biết tòa nhà nào" };
const STORY: Record<(typeof LANGS)[number], string> = {
  ko: "아들이 캄보디아에 잡혀 있어요, 5천 달러를 요구해요",
  en: "my son is held in Cambodia, they demand a $5,000 ransom",
  vi: "con trai tôi bị giữ ở Campuchia, họ đòi 5.000 đô tiền chuộc",
};

describe.each(LANGS)("crisis input in %s", (lng) => {
  let db: TestDatabase;
  let store: Store;
  let engine: Engine;
  let t: TFunction;
  const clock = sharedClock(new Date("2026-12-03T03:00:00Z"));
  let chats = 0;
  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    ({ store, engine } = await openEngine(db.url, { receiptIntervalMs: 10 * 60_000, clock: clock.clock }));
    const i18n = await createI18n();
    t = i18n.getFixedT(lng);
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  /** A new chat at the menu in `lng`; `send` returns the replies (texts) to each event. */
  async function chat(prefix: PersonEvent[] = [start, c(lng), c("yes")]) {
    const id = `${lng}-${++chats}`;
    let seen = 0;
    const send = async (...events: PersonEvent[]) => {
      for (const event of events) await engine.handle(webEvent(id, event));
      const out = (await store.transcript("web", id)).filter((m) => m.direction === "out").map((m) => m.text ?? "");
      const fresh = out.slice(seen);
      seen = out.length;
      return fresh;
    };
    await send(...prefix);
    const context = async () => {
      const [row] = await query<{ snapshot: string }>(db.url, `SELECT snapshot FROM "Conversation" WHERE "chatId" = ?`, [id]);
      return JSON.parse(row!.snapshot).context as { answers: Record<string, string>; resume?: string };
    };
    return { id, send, context };
  }

  it("recognises a typed cry for help in the middle of a question", async () => {
    const { send } = await chat();
    await send(c("me"), c("no"));
    const card = await send(text(CRY[lng]));
    expect(card[0]).toContain(t("emergency.card"));
    expect(card[0]).toContain("117");
  });

  it("keeps a typed place at the emergency location step, with the button still offered", async () => {
    const { send, context } = await chat();
    await send(c("danger"));
    const prompt = await send(c("location"));
    expect(prompt[0]).toBe(t("emergency.locationPrompt"));
    const replies = await send(text(PLACE[lng]));
    expect(replies[0]).toBe(t("emergency.placeNoted"));
    expect(replies[1]).toContain(t("handoff.created"));
    expect((await context()).answers["triage.place"]).toBe(PLACE[lng]);
  });

  it("keeps a story typed at a choice question, says so in one line, and asks again with numbered choices", async () => {
    const { id, send, context } = await chat();
    await send(c("me"));
    const [reply, question, ...rest] = await send(text(STORY[lng]));
    expect(rest).toEqual([]);
    expect(question).toBe(t("triage.danger"));
    const lines = reply!.split("\n");
    expect(lines[0]).toBe(t("common.savedStory"));
    expect(lines.slice(1)).toEqual([`1. ${t("common.yes")}`, `2. ${t("common.no")}`, `3. ${t("common.skip")}`, `4. ${t("common.back")}`]);
    expect((await context()).answers["report.story"]).toBe(STORY[lng]);
    // Typing a number now answers the question.
    expect((await send(text("2")))[0]).toBe(t("triage.injured"));
    // The story reaches the report staff read.
    await send(...Array<PersonEvent>(7).fill(c("skip")), c("done"), c("yes"));
    const [report] = await query<{ answers: string }>(db.url, `SELECT r.answers FROM "Report" r JOIN "Conversation" v ON v.id = r."conversationId" WHERE v."chatId" = ?`, [id]);
    expect(JSON.parse(report!.answers)).toMatchObject({ "report.story": STORY[lng], "triage.danger": "no" });
  });

  it("keeps a family's first message and acknowledges it before asking the language", async () => {
    const { send, context } = await chat([]);
    const replies = await send(text(STORY[lng]));
    // No language is known yet (the test chat gives no hint): the fallback language, then the language question.
    const en = (await createI18n()).getFixedT("en");
    expect(replies).toEqual([en("common.savedStory"), en("language.prompt")]);
    expect((await context()).answers["report.story"]).toBe(STORY[lng]);
  });

  it("returns to the exact question after the card, with the answers kept, and shows the card once per run", async () => {
    const { send, context } = await chat();
    await send(c("me"), c("no"), c("no"), c("yes"));
    expect((await send(text("SOS")))[0]).toContain(t("emergency.card"));
    const back = await send(c("continue"));
    expect(back[0]).toBe(t("triage.documents"));
    expect((await context()).answers).toMatchObject({ "triage.danger": "no", "triage.injured": "no", "triage.leave": "yes" });
    // In danger (card), then hurt and unable to leave: the card is not shown a second time.
    const second = await chat();
    await second.send(c("me"));
    expect((await second.send(c("yes")))[0]).toContain(t("emergency.card"));
    expect((await second.send(c("continue")))[0]).toBe(t("triage.injured"));
    await second.send(c("yes"));
    expect(await second.send(c("no"))).toEqual([t("triage.documents")]);
  });

  it("acknowledges a message during a hand-off at most once per interval", async () => {
    const { send } = await chat();
    await send(c("person"));
    clock.set(new Date(clock.now().getTime() + 60_000));
    expect(await send(text("they took my passport. I was beaten"))).toEqual([t("handoff.received")]);
    clock.set(new Date(clock.now().getTime() + 60_000));
    expect(await send(text("are you there?"), { type: "UNSUPPORTED", what: "photo" })).toEqual([]);
    clock.set(new Date(clock.now().getTime() + 10 * 60_000));
    expect(await send(text("hello?"))).toEqual([t("handoff.received")]);
  });

  it("shows how to keep the chat private when the phone is checked, offers to clear it by itself, and puts safety before the checklist", async () => {
    const { send } = await chat();
    await send(c("me"), c("no"), c("no"), c("yes"), c("no"));
    const tips = await send(c("yes"));
    // The test chat cannot delete messages: the offer is how to delete the chat yourself.
    expect(tips).toEqual([t("protect.telegram"), t("autoClear.deleteYourself")]);
    expect((await send(c("goOn")))[0]).toBe(t("triage.where"));
    await send(c("skip"), c("skip"), c("skip"), c("done"), c("no"));
    const police = await send(c("police"));
    // The checklist opens with "only if no one can see you"; the numbers are a message of their own.
    expect(police[0]!.startsWith(t("police.intro"))).toBe(true);
    expect(t("police.intro").length).toBeGreaterThan(20);
    expect(police[0]).not.toContain("117");
    expect(police[1]).toContain("117");
  });

  it("checks a job offer for a kept passport and a debt-cancellation offer, with Skip and Back on every question", async () => {
    const { send } = await chat();
    const first = await send(c("job"));
    expect(first[0]).toBe(t("job.q.highPay"));
    expect((await send(c("no")))[0]).toBe(t("job.q.travelPaid"));
    expect((await send(c("back")))[0]).toBe(t("job.q.highPay"));
    const verdict = await send(c("no"), ...Array<PersonEvent>(6).fill(c("skip")), c("yes"), c("yes"));
    expect(verdict.at(-2)).toContain(t("job.reason.passport"));
    expect(verdict.at(-2)).toContain(t("job.reason.debt"));
    // Families are asked about the same lure.
    const family = await chat();
    await family.send(c("other"), c("child"), c("skip"), c("vn"), c("skip"), c("skip"), c("skip"));
    expect((await family.send(c("debt")))[0]).toBe(t("family.debtNote"));
  });
});
