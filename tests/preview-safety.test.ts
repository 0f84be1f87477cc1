// Discretion on a phone someone else may hold: every message of every path, rendered in
// every language as Telegram and LINE would receive it (the engine's additions included:
// staff hours, "delete it yourself", receipts, staff replies and closing), opens with words
// that reveal nothing (flows/data/revealing-words.ts), and the last message of every step,
// which the chat list keeps showing, has no phone number in its preview.
import { beforeAll, describe, expect, it } from "vitest";
import { LANGUAGES, type Language } from "../flows/data/languages.ts";
import { previewOf, revealingWordsIn } from "../flows/data/revealing-words.ts";
import { helplineFlow } from "../flows/registry.ts";
import type { PersonEvent } from "../flows/types.ts";
import { Decider } from "../src/engine/decider.ts";
import { parseStaffHours } from "../src/engine/staff-hours.ts";
import { createI18n } from "../src/i18n.ts";
import type { Channel, StepOutput, StoredConversation } from "../src/store/store.ts";
import { pathEvents, shortestPathsAfter, stateId } from "./helpers/flow-model.ts";

const CHOOSE_KO: PersonEvent[] = [{ type: "COMMAND", command: "start" }, { type: "CHOICE", id: "ko" }];
const inLanguage = (events: PersonEvent[], lng: Language): PersonEvent[] =>
  events.map((e) => (e.type === "CHOICE" && (e.id === "ko" || e.id === "en") ? { type: "CHOICE", id: lng } : e));
/** A phone number, a police short code, a year: three digits in a row, once reference codes (ABC4-567D) are left out. */
const hasNumber = (preview: string) => /\d{3}/.test(preview.replace(/\b[A-Z0-9]{4}-[A-Z0-9]{4}\b/g, ""));
const silent = { warn: () => {} };

interface Sent {
  step: string;
  key: string;
  text: string;
  last: boolean;
}

/** Runs `events` through a decider as `channel` would, then a staff reply and a close; every message sent, marked last of its step or not. */
function conversation(decider: Decider, channel: Channel, events: PersonEvent[], target: string): Sent[] {
  let stored: StoredConversation | null = null;
  const sent: Sent[] = [];
  const keep = (step: string, out: StepOutput["outbound"], o: Pick<StepOutput, "machineId" | "machineVersion" | "snapshot" | "status">) => {
    out.forEach((m, i) => sent.push({ step, key: (m.payload as { key: string }).key, text: m.text, last: i === out.length - 1 }));
    stored = { id: "c", machineId: o.machineId, machineVersion: o.machineVersion, snapshot: o.snapshot, status: o.status, language: stored?.language ?? null };
  };
  for (const [i, event] of events.entries()) {
    const out = decider.decide({ channel, eventId: `e${i}`, platformUserId: "p", chatId: "c", event }, { contactLanguage: null, conversation: stored });
    keep(`${target} step ${i} ${event.type}`, out.outbound, out);
  }
  for (const close of [false, true]) {
    const out = decider.decideStaff({ contactLanguage: null, conversation: stored }, "staff-1", { text: "Hello, I read your messages." }, close);
    keep(`${target} staff ${close ? "close" : "reply"}`, out.outbound, out);
  }
  return sent;
}

describe("message previews reveal nothing", () => {
  let deciders: [string, Decider][];
  beforeAll(async () => {
    const i18n = await createI18n();
    const deleting = new Set<Channel>(["telegram"]);
    deciders = [
      ["no staff hours", new Decider(helplineFlow, i18n, silent, { deletingChannels: deleting })],
      // Always closed: the "not working now" note with the lines comes after every hand-off.
      ["staff hours, closed", new Decider(helplineFlow, i18n, silent, { deletingChannels: deleting, staffHours: parseStaffHours("Sun-Sun 00:00-00:01 Pacific/Kiritimati")!, clock: Float64Array.of(Date.parse("2026-12-02T12:00:00Z")) })],
      ["staff hours, open", new Decider(helplineFlow, i18n, silent, { deletingChannels: deleting, staffHours: parseStaffHours("Sun-Sat 00:00-24:00 Asia/Phnom_Penh")! })],
    ];
  });
  const paths = shortestPathsAfter(CHOOSE_KO).filter((p) => pathEvents(p).length > 0);

  it.each(LANGUAGES.map((l) => [l]))("in %s, on Telegram and LINE", (lng) => {
    expect(paths.length).toBeGreaterThan(30);
    const problems = new Set<string>();
    let checked = 0;
    for (const [setting, decider] of deciders) {
      for (const channel of ["telegram", "line"] as const) {
        for (const path of paths) {
          const events = inLanguage([...CHOOSE_KO, ...pathEvents(path)], lng);
          for (const m of conversation(decider, channel, events, stateId(path.state.value))) {
            checked++;
            const words = revealingWordsIn(m.text, lng);
            if (words.length) problems.add(`${m.key}: "${previewOf(m.text)}" has ${words.join(", ")}`);
            if (m.last && hasNumber(previewOf(m.text))) problems.add(`${m.key} is last in ${channel}/${setting} (${m.step}) with a number: "${previewOf(m.text)}"`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect([...problems].sort()).toEqual([]);
  });
});
