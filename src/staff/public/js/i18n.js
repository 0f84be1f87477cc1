// @ts-check
// The console's words: every visible word comes from locales/console/<lang>.json
// (GET /staff/api/texts/:lang). The console's languages are those of the page's language buttons.
import { API } from "./api.js";

const STORED_LANGUAGE = "safeline.console.lang";

/** @type {Record<string, string>} */
let texts = {};
let language = "en";

/** The language the texts are in. */
export const consoleLanguage = () => language;

/** The languages the page offers (its language buttons). */
const consoleLanguages = () => [...document.querySelectorAll(".lang-btn")].map((button) => /** @type {HTMLElement} */ (button).dataset.lang);

/** @param {string | undefined} lang */
export const isConsoleLanguage = (lang) => lang !== undefined && consoleLanguages().includes(lang);

/**
 * The text for `key` with its {{name}} placeholders filled in; the key itself when unknown.
 * @param {string} key
 * @param {Record<string, unknown>} [params]
 */
export function t(key, params = {}) {
  const text = Object.hasOwn(texts, key) ? /** @type {string} */ (texts[key]) : key;
  return text.replace(/{{\s*(\w+)\s*}}/g, (_, name) => (Object.hasOwn(params, name) ? String(params[name]) : ""));
}

/**
 * A label for a value of an enumeration (status, risk, …); the raw value when unknown.
 * @param {string} prefix
 * @param {unknown} value
 */
export function label(prefix, value) {
  const key = `${prefix}.${value}`;
  return Object.hasOwn(texts, key) ? /** @type {string} */ (texts[key]) : String(value);
}

/** @param {string | null | undefined} code */
export const languageName = (code) => (code ? label("language", code) : t("language.unknown"));
/** @param {string | null | undefined} risk */
export const riskLabel = (risk) => label("risk", risk ?? "none");
/** The nationality chosen in the flow (in a family report, the missing person's); "not asked" when none. @param {string | null | undefined} code */
export const nationalityName = (code) => (code ? label("nationality", code) : t("nationality.unknown"));

/** The stored choice, else the browser's language. */
export function pickLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORED_LANGUAGE);
  } catch {
    /* storage may be blocked */
  }
  if (stored !== null && isConsoleLanguage(stored)) return stored;
  return (navigator.language || "").toLowerCase().startsWith("ko") ? "ko" : "en";
}

/** @param {string} lang */
export function rememberLanguage(lang) {
  try {
    localStorage.setItem(STORED_LANGUAGE, lang);
  } catch {
    /* ignore */
  }
}

/** @param {string} lang */
export async function loadTexts(lang) {
  const res = await fetch(`${API}/texts/${lang}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!res.ok) throw new Error(`texts ${res.status}`);
  texts = await res.json();
  language = lang;
  document.documentElement.lang = lang;
}

/** The texts of the page's own elements (data-t, data-t-aria-label) and the language buttons' state. */
export function applyStaticTexts() {
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(/** @type {HTMLElement} */ (el).dataset.t ?? "");
  for (const el of document.querySelectorAll("[data-t-aria-label]")) el.setAttribute("aria-label", t(/** @type {HTMLElement} */ (el).dataset.tAriaLabel ?? ""));
  for (const btn of document.querySelectorAll(".lang-btn")) btn.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (btn).dataset.lang === language));
}

/** The locale for dates and times. */
export const locale = () => (language === "ko" ? "ko-KR" : "en-GB");
