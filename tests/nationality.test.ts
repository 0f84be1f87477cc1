// The person's nationality decides which lines they are given: every nationality × every
// language × every screen that shows contacts, rendered as the person would read it.
import { beforeAll, describe, expect, it } from "vitest";
import { CONTACTS, type ContactId } from "../flows/data/contacts.ts";
import { LANGUAGES, type Language } from "../flows/data/languages.ts";
import { NATIONALITIES, NATIONALITY_PROFILES, type Nationality } from "../flows/data/nationalities.ts";
import { JOB_FLAGS } from "../flows/data/job-offer.ts";
import type { OutMessage, PersonEvent } from "../flows/types.ts";
import { render } from "../src/engine/render.ts";
import { toLineMessages } from "../src/channels/line/outbound.ts";
import { toTelegramSends } from "../src/channels/telegram/outbound.ts";
import { createI18n } from "../src/i18n.ts";
import { ALL_EVENTS, pathEvents, runFlow, shortestPathsAfter } from "./helpers/flow-model.ts";

const start: PersonEvent = { type: "COMMAND", command: "start" };
const menu: PersonEvent = { type: "COMMAND", command: "menu" };
const choose = (id: string): PersonEvent => ({ type: "CHOICE", id });
const sos: PersonEvent = { type: "TEXT", text: "SOS" };
const skips = (n: number) => Array<PersonEvent>(n).fill(choose("skip"));

/** Korea's lines, which must never reach a person of another nationality. */
const KOREAN_ONLY = [/\+82-2-3210-0404/, /(?<![\d-])112(?![\d-])/, /(?<![\d-])1394(?![\d-])/, /(?<![\d-])182(?![\d-])/, /KOTRA/];
const valueOf = (id: ContactId) => CONTACTS[id].value;
const ownValues = (n: Nationality) => NATIONALITY_PROFILES[n].ownLines.map(valueOf);
const othersValues = (n: Nationality) =>
  NATIONALITIES.filter((m) => m !== n).flatMap((m) => [...NATIONALITY_PROFILES[m].ownLines, ...NATIONALITY_PROFILES[m].familyLines])
    .filter((id) => !NATIONALITY_PROFILES[n].ownLines.includes(id) && !NATIONALITY_PROFILES[n].familyLines.includes(id) && !id.startsWith("kh"))
    .map(valueOf);

/** The screens with contacts, for a person of nationality `n` speaking `lng` (nationality chosen at the emergency card). */
function screens(lng: Language, n: Nationality) {
  const chosen = [start, choose(lng), choose("yes"), sos, choose(n)];
  const last = (events: PersonEvent[]) => runFlow(events).last.messages;
  const selfReport = [...chosen, menu, choose("me"), choose("no"), choose("no"), choose("yes"), ...skips(3), choose(n), choose("skip"), choose("done"), choose("no")];
  return {
    card: last(chosen),
    handoff: last([...chosen, choose("person")]),
    police: last([...selfReport, choose("police")]),
    family: last([...chosen, menu, choose("other"), choose("child"), choose("skip"), choose(n), ...skips(5)]),
    job: last([...chosen, menu, choose("job"), ...JOB_FLAGS.map(() => choose("yes"))]),
  };
}

