// @ts-check
// Times, waiting times, places and file sizes as the console writes them.
import { h, safeHttpUrl } from "./dom.js";
import { locale, t } from "./i18n.js";
/** @import { Place } from "./types.js" */

/** @param {string | null | undefined} iso */
export function formatTime(iso, withDate = true) {
  if (!iso) return t("common.none");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  /** @type {Intl.DateTimeFormatOptions} */
  const options = withDate ? { dateStyle: "medium", timeStyle: "short" } : { timeStyle: "short" };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** @param {string | null | undefined} iso */
export function timeEl(iso) {
  return h("time", { datetime: iso ?? undefined }, formatTime(iso));
}

/** @param {number} ms */
export function formatWait(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return t("wait.lessThanMinute");
  if (minutes < 60) return t("wait.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("wait.hours", { h: hours, m: minutes % 60 });
  return t("wait.days", { d: Math.floor(hours / 24), h: hours % 24 });
}

/** A waiting time that keeps counting on the client (see tickWaits). @param {number | null} waitingSeconds */
export function waitEl(waitingSeconds) {
  const since = Date.now() - Math.max(0, Number(waitingSeconds) || 0) * 1000;
  return h("span", { class: "waiting", dataset: { since } }, formatWait(Date.now() - since));
}

/** Moves every waiting time on the page on. */
export function tickWaits() {
  for (const el of document.querySelectorAll("[data-since]")) el.textContent = formatWait(Date.now() - Number(/** @type {HTMLElement} */ (el).dataset.since));
}

/** @param {{ latitude: number, longitude: number }} place */
export const coordinates = (place) =>
  t("location.coordinates", { latitude: Number(place.latitude).toFixed(5), longitude: Number(place.longitude).toFixed(5) });

/** @param {Place} place */
export function locationBlock(place) {
  const href = safeHttpUrl(place.mapUrl);
  return h(
    "p",
    { class: "location" },
    h("span", { class: "coords" }, coordinates(place)),
    " ",
    href
      ? h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "map-link" }, t("location.openMap"), h("span", { class: "visually-hidden" }, ` ${t("common.newTab")}`))
      : null,
  );
}

/** A size in KB or MB, for the evidence lines. @param {unknown} bytes */
export function fileSize(bytes) {
  if (typeof bytes !== "number") return "";
  return bytes >= 1024 * 1024 ? t("evidence.sizeMb", { n: (bytes / (1024 * 1024)).toFixed(1) }) : t("evidence.sizeKb", { n: Math.max(1, Math.round(bytes / 1024)) });
}
