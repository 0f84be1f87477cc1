// @ts-check
// Pieces every view uses: the document title, the view's heading, risk and status badges.
import { badge, h } from "./dom.js";
import { label, riskLabel, t } from "./i18n.js";

/** @param {string} text */
export function setTitle(text) {
  document.title = `${text} · ${t("app.brand")}`;
}

/** The view's h1, focused when the view opens. @param {string} text */
export function heading(text) {
  return h("h1", { tabindex: "-1", dataset: { focusKey: "heading" } }, text);
}

/** @param {string | null} risk */
export const riskBadge = (risk) => badge("risk", risk ?? "none", riskLabel(risk));
/** @param {string} status */
export const statusBadge = (status) => badge("status", status, label("status", status));

/** A muted text, as shown where a value is missing ("unassigned", "none"). @param {string} text */
export const muted = (text) => h("span", { class: "muted" }, text);
