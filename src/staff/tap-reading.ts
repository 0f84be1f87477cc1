// What a person's tap meant, for the transcript: the question the bot had asked (the latest of
// its messages offering that choice) and the label chosen, in the console's language and as the
// person saw them. Outbound messages keep their text key and the labels as sent; a label's key is
// found back in the person's language, so no flow or engine data is needed beyond what is stored.
import type { i18n as I18n, TFunction } from "i18next";
import type { StaffTranscriptRow } from "../store/staff-types.ts";

export interface TapReading {
  question: string;
  answer: string;
  /** As the person saw them, in their language. */
  asked: { question: string; answer: string; language: string | null };
}

interface Offer {
  key: string;
  text: string;
  choices: { id: string; label: string }[];
}

/** Flat "a.b.c" → text map of one language's bot texts, reversed: text → first key. */
const reversed = new WeakMap<I18n, Map<string, Map<string, string>>>();
function keyOfText(i18n: I18n, language: string, text: string): string | undefined {
  let byLanguage = reversed.get(i18n);
  if (!byLanguage) reversed.set(i18n, (byLanguage = new Map()));
  let index = byLanguage.get(language);
  if (!index) {
    index = new Map();
    const walk = (node: unknown, path: string) => {
      if (typeof node === "string") {
        if (!index!.has(node)) index!.set(node, path);
      } else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    };
    walk(i18n.getResourceBundle(language, "translation"), "");
    byLanguage.set(language, index);
  }
  return index.get(text);
}

/** The question itself: a message's first line, without placeholders a parameter would have filled. */
const firstLine = (text: string) => text.split("\n")[0]!.replace(/{{[^}]*}}/g, "…").trim();

function offerOf(row: StaffTranscriptRow): Offer | undefined {
  if (row.direction !== "out" || row.staffEmail !== null) return undefined;
  const p = row.payload as { key?: unknown; choices?: unknown } | null;
  if (typeof p?.key !== "string" || !Array.isArray(p.choices)) return undefined;
  return { key: p.key, text: row.text ?? "", choices: p.choices as Offer["choices"] };
}

/** The reading of each tap (by message id) in `rows`, oldest first. */
export function readTaps(rows: StaffTranscriptRow[], personLanguage: string | null, i18n: I18n, t: TFunction): Map<number, TapReading> {
  const readings = new Map<number, TapReading>();
  const offers: Offer[] = [];
  for (const row of rows) {
    const offer = offerOf(row);
    if (offer) offers.push(offer);
    if (row.direction !== "in" || row.kind !== "choice") continue;
    const id = (row.payload as { choice?: unknown } | null)?.choice;
    if (typeof id !== "string") continue;
    const asked = offers.findLast((o) => o.choices.some((c) => c.id === id));
    const chosen = asked?.choices.find((c) => c.id === id);
    if (!asked || !chosen) continue;
    // The person's language first; a tap from before they changed language is found in another.
    const languages = [...new Set([...(personLanguage ? [personLanguage] : []), ...Object.keys(i18n.store.data)])];
    const labelKey = languages.map((l) => keyOfText(i18n, l, chosen.label)).find(Boolean);
    readings.set(row.id, {
      question: firstLine(t(asked.key)),
      answer: labelKey ? t(labelKey) : chosen.label,
      asked: { question: firstLine(asked.text), answer: chosen.label, language: personLanguage },
    });
  }
  return readings;
}
