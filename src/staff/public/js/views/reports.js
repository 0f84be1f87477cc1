// @ts-check
// Reports shared with consent: most urgent first, filters by risk and kind, search by reference code.
import { ApiError } from "../api.js";
import { definitions } from "../definitions.js";
import { append, clear, h, nextId, preserveFocus } from "../dom.js";
import { timeEl } from "../format.js";
import { label, languageName, t } from "../i18n.js";
import { anyOr, filterQuery, filterSelect, moreButton, pagedList, rowsToKeep } from "../lists.js";
import { viewProblem } from "../notices.js";
import { heading, muted, riskBadge, setTitle, statusBadge } from "../view-parts.js";
/** @import { ReportSummary, View } from "../types.js" */

/** The Reports view's filters, kept while the page is open. */
const filters = { risk: "", kind: "", code: "" };

/** @param {HTMLElement} root @returns {View} */
export function reportsView(root) {
  const { risks, reportKinds } = definitions();
  setTitle(t("reports.title"));
  const list = h("div", { class: "report-list", "aria-busy": "true" }, h("p", { class: "muted" }, t("common.loading")));
  const count = h("p", { class: "muted report-count", "aria-live": "off" });
  /** @param {string} name @param {string} labelText @param {[string, string][]} options */
  const select = (name, labelText, options) => filterSelect(name, labelText, options, filters, () => refresh());
  const codeId = nextId("report-code");
  const codeInput = h("input", { id: codeId, name: "code", type: "search", autocomplete: "off", spellcheck: "false", maxlength: "20", value: filters.code });
  const codeError = h("p", { class: "form-error", role: "alert" });
  const showAll = h("button", { type: "button", class: "btn btn-quiet", hidden: !filters.code, on: { click: () => ((codeInput.value = ""), (filters.code = ""), refresh()) } }, t("reportList.showAll"));
  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": t("reportList.filters"),
      on: {
        submit: (/** @type {Event} */ e) => {
          e.preventDefault();
          filters.code = codeInput.value.trim();
          refresh();
        },
      },
    },
    h("div", { class: "field field-inline" }, h("label", { for: codeId }, t("reportList.code")), codeInput, h("button", { type: "submit", class: "btn" }, t("reportList.find")), showAll),
    select("risk", t("reportList.filterRisk"), anyOr([...risks, "none"], (r) => label("risk", r))),
    select("kind", t("reportList.filterKind"), anyOr(reportKinds, (k) => label("reportKind", k))),
    codeError,
  );
  /** @type {import("../lists.js").PagedList<ReportSummary>} */
  const rows = pagedList("/reports", "reports");
  const query = () => filterQuery(filters);
  const more = moreButton(rows, query, () => show());
  append(root, [
    h(
      "section",
      { class: "reports", "aria-labelledby": "reports-title" },
      h("div", { class: "view-head" }, heading(t("reports.title")), count),
      h("p", { class: "muted" }, t("reportList.intro")),
      form,
      list,
      h("div", { class: "button-row" }, more),
    ),
  ]);
  /** @type {HTMLElement} */ (root.querySelector("h1")).id = "reports-title";

  function show() {
    list.setAttribute("aria-busy", "false");
    count.textContent = t("reportList.count", { count: rows.rows.length });
    more.hidden = !rows.next;
    showAll.hidden = !filters.code;
    preserveFocus(list, () => renderReports(list, rows.rows));
  }

  /** @param {{ live?: boolean }} [options] */
  async function refresh({ live = false } = {}) {
    codeError.textContent = "";
    let first;
    try {
      first = await rows.reload(query(), rowsToKeep(live, rows.rows.length));
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && filters.code) codeError.textContent = t("reportList.badCode");
      else viewProblem(list, err);
      return;
    }
    if (first) show();
  }
  return { refresh };
}

/** @param {HTMLElement} list @param {ReportSummary[]} reports */
function renderReports(list, reports) {
  clear(list);
  if (!reports.length) {
    const text = filters.code ? t("reportList.noCode", { code: filters.code }) : t("reportList.empty");
    append(list, [h("p", { class: "empty", dataset: { empty: "reports" } }, text)]);
    return;
  }
  /** @type {[string, string, (x: ReportSummary) => import("../dom.js").Children][]} */
  const cols = [
    ["risk", t("queue.colRisk"), (x) => riskBadge(x.risk)],
    ["code", t("reportList.colCode"), (x) => h("span", { class: "code" }, x.code)],
    ["kind", t("reportList.colKind"), (x) => label("reportKind", x.kind)],
    ["created", t("reportList.colCreated"), (x) => timeEl(x.createdAt)],
    ["channel", t("queue.colChannel"), (x) => label("channel", x.channel)],
    ["language", t("queue.colLanguage"), (x) => languageName(x.language)],
    ["case", t("reportList.colCase"), (x) => (x.handoff ? statusBadge(x.handoff.status) : muted(t("reportList.noCase")))],
    [
      "open",
      t("queue.colOpen"),
      (x) => h("a", { href: `#/report/${encodeURIComponent(x.id)}`, class: "btn btn-small open-link", dataset: { focusKey: `report-${x.id}` }, "aria-label": t("reportList.openLabel", { code: x.code }) }, t("reportList.open")),
    ],
  ];
  append(list, [
    h(
      "table",
      { class: "queue-table report-table" },
      h("caption", { class: "visually-hidden" }, t("reportList.caption")),
      h("thead", {}, h("tr", {}, cols.map(([key, text]) => h("th", { scope: "col", class: `col-${key}` }, text)))),
      h(
        "tbody",
        {},
        reports.map((x) =>
          h(
            "tr",
            { class: `queue-row report-row risk-row-${x.risk ?? "none"}`, dataset: { reportId: x.id, code: x.code, risk: x.risk ?? "none" } },
            cols.map(([key, text, content]) => h("td", { class: `col-${key}`, dataset: { label: text } }, content(x))),
          ),
        ),
      ),
    ),
  ]);
}
