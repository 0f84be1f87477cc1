// Typed answers where buttons were offered: "2", "2.", or the button's label itself.
const normalize = (s: string) => s.normalize("NFKC").trim().toLowerCase().replace(/[.)\s]+$/u, "");

export function matchChoice(text: string, choices: { id: string; label: string }[] | undefined): string | undefined {
  if (!choices?.length) return undefined;
  const typed = normalize(text);
  if (/^\d{1,2}$/.test(typed)) return choices[Number(typed) - 1]?.id;
  return choices.find((c) => normalize(c.label) === typed)?.id;
}
