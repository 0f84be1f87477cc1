// The helpline flow as a pure machine: transitions, reachability, safety rules, limits.
import { describe, expect, it } from "vitest";
import { getShortestPaths } from "xstate/graph";
import { CONTACTS, isContactId, isUserVisible } from "../flows/data/contacts.ts";
import { EMERGENCY_WORDS, isEmergencyWord } from "../flows/data/emergency-words.ts";
import { helplineMachine } from "../flows/helpline.ts";
import { helplineFlow } from "../flows/registry.ts";
import type { FlowEvent, OutMessage } from "../flows/types.ts";
import { advance, type StoredMachine } from "../src/engine/advance.ts";
import { createI18n, LOCALES } from "../src/i18n.ts";
import { render } from "../src/engine/render.ts";
import { toTelegramSends, TELEGRAM_TEXT_LIMIT } from "../src/channels/telegram/outbound.ts";
import { LINE_LABEL_MAX, LINE_TEXT_LIMIT, toLineMessages } from "../src/channels/line/outbound.ts";

function run(events: FlowEvent[]) {
  let stored: StoredMachine | null = null;
  const said: OutMessage[][] = [];
  let last;
  for (const event of events) {
    last = advance(helplineFlow, stored, event);
    said.push(last.messages);
    stored = {
      machineId: helplineFlow.id,
      machineVersion: helplineFlow.version,
      state: JSON.parse(JSON.stringify({ value: last.snapshot.value, context: last.snapshot.context })),
    };
  }
  return { last: last!, said };
}

const start: FlowEvent = { type: "COMMAND", command: "start" };
const choose = (id: string): FlowEvent => ({ type: "CHOICE", id });

const ALL_EVENTS: FlowEvent[] = [
  start,
  { type: "COMMAND", command: "menu" },
  { type: "COMMAND", command: "help" },
  { type: "COMMAND", command: "language" },
  ...["ko", "en", "yes", "no", "danger", "me", "other", "info", "person", "location", "skip", "menu"].map(choose),
  { type: "TEXT", text: "hello" },
  { type: "TEXT", text: "SOS" },
  { type: "LOCATION", latitude: 11.55, longitude: 104.92 },
  { type: "UNSUPPORTED", what: "sticker" },
];

