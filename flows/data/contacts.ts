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
  cnEmbassyConsular: {
    label: "contacts.cnEmbassyConsular",
    value: "+855-23-210206",
    source: "CRNTT quoting the Chinese embassy's WeChat; embassy list",
    checked: "2024-08",
    confidence: "MED",
  },
  cnMfaHotline: {
    label: "contacts.cnMfaHotline",
    value: "+86-10-12308",
    source: "CRNTT quoting the Chinese embassy's WeChat; embassy list",
    checked: "2024-08",
    confidence: "MED",
  },
  vnEmbassy: {
    label: "contacts.vnEmbassy",
    value: "+855-23-726-274",
    source: "https://en.vietnamplus.vn/237536",
    checked: "2022-09",
    confidence: "MED",
  },
  vnCitizenProtection: {
    label: "contacts.vnCitizenProtection",
    value: "+84-981-84-84-84",
    source: "https://en.vietnamplus.vn/237536",
    checked: "2022-09",
    confidence: "MED",
  },
  phEmbassyHotline: {
    label: "contacts.phEmbassyHotline",
    value: "+855-98-888-771",
    source: "https://plus.inquirer.net",
    checked: "2025-07",
    confidence: "MED",
  },
  usEmbassy: {
    label: "contacts.usEmbassy",
    value: "+855-23-728-000",
    source: "https://kh.usembassy.gov (victims of crime)",
    checked: "n/d",
    confidence: "HIGH",
  },
  jpEmbassy: {
    label: "contacts.jpEmbassy",
    value: "+855-23-217-161",
    source: "Embassy of Japan safety handbook (2019)",
    checked: "2019",
    confidence: "MED",
  },
  krScamReport1394: {
    label: "contacts.krScamReport1394",
    value: "1394",
    source: "https://news.sbs.co.kr (N1008426539)",
    checked: "2026-02",
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

/**
 * Who to call, by the person's nationality: their own government first, then Cambodian
 * police. Thailand and Indonesia have no confirmed numbers in our sources, so only the
 * Cambodian police line is listed and the text points to their foreign ministry.
 */
export const NATIONALITIES = ["kr", "cn", "vn", "id", "th", "ph", "jp", "us", "other"] as const;
export type Nationality = (typeof NATIONALITIES)[number];

export const CONTACTS_BY_NATIONALITY: Record<Nationality, ContactId[]> = {
  kr: ["krConsularCallCenter", "khPolice117", "khPoliceTelegram", "krScamReport1394"],
  cn: ["cnEmbassyConsular", "cnMfaHotline", "khPolice117", "khPoliceTelegram"],
  vn: ["vnEmbassy", "vnCitizenProtection", "khPolice117", "khPoliceTelegram"],
  id: ["khPolice117", "khPoliceTelegram"],
  th: ["khPolice117", "khPoliceTelegram"],
  ph: ["phEmbassyHotline", "khPolice117", "khPoliceTelegram"],
  jp: ["jpEmbassy", "khPolice117", "khPoliceTelegram"],
  us: ["usEmbassy", "khPolice117", "khPoliceTelegram"],
  other: ["khPolice117", "khPoliceTelegram"],
};

/** MOFA travel advisory for Cambodia, summarised from CONTENT.md §2 (HIGH). */
export const ADVISORY = {
  asOf: "2025-12-04",
  link: "https://www.0404.go.kr",
  sources: ["chosun.com 2025/12/04", "news.sbs.co.kr N1008356832", "0404.go.kr ATC0000000048131"],
} as const;
