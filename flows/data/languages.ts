// The languages SafeLine speaks, in the order the language question offers them.
// Each has locales/<code>.json; `ko` is the source text.
export const LANGUAGES = ["ko", "en", "zh", "vi", "th", "id", "km", "ja"] as const;
export type Language = (typeof LANGUAGES)[number];
