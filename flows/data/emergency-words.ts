// Words that jump to the emergency card from any state, in every supported language.
// Matched after trimming, lower-casing and removing trailing punctuation.
export const EMERGENCY_WORDS: readonly string[] = [
  "sos",
  "help",
  "help me",
  "emergency",
  "살려주세요",
  "살려줘",
  "도와주세요",
  "도와줘",
  "긴급",
  "구해주세요",
  "救命",
  "救救我",
  "救我",
  "求救",
  "cứu",
  "cứu tôi",
  "cứu với",
  "giúp tôi",
  "ช่วยด้วย",
  "ช่วยด้วยครับ",
  "ช่วยด้วยค่ะ",
  "tolong",
  "tolong saya",
  "ជួយផង",
  "ជួយខ្ញុំផង",
  "助けて",
  "たすけて",
  "助けてください",
];

export function isEmergencyWord(text: string): boolean {
  const normalized = text.trim().toLowerCase().replace(/[!！?？.。\s]+$/u, "");
  return EMERGENCY_WORDS.includes(normalized);
}
