// @ts-check
// Telling the user: polite announcements (and a toast), the alert bar, errors in words, a
// problem line inside a view, and the confirmation dialog.
import { ApiError } from "./api.js";
import { append, byId, clear, h } from "./dom.js";
import { t } from "./i18n.js";

let toastTimer = 0;
/** Polite announcement (success, new items); also shown briefly as a toast. @param {string} text */
export function announce(text) {
  const live = byId("live");
  live.textContent = "";
  // A new text node in a fresh task so screen readers announce repeats too.
  setTimeout(() => {
    live.textContent = text;
    live.classList.add("visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => live.classList.remove("visible"), 5000);
  }, 30);
}

/** The alert bar with a dismiss button; empty text takes it away. @param {string} text */
export function showAlert(text) {
  const box = byId("alert");
  clear(box);
  if (!text) return;
  append(box, [
    h("span", { class: "alert-text" }, text),
    h("button", { type: "button", class: "btn btn-quiet alert-close", on: { click: () => showAlert("") } }, t("common.dismiss")),
  ]);
}

/** @param {unknown} err */
export function errorText(err) {
  if (!(err instanceof ApiError)) return t("error.unexpected");
  switch (err.status) {
    case 0:
      return t("error.network");
    case 400:
      return t("error.invalid");
    case 403:
      return err.code === "csrf" ? t("error.csrf") : t("error.forbidden");
    case 404:
      return t("error.notFound");
    case 409:
      return err.code === "erased" ? t("error.erased") : t("error.conflict");
    case 429:
      return t("error.tooMany");
    default:
      return t("error.server", { status: err.status });
  }
}

/** Shows an API error; a 401 has already brought up the sign-in form. @param {unknown} err */
export function reportError(err) {
  if (err instanceof ApiError && err.status === 401) return;
  if (!(err instanceof ApiError)) console.error(err);
  showAlert(errorText(err));
}

/** A status line inside a view for loading problems (403, 404, network). @param {HTMLElement} container @param {unknown} err */
export function viewProblem(container, err) {
  if (err instanceof ApiError && err.status === 401) return;
  clear(container);
  const problem = err instanceof ApiError ? err.status : "error";
  append(container, [h("p", { class: "problem", role: "alert", dataset: { problem } }, errorText(err))]);
}

/**
 * Asks before something that cannot be undone; resolves true for OK.
 * @param {string} title @param {string} body @param {string} okText
 * @returns {Promise<boolean>}
 */
export function confirmDialog(title, body, okText) {
  const dialog = /** @type {HTMLDialogElement} */ (byId("confirm"));
  const ok = byId("confirm-ok");
  const cancel = byId("confirm-cancel");
  byId("confirm-title").textContent = title;
  byId("confirm-body").textContent = body;
  ok.textContent = okText;
  cancel.textContent = t("common.cancel");
  const opener = document.activeElement;
  if (dialog.open) return Promise.resolve(false);
  return new Promise((resolve) => {
    /** @param {boolean} answer */
    const done = (answer) => {
      ok.removeEventListener("click", yes);
      cancel.removeEventListener("click", no);
      dialog.removeEventListener("close", no);
      if (dialog.open) dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    ok.addEventListener("click", yes);
    cancel.addEventListener("click", no);
    dialog.addEventListener("close", no);
    dialog.showModal();
    cancel.focus();
  });
}
