// Who to contact depends on the person's nationality, not on their language (CONTENT.md §4,
// §4a). For a victim it is their own; in the family flow, the missing person's. Each entry
// says which lines of that person's own government may be shown (HIGH/MED only), where a
// family reports, and which variant of the texts that presume a country applies.
import type { ContactId } from "./contacts.ts";
import type { Language } from "./languages.ts";

/** In the order the nationality question offers them. */
export const NATIONALITIES = ["kr", "cn", "vn", "th", "id", "ph", "kh", "jp", "in", "my", "mm", "la", "ke", "us", "other"] as const;
export type Nationality = (typeof NATIONALITIES)[number];

export function isNationality(id: string | undefined): id is Nationality {
  return (NATIONALITIES as readonly string[]).includes(id ?? "");
}

/**
 * Which version of a country-specific text applies: Korean (Korea's services and law),
 * Cambodian (own police, no embassy, no English summary), or any other foreigner.
 */
export type TextVariant = "kr" | "kh" | "foreign";

export interface NationalityProfile {
  /** Their own government's lines for a person in danger, 24 h line first. Empty: none known. */
  ownLines: ContactId[];
  /** i18n key saying plainly what we know when `ownLines` is empty or incomplete. */
  note?: string;
  /** Where a family reports, besides what `family.where.<variant>` says. */
  familyLines: ContactId[];
  variant: TextVariant;
}

const CAMBODIAN_POLICE: ContactId[] = ["khPolice117", "khPoliceTelegram"];

export const NATIONALITY_PROFILES: Record<Nationality, NationalityProfile> = {
  kr: { ownLines: ["krConsularCallCenter"], familyLines: ["krPolice112", "krPolice182", "krConsularCallCenter", "krScamReport1394"], variant: "kr" },
  cn: { ownLines: ["cnMfaHotline", "cnEmbassyConsular"], familyLines: ["cnMfaHotline", "cnEmbassyConsular"], variant: "foreign" },
  vn: { ownLines: ["vnCitizenProtection", "vnCitizenProtection2"], familyLines: ["vnCitizenProtection", "vnCitizenProtection2"], variant: "foreign" },
  th: { ownLines: ["thMfaConsular"], note: "nationalityNote.th", familyLines: ["thSocialHotline1300", "thMfaConsular"], variant: "foreign" },
  id: { ownLines: [], note: "nationalityNote.id", familyLines: [], variant: "foreign" },
  ph: { ownLines: ["phEmbassyHotline"], familyLines: ["phEmbassyHotline"], variant: "foreign" },
  kh: { ownLines: [], familyLines: ["khPolice117", "khScamHotline"], variant: "kh" },
  jp: { ownLines: ["jpEmbassy"], familyLines: ["jpEmbassy"], variant: "foreign" },
  in: { ownLines: ["inEmbassy"], familyLines: ["inEmbassy"], variant: "foreign" },
  my: { ownLines: [], note: "nationalityNote.none", familyLines: [], variant: "foreign" },
  mm: { ownLines: [], note: "nationalityNote.none", familyLines: [], variant: "foreign" },
  la: { ownLines: [], note: "nationalityNote.none", familyLines: [], variant: "foreign" },
  ke: { ownLines: [], note: "nationalityNote.ke", familyLines: [], variant: "foreign" },
  us: { ownLines: ["usEmbassy"], familyLines: ["usEmbassy"], variant: "foreign" },
  other: { ownLines: [], note: "nationalityNote.none", familyLines: [], variant: "foreign" },
};

/**
 * A good first guess from the language (CONTENT.md §4a); English gives none. Only a guess:
 * the person confirms or changes it at the first nationality question.
 */
export const NATIONALITY_BY_LANGUAGE: Partial<Record<Language, Nationality>> = {
  ko: "kr",
  zh: "cn",
  vi: "vn",
  th: "th",
  id: "id",
  km: "kh",
  ja: "jp",
};

/** What a contact card needs for a nationality (or none known yet). */
export interface ContactCard {
  contacts: ContactId[];
  /** i18n keys of lines shown before the contacts (e.g. "we have no checked number for your embassy"). */
  notes: string[];
}

/**
 * The 24/7 lines for a person in Cambodia: their own government's first, then Cambodian
 * police. Unknown nationality: Cambodian police only (the flow then asks the nationality).
 */
export function emergencyCard(nationality: Nationality | undefined): ContactCard {
  if (!nationality) return { contacts: CAMBODIAN_POLICE, notes: [] };
  const profile = NATIONALITY_PROFILES[nationality];
  return { contacts: [...profile.ownLines, ...CAMBODIAN_POLICE], notes: profile.note ? [profile.note] : [] };
}

/** Where a family reports: their own authorities first, then Cambodian police (the victim's own report counts there). */
export function familyCard(nationality: Nationality | undefined): ContactCard {
  if (!nationality) return { contacts: ["khPolice117"], notes: [] };
  const profile = NATIONALITY_PROFILES[nationality];
  const lines = profile.familyLines.includes("khPolice117") ? profile.familyLines : [...profile.familyLines, "khPolice117" as const];
  return { contacts: lines, notes: profile.note && profile.familyLines.length === 0 ? [profile.note] : [] };
}

/** The contacts listed under "Contacts & info": own lines, what families use, Cambodian police; deduplicated. */
export function infoCard(nationality: Nationality): ContactCard {
  const profile = NATIONALITY_PROFILES[nationality];
  const contacts = [...new Set<ContactId>([...profile.ownLines, ...profile.familyLines, ...CAMBODIAN_POLICE])];
  return { contacts, notes: profile.note ? [profile.note] : [] };
}

export function textVariant(nationality: Nationality | undefined): TextVariant {
  return nationality ? NATIONALITY_PROFILES[nationality].variant : "foreign";
}

/** The nationality contacts are shown for: the one the person chose, else the guess from their language. */
export function nationalityOf(context: { nationality?: string; lang?: string }): Nationality | undefined {
  if (isNationality(context.nationality)) return context.nationality;
  return context.lang ? NATIONALITY_BY_LANGUAGE[context.lang as Language] : undefined;
}
