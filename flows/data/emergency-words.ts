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
  "救命",
  "救救我",
  "cứu",
  "cứu tôi",
  "ช่วยด้วย",
  "tolong",
  "ជួយផង",
  "助けて",
];

export function isEmergencyWord(text: string): boolean {
  const normalized = text.trim().toLowerCase().replace(/[!！?？.。\s]+$/u, "");
  return EMERGENCY_WORDS.includes(normalized);
}