describe("contacts by nationality", () => {
  let texts: (messages: OutMessage[], lng: Language) => string;
  beforeAll(async () => {
    const i18n = await createI18n();
    texts = (messages, lng) => messages.map((m) => render({ ...m, params: { ...m.params, reportCode: "ABCD-2345" } }, i18n.getFixedT(lng)).text).join("\n");
  });

  describe.each(LANGUAGES)("in %s", (lng) => {
    it.each(NATIONALITIES)("gives a person of nationality %s their own lines and no other government's", async (n) => {
      const i18n = await createI18n();
      const t = i18n.getFixedT(lng);
      const shown = screens(lng, n);
      const profile = NATIONALITY_PROFILES[n];
      for (const [screen, messages] of Object.entries(shown)) {
        const text = texts(messages, lng);
        const where = `${lng}/${n}/${screen}`;
        for (const other of othersValues(n)) expect(text, `${where} shows ${other}`).not.toContain(other);
        if (n !== "kr") for (const korean of KOREAN_ONLY) expect(text, `${where} matches ${korean}`).not.toMatch(korean);
        if (screen === "job") continue;
        if (screen === "family") {
          for (const value of profile.familyLines.map(valueOf)) expect(text, where).toContain(value);
          continue;
        }
        // Their own government's lines first, then Cambodian police; or plainly that none is known.
        const values = [...ownValues(n), valueOf("khPolice117"), valueOf("khPoliceTelegram")];
        const positions = values.map((v) => text.indexOf(`: ${v}`));
        for (const [i, p] of positions.entries()) expect(p, `${where} lacks ${values[i]}`).toBeGreaterThanOrEqual(0);
        expect(positions, where).toEqual([...positions].sort((a, b) => a - b));
        if (profile.note) expect(text, where).toContain(t(profile.note));
        // No checked dates on cards people need fast.
        for (const { checked } of Object.values(CONTACTS)) if (checked) expect(text, where).not.toContain(t("contacts.checked", { date: checked }));
      }
      expect(shown.job.map((m) => m.text)).toContain(n === "kr" ? "job.next.kr" : n === "kh" ? "job.next.kh" : "job.next.foreign");
      expect(shown.police[0]!.bullets?.includes("police.summary"), "an English summary only for foreigners").toBe(n !== "kh");
      expect(shown.police.map((m) => m.text)).toContain(`police.honest.${profile.variant}`);
    });
  });

  it("asks the nationality in one tap after the card when it is not known, and guesses it from the language", () => {
    const en = runFlow([start, choose("en"), choose("yes"), sos]).last.messages;
    expect(en.map((m) => m.text)).toEqual(["emergency.card", "emergency.askNationality"]);
    expect(en[0]!.contacts).toEqual(["khPolice117", "khPoliceTelegram"]);
    expect(en[1]!.choices!.map((c) => c.id)).toEqual([...NATIONALITIES]);
    // Vietnamese suggests Vietnam: its lines at once, and the question to confirm it.
    const vi = runFlow([start, choose("vi"), choose("yes"), sos]).last.messages;
    expect(vi[0]!.contacts).toEqual(["vnCitizenProtection", "vnCitizenProtection2", "khPolice117", "khPoliceTelegram"]);
    expect(vi[1]!.text).toBe("emergency.askNationality");
    // An English-speaking Filipino taps Philippines: their embassy line; the card's buttons still work after it.
    const ph = runFlow([start, choose("en"), choose("yes"), sos, choose("ph")]);
    expect(ph.last.messages[0]!.contacts).toEqual(["phEmbassyHotline", "khPolice117", "khPoliceTelegram"]);
    expect(ph.last.messages[0]!.choices!.map((c) => c.id)).toEqual(["person", "location", "menu"]);
    expect(ph.state).toBe("emergency");
    expect(runFlow([start, choose("en"), choose("yes"), sos, choose("ph"), choose("person")]).state).toBe("withStaff");
    // Once chosen, the card no longer asks.
    const again = runFlow([start, choose("en"), choose("yes"), sos, choose("ph"), menu, sos]).last.messages;
    expect(again.map((m) => m.text)).toEqual(["emergency.card"]);
    // A Korean speaker who is Chinese gets China's lines, never Korea's.
    const cn = runFlow([start, choose("ko"), choose("yes"), sos, choose("cn"), menu, sos]).last.messages;
    expect(cn[0]!.contacts).toEqual(["cnMfaHotline", "cnEmbassyConsular", "khPolice117", "khPoliceTelegram"]);
  });

  it("in the family flow, the missing person's nationality decides where to report", () => {
    const family = (n: string) => [start, choose("ko"), choose("yes"), choose("other"), choose("child"), choose("skip"), choose(n), ...skips(5)];
    const vn = runFlow(family("vn")).last.messages.find((m) => m.text.startsWith("family.where"))!;
    expect(vn.text).toBe("family.where.foreign");
    expect(vn.contacts).toEqual(["vnCitizenProtection", "vnCitizenProtection2", "khPolice117"]);
    const kr = runFlow(family("kr")).last.messages.find((m) => m.text.startsWith("family.where"))!;
    expect(kr.contacts).toEqual(["krPolice112", "krPolice182", "krConsularCallCenter", "krScamReport1394", "khPolice117"]);
  });

  it("never renders Korea's lines on any path once a non-Korean nationality is chosen", async () => {
    const i18n = await createI18n();
    const events = ALL_EVENTS.filter((e) => !(e.type === "CHOICE" && e.id === "kr"));
    for (const n of NATIONALITIES.filter((x) => x !== "kr")) {
      for (const lng of ["ko", "en"] as const) {
        const prefix = [start, choose(lng), choose("yes"), sos, choose(n)];
        for (const path of shortestPathsAfter(prefix, events)) {
          const { said } = runFlow([...prefix, ...pathEvents(path)]);
          const text = said.slice(prefix.length).flat().map((m) => render({ ...m, params: { ...m.params, reportCode: "ABCD-2345" } }, i18n.getFixedT(lng)).text).join("\n");
          for (const korean of KOREAN_ONLY) expect(text, `${lng}/${n} → ${path.state.value as string}`).not.toMatch(korean);
        }
      }
    }
  });
});

describe("the nationality list on a phone", () => {
  it("goes two buttons to a row on Telegram, and numbered beyond LINE's 13 quick replies", async () => {
    const t = (await createI18n()).getFixedT("en");
    const ask = runFlow([start, choose("en"), choose("yes"), sos]).last.messages[1]!;
    const rendered = render(ask, t);
    const [send] = toTelegramSends(rendered.text, rendered.payload);
    const rows = (send!.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard;
    expect(rows.map((r) => r.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 1]);
    expect(rows[0]!.map((b) => b.text)).toEqual(["Korea", "China"]);
    const [line] = toLineMessages(rendered.text, rendered.payload);
    expect(line!.quickReply!.items).toHaveLength(13);
    expect(line!.text).toContain("15. Other");
  });
});
