// @ts-check
// The audit log (admins): newest first, older pages on demand.
import { api } from "../api.js";
import { definitions } from "../definitions.js";
import { append, clear, h } from "../dom.js";
import { timeEl } from "../format.js";
import { label, t } from "../i18n.js";
import { viewProblem } from "../notices.js";
import { heading, setTitle } from "../view-parts.js";
/** @import { AuditEntry, View } from "../types.js" */

/** The retention purge's counts in words; other entries' details as they are stored. @param {AuditEntry} e */
function auditDetail(e) {
  if (!e.detail) return t("common.none");
  if (e.action === "retention.purge") {
    const sentences = [t("audit.purged", e.detail), t("audit.purgedWhy", e.detail)];
    if (e.detail.keptOpen) sentences.push(t("audit.purgeKept", { count: e.detail.keptOpen }));
    return sentences.join(" ");
  }
  return h("code", { class: "detail" }, JSON.stringify(e.detail));
}

/** @param {AuditEntry} e */
function auditTarget(e) {
  if (!e.targetType) return t("common.none");
  if (e.targetType === "handoff" && e.targetId) return h("a", { href: `#/handoff/${encodeURIComponent(e.targetId)}` }, `${label("target", e.targetType)} ${e.targetId}`);
  return `${label("target", e.targetType)}${e.targetId ? ` ${e.targetId}` : ""}`;
}

/** @param {HTMLElement} root @returns {View} */
export function auditView(root) {
  const pageSize = definitions().limits.page;
  setTitle(t("audit.title"));
  const colNames = [t("audit.colTime"), t("audit.colActor"), t("audit.colAction"), t("audit.colTarget"), t("audit.colDetail")];
  const body = h("tbody");
  const problem = h("div");
  const more = h("button", { type: "button", class: "btn", hidden: true, on: { click: () => load(false) } }, t("audit.older"));
  const end = h("p", { class: "muted", hidden: true }, t("audit.noMore"));
  const table = h(
    "table",
    { class: "data-table audit-table" },
    h("caption", { class: "visually-hidden" }, t("audit.title")),
    h("thead", {}, h("tr", {}, colNames.map((text) => h("th", { scope: "col" }, text)))),
    body,
  );
  append(root, [h("section", { class: "panel" }, heading(t("audit.title")), problem, h("div", { class: "table-wrap" }, table), h("div", { class: "button-row" }, more), end)]);

  /** @type {number | null} */
  let oldest = null;
  /** @param {boolean} reset */
  async function load(reset) {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (!reset && oldest !== null) query.set("before", String(oldest));
    more.disabled = true;
    /** @type {{ entries?: AuditEntry[] }} */
    let data;
    try {
      data = await api("GET", `/audit?${query}`);
    } catch (err) {
      viewProblem(problem, err);
      more.disabled = false;
      return;
    }
    clear(problem);
    if (reset) clear(body);
    const entries = data.entries ?? [];
    if (reset && !entries.length) body.append(h("tr", {}, h("td", { colspan: "5", class: "muted" }, t("audit.empty"))));
    for (const e of entries) {
      const cells = [timeEl(e.at), e.actor ? label("actor", e.actor) : t("common.none"), label("action", e.action), auditTarget(e), auditDetail(e)];
      body.append(h("tr", { dataset: { auditId: e.id, action: e.action } }, cells.map((c, i) => h("td", { dataset: { label: /** @type {string} */ (colNames[i]) } }, c))));
    }
    const last = entries.at(-1);
    if (last) oldest = last.id;
    const maybeMore = entries.length >= pageSize;
    more.hidden = !maybeMore;
    more.disabled = false;
    end.hidden = maybeMore || (reset && !entries.length);
  }
  return {
    refresh: async ({ live = false } = {}) => {
      if (live) return; // the log is read on demand; "older" pages would be lost on a reload
      oldest = null;
      await load(true);
    },
  };
}
