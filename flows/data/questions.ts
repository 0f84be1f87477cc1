// Every question the helpline asks, with its choices: the one table the machine is built
// from, the staff console reads a report's answers with, and the tests take choice ids from.
// Keys are the answer keys stored in reports ("triage.danger", "family.name", …).
import type { Choice } from "../types.ts";
import { JOB_FLAGS } from "./job-offer.ts";
import { NATIONALITIES } from "./nationalities.ts";

export interface QuestionData {
  /** i18n key of the question as the bot asks it. */
  prompt: string;
  /** The buttons offered; empty for a typed answer (which still offers Skip). */
  choices: readonly Choice[];
}

export const SKIP: Choice = { id: "skip", label: "common.skip" };
const yes: Choice = { id: "yes", label: "common.yes" };
const no: Choice = { id: "no", label: "common.no" };
const unsure: Choice = { id: "unsure", label: "common.unsure" };
export const YES_NO_SKIP: readonly Choice[] = [yes, no, SKIP];

/** Choices whose label keys follow their ids (spelled out at each call, so the locale check sees the keys used). */
const options = (ids: readonly string[], label: (id: string) => string): Choice[] => ids.map((id) => ({ id, label: label(id) }));

export const NATIONALITY_CHOICES: readonly Choice[] = options(NATIONALITIES, (id) => `nationality.${id}`);

const typed = (prompt: string): QuestionData => ({ prompt, choices: [] });

export const QUESTIONS = {
  "triage.danger": { prompt: "triage.danger", choices: YES_NO_SKIP },
  "triage.injured": { prompt: "triage.injured", choices: YES_NO_SKIP },
  "triage.leave": { prompt: "triage.leave", choices: YES_NO_SKIP },
  "triage.documents": {
    prompt: "triage.documents",
    choices: [
      { id: "passport", label: "triage.docPassport" },
      { id: "phone", label: "triage.docPhone" },
      { id: "both", label: "triage.docBoth" },
      no,
      SKIP,
    ],
  },
  "triage.watched": { prompt: "triage.watched", choices: [yes, no, unsure, SKIP] },
  "triage.whereHow": { prompt: "triage.where", choices: [{ id: "share", label: "triage.whereShare" }, { id: "type", label: "triage.whereType" }, SKIP] },
  "triage.place": typed("triage.whereTypePrompt"),
  "triage.nationality": { prompt: "triage.nationality", choices: [...NATIONALITY_CHOICES, SKIP] },
  "triage.others": { prompt: "triage.others", choices: YES_NO_SKIP },
  "report.description": typed("report.describe"),
  "report.consent": { prompt: "report.consent", choices: [{ id: "yes", label: "report.consentYes" }, { id: "no", label: "report.consentNo" }] },
  "family.relationship": { prompt: "family.relationship", choices: [...options(["child", "partner", "sibling", "parent", "friend", "other"], (id) => `family.rel.${id}`), SKIP] },
  "family.name": typed("family.name"),
  "family.nationality": { prompt: "family.nationality", choices: [...NATIONALITY_CHOICES, SKIP] },
  "family.age": { prompt: "family.age", choices: [...options(["under18", "18to29", "30to49", "50plus"], (id) => `family.ageRange.${id}`), SKIP] },
  "family.lastContact": { prompt: "family.lastContact", choices: [...options(["today", "week", "month", "longer"], (id) => `family.when.${id}`), SKIP] },
  "family.lastPlace": typed("family.lastPlace"),
  "family.recruited": { prompt: "family.recruited", choices: [...options(["ad", "chat", "acquaintance", "unknown"], (id) => `family.how.${id}`), SKIP] },
  "family.ransom": { prompt: "family.ransom", choices: YES_NO_SKIP },
  ...Object.fromEntries(JOB_FLAGS.map((flag) => [`job.${flag}`, { prompt: `job.q.${flag}`, choices: [yes, no, unsure] }])),
} satisfies Record<string, QuestionData>;

export type QuestionKey = keyof typeof QUESTIONS;

/** The question behind an answer key, if the flow asks one (reports also hold e.g. "report.photos"). */
export function questionFor(key: string): QuestionData | undefined {
  return (QUESTIONS as Record<string, QuestionData>)[key];
}
