// Phrases that bring up the emergency card from any state, in every supported language
// (any language is recognised whatever the conversation's language). A frightened person
// types fast: case, full/half width, Latin diacritics (Vietnamese typed without accents),
// punctuation, emoji, spacing and repeated letters are ignored, and a phrase counts
// anywhere in a short message. A false alarm only shows the card; a miss leaves someone
// alone. Latin-script phrases must stand as whole words ("help" is not in "helpful");
// phrases in scripts written without spaces (Chinese, Japanese, Thai, Khmer) and Korean
// (spaced freely) match inside the text.
export const EMERGENCY_PHRASES: Readonly<Record<string, readonly string[]>> = {
  en: ["sos", "help", "help me", "please help", "i need help", "need help", "emergency", "save me", "rescue me", "call the police", "call police", "in danger", "mayday"],
  ko: ["살려주세요", "살려줘", "살려줘요", "도와주세요", "도와줘", "도와줘요", "도움이 필요해요", "구해주세요", "구해줘", "긴급", "위급", "위험해요", "경찰 불러", "신고해 주세요"],
  zh: ["救命", "救救我", "救我", "求救", "求助", "帮帮我", "幫幫我", "帮我", "幫我", "紧急", "緊急", "危险", "危險", "报警", "報警"],
  vi: ["cứu", "cứu tôi", "cứu em", "cứu con", "cứu với", "giúp tôi", "giúp em", "giúp với", "giúp con", "khẩn cấp", "nguy hiểm", "báo công an", "gọi công an", "báo cảnh sát"],
  th: ["ช่วยด้วย", "ช่วยฉันด้วย", "ช่วยผมด้วย", "ช่วยหนูด้วย", "ช่วยที", "ช่วยชีวิต", "ขอความช่วยเหลือ", "ฉุกเฉิน", "อันตราย", "แจ้งตำรวจ", "เรียกตำรวจ"],
  id: ["tolong", "tolong saya", "tolong aku", "tolong kami", "minta tolong", "bantu saya", "bantu aku", "darurat", "bahaya", "selamatkan saya", "selamatkan aku", "panggil polisi", "lapor polisi"],
  km: ["ជួយផង", "ជួយខ្ញុំផង", "ជួយខ្ញុំ", "ជួយសង្គ្រោះ", "សង្គ្រោះ", "អាសន្ន", "ហៅប៉ូលិស", "ជួយផងបង"],
  ja: ["助けて", "たすけて", "タスケテ", "助けてください", "助けて下さい", "助けてくれ", "救助", "緊急", "危ない", "危険", "警察を呼んで", "警察呼んで", "ヘルプ"],
};

/** Longer messages are someone's story: there a phrase counts only near its start or end. */
const SHORT_MESSAGE = 120;
const EDGE = 40;

/** The form both phrases and messages are compared in. */
export function normalizeForMatching(text: string): string {
  return text
    .replace(/\u{1F198}/gu, " sos ") // 🆘
    .normalize("NFKC")
    .toLowerCase()
    .replace(/đ/g, "d")
    .normalize("NFD")
    .replace(/(\p{Script=Latin})\p{M}+/gu, "$1")
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, " ")
    .replace(/(.)\1{2,}/gu, "$1") // "helppp", "ช่วยด้วยยย"
    .trim();
}

const LATIN = /^[\p{Script=Latin}\p{N} ]+$/u;
const PHRASES = Object.values(EMERGENCY_PHRASES)
  .flat()
  .map(normalizeForMatching)
  .map((p): { word: string } | { inside: string } => (LATIN.test(p) ? { word: ` ${p} ` } : { inside: p.replace(/ /g, "") }));

function contains(normalized: string): boolean {
  // "h e l p": letters typed apart read as one word.
  const spaced = ` ${/^(\p{L} )+\p{L}$/u.test(normalized) ? normalized.replace(/ /g, "") : normalized} `;
  const compact = normalized.replace(/ /g, "");
  return PHRASES.some((p) => ("word" in p ? spaced.includes(p.word) : compact.includes(p.inside)));
}

/** Whether a typed message asks for emergency help. */
export function isEmergencyMessage(text: string): boolean {
  const normalized = normalizeForMatching(text);
  if (!normalized) return false;
  if (normalized.length <= SHORT_MESSAGE) return contains(normalized);
  return contains(normalized.slice(0, EDGE).replace(/\s\S*$/u, "")) || contains(normalized.slice(-EDGE).replace(/^\S*\s/u, ""));
}
