// The helpline flow as a pure machine: transitions, reachability, safety rules, limits.
import { describe, expect, it } from "vitest";
import { CONTACTS, isContactId, isUserVisible } from "../flows/data/contacts.ts";
import type { PersonEvent, OutMessage } from "../flows/types.ts";
import { createI18n, LOCALES } from "../src/i18n.ts";
import { render } from "../src/engine/render.ts";
import { toTelegramSends, TELEGRAM_TEXT_LIMIT } from "../src/channels/telegram/outbound.ts";
import { LINE_LABEL_MAX, LINE_TEXT_LIMIT, toLineMessages } from "../src/channels/line/outbound.ts";
import { pathEvents, restingStates, runFlow, shortestPaths, stateId } from "./helpers/flow-model.ts";

const run = runFlow;

const start: PersonEvent = { type: "COMMAND", command: "start" };
const choose = (id: string): PersonEvent => ({ type: "CHOICE", id });
const text = (t: string): PersonEvent => ({ type: "TEXT", text: t });
const toMenu = [start, choose("en"), choose("yes")];
const keys = (messages: OutMessage[]) => messages.map((m) => m.text);

describe("helpline flow", () => {
  it("opens with a neutral language question whatever the first message is", () => {
    for (const first of [start, text("hi"), { type: "UNSUPPORTED", what: "photo" } as PersonEvent]) {
      const { state, last } = run([first]);
      expect(state).toBe("language");
      expect(keys(last.messages)).toEqual(["language.prompt"]);
    }
  });

  it("goes language -> safety check -> menu with the four kinds of help", () => {
    const { said, last } = run(toMenu);
    expect(said.map(keys)).toEqual([["language.prompt"], ["safety.prompt"], ["menu.prompt"]]);
    expect(last.messages[0]!.choices!.map((c) => c.id)).toEqual(["danger", "me", "other", "job", "info", "person"]);
  });

  it("goes quiet when it is not safe (offering to clear the chat by itself), and comes back on the next message", () => {
    const { said, state } = run([start, choose("en"), choose("no"), { type: "UNSUPPORTED", what: "sticker" }, text("ok now")]);
    expect(keys(said[2]!)).toEqual(["safety.later", "autoClear.offer"]);
    expect(said[3]).toEqual([]);
    expect(state).toBe("safeCheck");
  });

  it("turns auto-clear on from the not-safe offer and stays quiet; off again from /autoclear", () => {
    const on = run([start, choose("en"), choose("no"), choose("clear30"), { type: "UNSUPPORTED", what: "sticker" }]);
    expect(keys(on.said[3]!)).toEqual(["autoClear.on"]);
    expect(on.steps[3]!.effects).toEqual([{ type: "autoClear", minutes: 30 }]);
    expect(on.said[4]).toEqual([]);
    expect(on.state).toBe("quiet");
    expect((on.last.snapshot.context as { autoClearMinutes?: number }).autoClearMinutes).toBe(30);
    const off = run([start, choose("en"), choose("no"), choose("clear30"), { type: "COMMAND", command: "autoclear" }, choose("clearOff")]);
    expect(keys(off.said[4]!)).toEqual(["autoClear.offer"]);
    expect(off.steps[5]!.effects).toEqual([{ type: "autoClear", minutes: 0 }]);
    expect(keys(off.said[5]!)).toEqual(["menu.prompt"]);
    expect((off.last.snapshot.context as { autoClearMinutes?: number }).autoClearMinutes).toBeUndefined();
  });

  it("asks again at the auto-clear offer with the choices the channel really has", () => {
    const { said } = run([start, choose("en"), choose("yes"), choose("me"), choose("no"), choose("no"), choose("yes"), choose("no"), choose("yes"), text("what?")]);
    const [listed, again] = said.at(-1)!;
    expect(listed!.listed!.map((c) => c.id)).toEqual(["clear10", "clear30", "clear60", "clearOff"]);
    expect(listed!.whereCannotDelete!.listed!.map((c) => c.id)).toEqual(["goOn"]);
    expect(again!.whereCannotDelete!.choices!.map((c) => c.id)).toEqual(["goOn"]);
  });

  it("answers /help with the commands and how to keep this chat private in the app used", () => {
    const { said } = run([start, choose("en"), choose("yes"), { type: "COMMAND", command: "help" }]);
    expect(keys(said[3]!)).toEqual(["help.text", "protect.telegram"]);
    expect(said[3]![1]!.onChannel?.line?.text).toBe("protect.line");
  });

  it("reaches the emergency card in at most two taps from the menu, and by one word from anywhere", () => {
    // In English no nationality is guessed: the card is followed by the one-tap nationality question.
    expect(keys(run([...toMenu, choose("danger")]).last.messages)).toEqual(["emergency.card", "emergency.askNationality"]);
    for (const path of shortestPaths()) {
      const events = pathEvents(path);
      if (events.length === 0) continue;
      const { state } = run([...events, text("살려주세요")]);
      expect(state, `from ${stateId(path.state.value)}`).toBe("emergency");
    }
  });

  it("stays quiet while staff have the conversation, and closing returns the person to the menu", () => {
    const handoff = [...toMenu, choose("person")];
    expect(keys(run(handoff).last.messages)).toEqual(["handoff.created"]);
    const { said, state } = run([...handoff, text("are you there?"), { type: "STAFF_REPLY" }, text("yes"), { type: "STAFF_CLOSE" }]);
    expect(said.slice(-4).map(keys)).toEqual([[], [], [], ["handoff.closed", "menu.prompt"]]);
    expect(state).toBe("menu");
    // Staff answering someone who went elsewhere in the flow brings their next words to staff.
    const away = run([...toMenu, choose("job"), { type: "STAFF_REPLY" }, text("thanks")]);
    expect(away.said.slice(-2)).toEqual([[], []]);
    expect(away.state).toBe("withStaff");
    // Closed while elsewhere: told, and left where they are.
    const elsewhere = run([...toMenu, choose("job"), { type: "STAFF_CLOSE" }]);
    expect(keys(elsewhere.last.messages)).toEqual(["handoff.closed"]);
    expect(elsewhere.state).toBe("job.highPay");
  });

  it("asks again with the choices when free text does not match", () => {
    const { said, state } = run([start, choose("en"), text("what?")]);
    const yesNo = [{ id: "yes", label: "common.yes" }, { id: "no", label: "common.no" }];
    expect(said.at(-1)).toEqual([{ text: "common.pickOne", listed: yesNo }, { text: "safety.prompt", choices: yesNo }]);
    expect(state).toBe("safeCheck");
  });

  describe("victim triage and self-report", () => {
    it("shows the emergency card at once when in danger, then continues the questions", () => {
      const danger = run([...toMenu, choose("me"), choose("yes")]);
      expect(danger.state).toBe("emergency");
      expect(danger.last.messages[0]!.choices!.map((c) => c.id)).toEqual(["person", "location", "continue", "menu"]);
      expect(run([...toMenu, choose("me"), choose("yes"), choose("continue")]).state).toBe("triage.injured");
    });

    it("interrupts with the emergency card when injured and not able to leave", () => {
      const { state } = run([...toMenu, choose("me"), choose("no"), choose("yes"), choose("no")]);
      expect(state).toBe("emergency");
      expect(run([...toMenu, choose("me"), choose("no"), choose("yes"), choose("no"), choose("continue")]).state).toBe("triage.documents");
    });

    it("lets every question be skipped and ends with a report, consent recorded, and a code", () => {
      const skipAll = [...toMenu, choose("me"), ...Array(8).fill(choose("skip"))];
      const { state } = run(skipAll);
      expect(state).toBe("report.describe");
      const done = run([...skipAll, text("They took my passport."), { type: "UNSUPPORTED", what: "photo" }, choose("done"), choose("yes")]);
      expect(done.state).toBe("report.saved");
      expect(done.last.effects).toEqual([
        {
          type: "report",
          kind: "self",
          consent: true,
          risk: "medium",
          answers: expect.objectContaining({ "report.description": "They took my passport.", "report.photos": "1", "report.consent": "yes", "triage.danger": "skip" }),
        },
      ]);
      expect(keys(done.last.messages)).toEqual(["report.savedShared"]);
    });

    it("puts a shared location into the report", () => {
      const events = [...toMenu, choose("me"), choose("no"), choose("no"), choose("yes"), choose("no"), choose("no"), choose("share"), { type: "LOCATION", latitude: 10.6, longitude: 103.5 } as PersonEvent, choose("skip"), choose("skip"), choose("done"), choose("yes")];
      const effect = run(events).last.effects[0];
      expect(effect).toMatchObject({ type: "report", answers: { "triage.location": "10.6,103.5", "triage.whereHow": "share" } });
    });

    it("records the typed place and a shared location", () => {
      const typed = run([...toMenu, choose("me"), choose("no"), choose("no"), choose("yes"), choose("no"), choose("no"), choose("type"), text("Sihanoukville, KB compound, 5th floor")]);
      expect(typed.state).toBe("triage.nationality");
      expect(typed.last.snapshot.context.answers["triage.place"]).toBe("Sihanoukville, KB compound, 5th floor");
      const shared = run([...toMenu, choose("me"), choose("no"), choose("no"), choose("yes"), choose("no"), choose("no"), choose("share"), { type: "LOCATION", latitude: 10.6, longitude: 103.5 }]);
      expect(shared.state).toBe("triage.nationality");
      expect(shared.last.snapshot.context.location).toEqual({ latitude: 10.6, longitude: 103.5 });
    });

    it("helps prepare the police report without advising escape", () => {
      const skipAll = [...toMenu, choose("me"), ...Array(8).fill(choose("skip")), choose("done"), choose("no")];
      const { said } = run([...skipAll, choose("police")]);
      expect(keys(said.at(-1)!)).toEqual(["police.intro", "police.honest.foreign"]);
      expect(said.at(-1)![0]!.bullets).toHaveLength(7);
      // Contacts come apart from the checklist of things to gather.
      expect(said.at(-1)![0]!.contacts ?? []).toEqual([]);
      expect(said.at(-1)![1]!.contacts).toEqual(["khPolice117", "khPoliceTelegram"]);
    });
  });

  describe("family flow", () => {
    it("collects the details, advises on ransom, says what to prepare and where, and saves a report", () => {
      const events = [...toMenu, choose("other"), choose("child"), text("Kim"), choose("kr"), choose("18to29"), choose("month"), text("Bavet"), choose("chat"), choose("yes")];
      const { said, last, state } = run(events);
      expect(state).toBe("family.saved");
      expect(keys(said.at(-1)!)).toEqual(["family.ransomAdvice", "family.prepare", "family.where.kr", "family.saved"]);
      expect(last.effects).toEqual([
        {
          type: "report",
          kind: "family",
          consent: true,
          answers: {
            "family.relationship": "child",
            "family.name": "Kim",
            "family.nationality": "kr",
            "family.age": "18to29",
            "family.lastContact": "month",
            "family.lastPlace": "Bavet",
            "family.recruited": "chat",
            "family.ransom": "yes",
          },
        },
      ]);
      expect(run([...events, choose("person")]).last.effects).toEqual([{ type: "handoff", reason: "family", risk: "medium" }]);
    });
  });

  describe("job-offer check", () => {
    it("gives a verdict with the reasons", () => {
      const answers = ["yes", "yes", "yes", "no", "unsure", "no", "no", "no", "skip"].map(choose);
      const { said } = run([...toMenu, choose("job"), ...answers]);
      expect(keys(said.at(-1)!)).toEqual(["job.verdict.likelyScam", "job.next.foreign"]);
      expect(said.at(-1)![0]!.bullets).toEqual(["job.reason.highPay", "job.reason.travelPaid", "job.reason.chatRecruit"]);
      const clean = run([...toMenu, choose("job"), ...Array(9).fill(choose("no"))]);
      expect(keys(clean.said.at(-1)!)).toEqual(["job.verdict.noFlags", "job.next.foreign"]);
      // A Korean speaker is pointed to KOTRA; a Korean speaker who said they are Thai is not.
      expect(keys(run([start, choose("ko"), choose("yes"), choose("job"), ...answers]).last.messages)).toEqual(["job.verdict.likelyScam", "job.next.kr"]);
    });
  });

  describe("contacts and advisories", () => {
    it("lists contacts by nationality, the advisory with its date and link", () => {
      const vn = run([...toMenu, choose("info"), choose("vn")]);
      expect(vn.last.messages[0]!.contacts).toEqual(["vnCitizenProtection", "vnCitizenProtection2", "khPolice117", "khPoliceTelegram"]);
      expect(vn.last.messages[0]!.showChecked).toBe(true);
      const th = run([...toMenu, choose("info"), choose("th")]);
      expect(th.last.messages[0]!.bullets).toEqual(["nationalityNote.th"]);
      expect(th.last.messages[0]!.contacts).toEqual(["thMfaConsular", "thSocialHotline1300", "khPolice117", "khPoliceTelegram"]);
      const advisory = run([...toMenu, choose("info"), choose("advisory")]);
      expect(advisory.last.messages[0]!.params).toEqual({ asOf: "2025-12-04", link: "https://www.0404.go.kr" });
      // Korea's levels are labelled as Korea's for anyone not Korean.
      expect(advisory.last.messages[0]!.text).toBe("info.advisoryTextForeign");
      expect(run([start, choose("ko"), choose("yes"), choose("info"), choose("advisory")]).last.messages[0]!.text).toBe("info.advisoryText");
    });
  });

  it("hands off with reason and risk, then stays quiet except for emergency words and commands", () => {
    const { last, state } = run([...toMenu, choose("danger"), choose("person")]);
    expect(last.effects).toEqual([{ type: "handoff", reason: "emergency", risk: "critical" }]);
    expect(state).toBe("withStaff");
    expect(last.snapshot.hasTag("handoff")).toBe(true);
    expect(run([...toMenu, choose("person"), text("I am on floor 5")]).said.at(-1)).toEqual([]);
    expect(run([...toMenu, choose("person"), { type: "COMMAND", command: "menu" }]).state).toBe("menu");
  });

  it("reaches every resting state", () => {
    const reached = new Set(shortestPaths().map((p) => stateId(p.state.value)));
    const states = restingStates();
    expect(states.length).toBeGreaterThan(30);
    for (const state of states) expect(reached, state).toContain(state);
  });
});

