// @ts-check
// The hash decides the view: #/ queue, #/handoff/<id>, #/print/<id>, #/reports, #/report/<id>,
// #/audit and #/accounts (admins). One view is shown at a time.
import { append, byId, clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { reportError, showAlert } from "./notices.js";
import { isAdmin, session } from "./session.js";
import { heading, setTitle } from "./view-parts.js";
import { accountsView } from "./views/accounts.js";
import { auditView } from "./views/audit.js";
import { handoffView } from "./views/handoff.js";
import { printView } from "./views/print.js";
import { queueView } from "./views/queue.js";
import { reportView } from "./views/report.js";
import { reportsView } from "./views/reports.js";
/** @import { View } from "./types.js" */

/** @typedef {"queue" | "handoff" | "print" | "report" | "reports" | "audit" | "accounts"} ViewName */
/** @typedef {{ name: ViewName, id: string, key: string }} Route */

/** @type {Record<ViewName, (root: HTMLElement, id: string) => View>} */
const VIEWS = { queue: queueView, handoff: handoffView, reports: reportsView, report: reportView, print: printView, audit: auditView, accounts: accountsView };
const ADMIN_ONLY = new Set(["audit", "accounts"]);
/** Which nav link is current for each view. @type {[string, ViewName[]][]} */
const NAV = [
  ["nav-queue", ["queue", "handoff"]],
  ["nav-reports", ["reports", "report"]],
  ["nav-audit", ["audit"]],
  ["nav-accounts", ["accounts"]],
];

/** @type {{ name: ViewName, key: string, view: View } | null} */
let shown = null;

/** The view on the page, with its name; null before sign-in. */
export const shownView = () => shown;

/** @returns {Route} */
function parseRoute() {
  const hash = location.hash.replace(/^#/, "");
  const m = /^\/(handoff|print|report)\/([^/?#]+)$/.exec(hash);
  if (m) {
    const name = /** @type {ViewName} */ (m[1]);
    return { name, id: decodeURIComponent(/** @type {string} */ (m[2])), key: `${name}:${m[2]}` };
  }
  for (const name of /** @type {ViewName[]} */ (["reports", "audit", "accounts"])) if (hash === `/${name}`) return { name, id: "", key: name };
  return { name: "queue", id: "", key: "queue" };
}

/** Takes the view off the page (sign-out). */
export function closeView() {
  shown = null;
  clear(byId("view"));
}

/** Shows the view for the current hash; keeps (and refreshes) it when it is already shown. */
export function route({ force = false, focus = true } = {}) {
  if (!session()) return;
  const r = parseRoute();
  if (!force && shown && shown.key === r.key) {
    shown.view.refresh({ live: false });
    return;
  }
  closeView();
  showAlert("");
  const root = byId("view");
  document.body.classList.toggle("print-mode", r.name === "print");
  for (const [id, names] of NAV) {
    const link = byId(id);
    if (names.includes(r.name)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const view = ADMIN_ONLY.has(r.name) && !isAdmin() ? messageView(root, t("error.forbidden")) : VIEWS[r.name](root, r.id);
  shown = { name: r.name, key: r.key, view };
  view
    .refresh({ live: false, first: true })
    .then(() => {
      if (focus) root.querySelector("h1")?.focus({ preventScroll: false });
    })
    .catch(reportError);
}

/** @param {HTMLElement} root @param {string} text @returns {View} */
function messageView(root, text) {
  append(root, [h("section", { class: "panel" }, heading(text), h("p", {}, h("a", { href: "#/" }, t("handoff.back"))))]);
  setTitle(text);
  return { refresh: async () => {} };
}
