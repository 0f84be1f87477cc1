// i18next instance for user-facing text. Locales live in locales/<lng>.json.
import { readFileSync } from "node:fs";
import { createInstance, type TFunction } from "i18next";
import { LANGUAGES } from "../flows/data/languages.ts";

export const LOCALES = LANGUAGES;
export const FALLBACK_LANGUAGE = "en";

function loadResources() {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const lng of LOCALES) {
    const file = new URL(`../locales/${lng}.json`, import.meta.url);
    resources[lng] = { translation: JSON.parse(readFileSync(file, "utf8")) };
  }
  return resources;
}

export async function createI18n() {
  const i18n = createInstance();
  await i18n.init({
    resources: loadResources(),
    fallbackLng: FALLBACK_LANGUAGE,
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return i18n;
}

export type Translate = TFunction;

/** Maps a platform language code (e.g. "ko-KR", "en_US") to a supported locale, if any. */
export function supportedLanguage(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const base = code.toLowerCase().split(/[-_]/)[0] ?? "";
  return (LOCALES as readonly string[]).includes(base) ? base : undefined;
}