describe("content rules", () => {
  const everyMessage = (() => {
    const all: OutMessage[] = [];
    for (const path of shortestPaths().filter((p) => pathEvents(p).length > 0)) {
      const { said } = run(pathEvents(path));
      all.push(...said.flat());
    }
    return all;
  })();

  it("only ever shows contacts that are HIGH or MED with a source", () => {
    const shown = new Set(everyMessage.flatMap((m) => m.contacts ?? []));
    expect(shown.size).toBeGreaterThan(5);
    for (const id of shown) {
      expect(isContactId(id), id).toBe(true);
      expect(isUserVisible(CONTACTS[id as keyof typeof CONTACTS]), id).toBe(true);
    }
  });

  it("drops a LOW contact even if a flow names it", async () => {
    const t = (await createI18n()).getFixedT("en");
    const rendered = render({ text: "emergency.card", contacts: ["krEmbassyPhnomPenh", "khPolice117"] }, t);
    expect(rendered.text).not.toContain(CONTACTS.krEmbassyPhnomPenh.value);
    expect(rendered.text).toContain("117");
  });

  it("has every text and label in every locale, within Telegram's and LINE's limits", async () => {
    const i18n = await createI18n();
    for (const lng of LOCALES) {
      const t = i18n.getFixedT(lng);
      for (const message of everyMessage) {
        for (const key of [message.text, ...(message.bullets ?? [])]) {
          expect(i18n.exists(key, { lng, fallbackLng: false }), `${lng}:${key}`).toBe(true);
        }
        for (const c of message.choices ?? []) {
          expect(i18n.exists(c.label, { lng, fallbackLng: false }), `${lng}:${c.label}`).toBe(true);
          expect(Buffer.byteLength(c.id)).toBeLessThanOrEqual(64);
          expect([...t(c.label)].length, `${lng}:${c.label} fits a LINE button`).toBeLessThanOrEqual(LINE_LABEL_MAX);
        }
        const rendered = render({ ...message, params: { ...message.params, reportCode: "ABCD-2345" } }, t);
        expect(rendered.text).not.toMatch(/{{|}}/);
        for (const send of toTelegramSends(rendered.text, rendered.payload)) expect(send.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
        for (const line of toLineMessages(rendered.text, rendered.payload)) expect(line.text.length).toBeLessThanOrEqual(LINE_TEXT_LIMIT);
      }
    }
  });

  it("never tells anyone to escape, confront captors or pay, nor promises immunity", async () => {
    const banned = /escape|run away|fight|confront|pay the ransom|immunity|탈출|도망|몸값을 (내|보내)|면책/i;
    for (const lng of LOCALES) {
      const json = JSON.stringify((await import(`../locales/${lng}.json`, { with: { type: "json" } })).default);
      expect(json).not.toMatch(banned);
    }
  });
});