describe("helpline flow", () => {
  it("opens with a neutral language question whatever the first message is", () => {
    for (const first of [start, { type: "TEXT", text: "hi" } as FlowEvent, { type: "UNSUPPORTED", what: "photo" } as FlowEvent]) {
      const { last } = run([first]);
      expect(last.snapshot.value).toBe("language");
      expect(last.messages.map((m) => m.text)).toEqual(["language.prompt"]);
    }
  });

  it("goes language -> safety check -> menu", () => {
    const { last, said } = run([start, choose("en"), choose("yes")]);
    expect(said.map((m) => m.map((x) => x.text))).toEqual([["language.prompt"], ["safety.prompt"], ["menu.prompt"]]);
    expect(last.snapshot.context).toMatchObject({ lang: "en" });
  });

  it("goes quiet when it is not safe, and comes back on the next message", () => {
    const { last, said } = run([start, choose("en"), choose("no")]);
    expect(said.at(-1)!.map((m) => m.text)).toEqual(["safety.later"]);
    expect(last.snapshot.value).toBe("quiet");
    const back = run([start, choose("en"), choose("no"), { type: "UNSUPPORTED", what: "sticker" }, { type: "TEXT", text: "ok now" }]);
    expect(back.said[3]).toEqual([]);
    expect(back.last.snapshot.value).toBe("safeCheck");
  });

  it("reaches the emergency card in two taps from the menu and by one word from anywhere", () => {
    const taps = run([start, choose("en"), choose("yes"), choose("danger")]);
    expect(taps.said.at(-1)![0]!.text).toBe("emergency.card");
    for (const prefix of [[start], [start, choose("en")], [start, choose("en"), choose("yes"), choose("info")], [start, choose("en"), choose("yes"), choose("person")]]) {
      const word = run([...prefix, { type: "TEXT", text: "살려주세요" }]);
      expect(word.last.snapshot.value).toBe("emergency");
    }
    expect(run([{ type: "TEXT", text: "SOS!" }]).last.snapshot.value).toBe("emergency");
  });

  it("asks again with the choices when free text does not match", () => {
    const { said, last } = run([start, choose("en"), { type: "TEXT", text: "what?" }]);
    expect(said.at(-1)!.map((m) => m.text)).toEqual(["common.pickOne", "safety.prompt"]);
    expect(said.at(-1)![1]!.choices?.map((c) => c.id)).toEqual(["yes", "no"]);
    expect(last.snapshot.value).toBe("safeCheck");
  });

  it("hands off with the reason and then stays quiet, except for emergency words and commands", () => {
    const { last, said } = run([start, choose("en"), choose("yes"), choose("danger"), choose("person")]);
    expect(last.effects).toEqual([{ type: "handoff", reason: "emergency" }]);
    expect(said.at(-1)!.map((m) => m.text)).toEqual(["handoff.created"]);
    expect(last.snapshot.hasTag("handoff")).toBe(true);
    const after = run([start, choose("en"), choose("yes"), choose("person"), { type: "TEXT", text: "I am on floor 5" }]);
    expect(after.said.at(-1)).toEqual([]);
    const menu = run([start, choose("en"), choose("yes"), choose("person"), { type: "COMMAND", command: "menu" }]);
    expect(menu.last.snapshot.value).toBe("menu");
  });

  it("records a shared location and hands off", () => {
    const { last } = run([start, choose("en"), choose("yes"), choose("danger"), choose("location"), { type: "LOCATION", latitude: 10.6, longitude: 103.5 }]);
    expect(last.snapshot.context).toMatchObject({ location: { latitude: 10.6, longitude: 103.5 }, handoffReason: "emergency" });
    expect(last.effects).toEqual([{ type: "handoff", reason: "emergency" }]);
  });

  it("reaches every state", () => {
    const paths = getShortestPaths(helplineMachine, { events: ALL_EVENTS, serializeState: (s) => JSON.stringify(s.value) });
    const reached = new Set(paths.map((p) => JSON.stringify(p.state.value)));
    // handoff is transient (always -> withStaff): it is passed through, never rested in.
    const states = Object.keys(helplineMachine.config.states ?? {}).filter((s) => s !== "handoff");
    for (const state of states) expect(reached, state).toContain(JSON.stringify(state));
  });

  it("recognises emergency words in every listed form, and not ordinary text", () => {
    for (const word of EMERGENCY_WORDS) expect(isEmergencyWord(` ${word.toUpperCase()}! `)).toBe(true);
    expect(isEmergencyWord("help me find my passport photo")).toBe(false);
    expect(isEmergencyWord("hello")).toBe(false);
  });
});

describe("content rules", () => {
  const messagesByState = (() => {
    const all: OutMessage[] = [];
    const paths = getShortestPaths(helplineMachine, { events: ALL_EVENTS, serializeState: (s) => JSON.stringify(s.value) });
    for (const path of paths) {
      const { said } = run(path.steps.map((s) => s.event as FlowEvent));
      all.push(...said.flat());
    }
    return all;
  })();

  it("only ever shows contacts that are HIGH or MED with a source", () => {
    const shown = new Set(messagesByState.flatMap((m) => m.contacts ?? []));
    expect(shown.size).toBeGreaterThan(0);
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
      for (const message of messagesByState) {
        expect(i18n.exists(message.text, { lng, fallbackLng: false }), `${lng}:${message.text}`).toBe(true);
        for (const c of message.choices ?? []) {
          expect(i18n.exists(c.label, { lng, fallbackLng: false }), `${lng}:${c.label}`).toBe(true);
          expect(Buffer.byteLength(c.id)).toBeLessThanOrEqual(64);
          expect([...t(c.label)].length, `${lng}:${c.label} fits a LINE button`).toBeLessThanOrEqual(LINE_LABEL_MAX);
        }
        const rendered = render(message, t);
        for (const send of toTelegramSends(rendered.text, rendered.payload)) {
          expect(send.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
        }
        for (const line of toLineMessages(rendered.text, rendered.payload)) {
          expect(line.text.length).toBeLessThanOrEqual(LINE_TEXT_LIMIT);
        }
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
