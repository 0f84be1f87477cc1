// Contacts the flows may show, copied from shared/CONTENT.md with source and checked date.
// To re-verify before going live, change one entry. LOW entries are for staff only and
// UNCONFIRMED ones are never listed here at all.

export type Confidence = "HIGH" | "MED" | "LOW";

export interface ContactFact {
  /** i18n key of the label shown before the number. */
  label: string;
  value: string;
  source: string;
  checked: string;
  confidence: Confidence;
}

export const CONTACTS = {
  krConsularCallCenter: {
    label: "contacts.krConsularCallCenter",
    value: "+82-2-3210-0404",
    source: "https://m.go.seoul.co.kr/news/publicnews/2025/10/15/20251015500230",
    checked: "2025-10",
    confidence: "HIGH",
  },
  khPolice117: {
    label: "contacts.khPolice117",
    value: "117",
    source: "https://en.vietnamplus.vn/236589",
    checked: "2022-08",
    confidence: "HIGH",
  },
  khPoliceTelegram: {
    label: "contacts.khPoliceTelegram",
    value: "+855-979-117-117",
    source: "https://www.0404.go.kr (ATC0000000009508)",
    checked: "2024-07",
    confidence: "MED",
  },
  krPolice112: {
    label: "contacts.krPolice112",
    value: "112",
    source: "https://www.donga.com (20121029)",
    checked: "2024",
    confidence: "HIGH",
  },
  krEmbassyPhnomPenh: {
    label: "contacts.krEmbassyPhnomPenh",
    value: "+855-23-211-900",
    source: "third-party listings; verify on overseas.mofa.go.kr/kh-ko",
    checked: "2026-11-25",
    confidence: "LOW",
  },
  mofaSafeTravel: {
    label: "contacts.mofaSafeTravel",
    value: "https://www.0404.go.kr",
    source: "https://www.0404.go.kr",
    checked: "2025-12-04",
    confidence: "HIGH",
  },
} as const satisfies Record<string, ContactFact>;

export type ContactId = keyof typeof CONTACTS;

export function isContactId(id: string): id is ContactId {
  return Object.hasOwn(CONTACTS, id);
}

/** Only HIGH and MED facts with a source may reach a person; LOW is for staff. */
export function isUserVisible(fact: ContactFact): boolean {
  return (fact.confidence === "HIGH" || fact.confidence === "MED") && fact.source.length > 0;
}
