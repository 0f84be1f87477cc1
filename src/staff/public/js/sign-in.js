// @ts-check
// Signing in and out: the sign-in form, what the header shows while signed in, and what
// happens when the server ends the session (the view stays, hidden with its drafts).
import { api, ApiError } from "./api.js";
import { loadDefinitions } from "./definitions.js";
import { byId } from "./dom.js";
import { forgetDrafts } from "./drafts.js";
import { label, t } from "./i18n.js";
import { cancelRefresh, startEvents, stopEvents } from "./live.js";
import { forgetHandoffs } from "./new-handoffs.js";
import { errorText, reportError, showAlert } from "./notices.js";
import { closeView, route } from "./router.js";
import { isAdmin, session, setSession } from "./session.js";
import { forgetAssignableStaff } from "./staff-list.js";

const emailInput = /** @type {HTMLInputElement} */ (byId("signin-email"));
const passwordInput = /** @type {HTMLInputElement} */ (byId("signin-password"));

export function renderWhoami() {
  const me = session();
  byId("whoami").textContent = me ? t("header.signedInAs", { email: me.account.email, role: label("role", me.account.role) }) : "";
}

/** @param {boolean} signedIn */
function showChrome(signedIn) {
  byId("nav").hidden = !signedIn;
  byId("whoami").hidden = !signedIn;
  byId("signout").hidden = !signedIn;
  byId("nav-audit").hidden = !(signedIn && isAdmin());
  byId("nav-accounts").hidden = !(signedIn && isAdmin());
  renderWhoami();
}

/** The sign-in form, with a notice above it (signed out, session expired). */
export function showSignIn(notice = "") {
  stopEvents();
  showChrome(false);
  byId("view").hidden = true;
  byId("signin").hidden = false;
  byId("signin-notice").textContent = notice;
  byId("signin-error").textContent = "";
  passwordInput.value = "";
  document.title = `${t("auth.title")} · ${t("app.brand")}`;
  emailInput.focus();
}

/** Any 401: keep the current view (hidden, with its drafts) and ask to sign in again. @param {boolean} wasSignedIn */
export function sessionEndedHere(wasSignedIn) {
  cancelRefresh();
  if (!byId("signin").hidden && !wasSignedIn) return;
  showAlert("");
  showSignIn(wasSignedIn ? t("auth.expired") : "");
}

/** @param {SubmitEvent} event */
export async function onSignInSubmit(event) {
  event.preventDefault();
  const email = emailInput.value.trim();
  const password = passwordInput.value;
  const error = byId("signin-error");
  const submit = /** @type {HTMLButtonElement} */ (byId("signin-submit"));
  error.textContent = "";
  if (!email || !password) {
    error.textContent = t("auth.missing");
    return;
  }
  submit.disabled = true;
  submit.textContent = t("auth.busy");
  try {
    setSession(await api("POST", "/login", { email, password }));
    passwordInput.value = "";
    signedIn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) error.textContent = t("auth.invalid");
    else if (err instanceof ApiError && err.status === 429) {
      const seconds = Number.isFinite(err.retryAfterSeconds) ? err.retryAfterSeconds : 60;
      const minutes = Math.max(1, Math.ceil(seconds / 60));
      error.textContent = err.code === "locked" ? t("auth.locked", { minutes }) : t("auth.tooMany", { minutes });
    } else error.textContent = errorText(err);
    passwordInput.focus();
  } finally {
    submit.disabled = false;
    submit.textContent = t("auth.submit");
  }
}

/** Signed in: the server's definitions (once), the header, live updates and the view for the hash. */
export async function signedIn() {
  try {
    await loadDefinitions();
  } catch (err) {
    reportError(err);
    return;
  }
  byId("signin").hidden = true;
  byId("signin-notice").textContent = "";
  showChrome(true);
  byId("view").hidden = false;
  startEvents();
  route({ force: false, focus: true });
}

export async function signOut() {
  try {
    await api("POST", "/logout");
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      reportError(err);
      return;
    }
  }
  setSession(null);
  closeView();
  forgetHandoffs();
  forgetAssignableStaff();
  forgetDrafts();
  // The next person to sign in here starts at the queue, not where the last one was.
  history.replaceState(null, "", location.pathname + location.search);
  showSignIn(t("auth.signedOut"));
}
