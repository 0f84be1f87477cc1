// Contacts the flows may show, copied from shared/CONTENT.md (re-checked 2026-12-02) with
// source and checked date. To re-verify before going live, change one entry. LOW entries
// are for staff only and UNCONFIRMED ones are never listed here at all.

export type Confidence = "HIGH" | "MED" | "LOW";

export interface ContactFact {
  /** i18n key of the label shown before the number: it says how to use it (call, message on Telegram, from Korea…). */
  label: string;
  value: string;
  source: string;
  /** When the source was dated; empty when the source is undated (then no date is shown). */
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
  khScamHotline: {
    label: "contacts.khScamHotline",
    value: "hotline.police.gov.kh",
    source: "phnompenhpost (online-scam hotline)",
    checked: "",
    confidence: "MED",
  },
  krPolice112: {
    label: "contacts.krPolice112",
    value: "112",
    source: "https://www.donga.com (20121029)",
    checked: "2024",
    confidence: "HIGH",
  },
  krPolice182: {
    label: "contacts.krPolice182",
    value: "182",
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
  krScamReport1394: {
    label: "contacts.krScamReport1394",
    value: "1394",
    source: "https://news.sbs.co.kr (N1008426539)",
    checked: "2026-02",
    confidence: "HIGH",
  },
  cnMfaHotline: {
    label: "contacts.cnMfaHotline",
    value: "+86-10-12308",
    source: "People's Public Security News via gaj.yaan.gov.cn; news.china.com.au 2014-09",
    checked: "2024",
    confidence: "HIGH",
  },
  cnEmbassyConsular: {
    label: "contacts.cnEmbassyConsular",
    value: "+855-23-210206",
    source: "CRNTT quoting the Chinese embassy's WeChat",
    checked: "2024-08-28",
    confidence: "MED",
  },
  vnCitizenProtection: {
    label: "contacts.vnCitizenProtection",
    value: "+84-981-84-84-84",
    source: "https://znews.vn (post1610475); https://vietnamnet.vn (2471619)",
    checked: "2025-12-11",
    confidence: "HIGH",
  },
  vnCitizenProtection2: {
    label: "contacts.vnCitizenProtection",
    value: "+84-965-411-118",
    source: "https://znews.vn (post1610475); https://vietnamnet.vn (2471619)",
    checked: "2025-12-11",
    confidence: "HIGH",
  },
  vnEmbassy: {
    // Two sources conflict (+855-23-726-274, vietnamplus 2022-09; +855-23-861-001, 2024-07): staff only.
    label: "contacts.vnEmbassy",
    value: "+855-23-726-274",
    source: "https://en.vietnamplus.vn/237536 (conflicts with +855-23-861-001)",
    checked: "2022-09",
    confidence: "LOW",
  },
  phEmbassyHotline: {
    label: "contacts.phEmbassyHotline",
    value: "+855-98-888-771",
    source: "https://plus.inquirer.net (Pinoys in Cambodia urged to exercise caution)",
    checked: "2025-07",
    confidence: "MED",
  },
  usEmbassy: {
    label: "contacts.usEmbassy",
    value: "+855-23-728-000",
    source: "https://kh.usembassy.gov (victims of crime)",
    checked: "",
    confidence: "HIGH",
  },
  jpEmbassy: {
    label: "contacts.jpEmbassy",
    value: "+855-23-217-161",
    source: "Embassy of Japan safety handbook (2019)",
    checked: "2019",
    confidence: "MED",
  },
  thMfaConsular: {
    label: "contacts.thMfaConsular",
    value: "+66-2-572-8442",
    source: "https://abudhabi.thaiembassy.org (consular protection)",
    checked: "2019-09-14",
    confidence: "MED",
  },
  thSocialHotline1300: {
    label: "contacts.thSocialHotline1300",
    value: "1300",
    source: "news.ch7.com 461167; VoiceTV 2013",
    checked: "",
    confidence: "MED",
  },
  inEmbassy: {
    label: "contacts.inEmbassy",
    value: "+855-92-881-676",
    source: "https://www.rfa.org (Indians rescued from online scam centers)",
    checked: "2024-10-03",
    confidence: "MED",
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

/** Korea's MOFA travel advisory for Cambodia, summarised from CONTENT.md §2 (HIGH). */
export const ADVISORY = {
  asOf: "2025-12-04",
  link: "https://www.0404.go.kr",
  sources: ["chosun.com 2025/12/04", "news.sbs.co.kr N1008356832", "0404.go.kr ATC0000000048131"],
} as const;
