// @ts-check
// SafeLine staff console: plain browser ES modules (no framework, no build step), type-checked
// by `tsc -p src/staff/public`. The entry: texts, the page's own controls, then the session.
//
// Safety rules for every module:
// - Data from the API is only ever put into the page with textContent / createElement /
//   setAttribute (the h() helper in dom.js). Data is never parsed as HTML or run as code.
// - Every visible word comes from locales/console/<lang>.json (GET /staff/api/texts/:lang).
// - Every POST carries Content-Type: application/json and X-CSRF-Token (api.js).
// The API contract is docs/staff-console.md.
import { ApiError, fetchSession } from "./api.js";
import { byId } from "./dom.js";
import { tickWaits } from "./format.js";
import { applyStaticTexts, consoleLanguage, isConsoleLanguage, loadTexts, pickLanguage, rememberLanguage, t } from "./i18n.js";
import { errorText, showAlert } from "./notices.js";
import { route } from "./router.js";
import { session, setSession, whenSessionEnds } from "./session.js";
import { onSignInSubmit, renderWhoami, sessionEndedHere, showSignIn, signedIn, signOut } from "./sign-in.js";

const WAIT_TICK_MS = 30_000;

function applyTexts() {
  applyStaticTexts();
  byId("confirm-cancel").textContent = t("common.cancel");
  renderWhoami();
}

/** @param {string | undefined} lang */
async function switchLanguage(lang) {
  if (lang === undefined || lang === consoleLanguage() || !isConsoleLanguage(lang)) return;
  try {
    await loadTexts(lang);
  } catch {
    showAlert(t("error.network"));
    return;
  }
  rememberLanguage(lang);
  applyTexts();
  if (session()) route({ force: true, focus: false });
  else showSignIn(byId("signin-notice").textContent ?? "");
}

async function boot() {
  const lang = pickLanguage();
  try {
    await loadTexts(lang);
  } catch {
    try {
      await loadTexts(lang === "ko" ? "en" : "ko");
    } catch {
      /* keys are shown as they are */
    }
  }
  applyTexts();

  whenSessionEnds(sessionEndedHere);
  byId("signin-form").addEventListener("submit", onSignInSubmit);
  byId("signout").addEventListener("click", signOut);
  for (const btn of document.querySelectorAll(".lang-btn")) btn.addEventListener("click", () => switchLanguage(/** @type {HTMLElement} */ (btn).dataset.lang));
  byId("skip-link").addEventListener("click", (e) => {
    e.preventDefault();
    const target = byId("signin").hidden ? (byId("view").querySelector("h1") ?? byId("main")) : byId("signin-email");
    target.focus();
  });
  window.addEventListener("hashchange", () => route({ focus: true }));
  setInterval(tickWaits, WAIT_TICK_MS);

  try {
    setSession(await fetchSession());
  } catch (err) {
    setSession(null);
    if (!(err instanceof ApiError && err.status === 401)) showAlert(errorText(err));
  }
  if (session()) signedIn();
  else showSignIn();
}

boot();
