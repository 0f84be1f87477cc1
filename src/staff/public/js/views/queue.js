// @ts-check
// The queue: handoffs most urgent first, with counts per status and risk, filters kept for the
// browser session, and live updates that keep the rows already loaded.
import { definitions } from "../definitions.js";
import { append, clear, h, preserveFocus } from "../dom.js";
import { formatWait, waitEl } from "../format.js";
import { label, languageName, nationalityName, riskLabel, t } from "../i18n.js";
import { anyOr, filterQuery, filterSelect, moreButton, pagedList, rowsToKeep } from "../lists.js";
import { noteHandoffs } from "../new-handoffs.js";
import { viewProblem } from "../notices.js";
import { setAssignableStaff } from "../staff-list.js";
import { heading, muted, riskBadge, setTitle, statusBadge } from "../view-parts.js";
/** @import { HandoffSummary, QueueCounts, QueuePage, View } from "../types.js" */

const STORED_FILTERS = "safeline.console.filters";
/** The queue's filters, kept for the browser session. */
const filters = { status: "", risk: "", channel: "", language: "" };
loadFilters();

function loadFilters() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORED_FILTERS) ?? "{}");
    for (const key of /** @type {(keyof typeof filters)[]} */ (Object.keys(filters))) if (typeof saved[key] === "string") filters[key] = saved[key];
  } catch {
    /* ignore */
  }
}

function saveFilters() {
  try {
    sessionStorage.setItem(STORED_FILTERS, JSON.stringify(filters));
  } catch {
    /* ignore */
  }
}

/** @param {HTMLElement} root @returns {View} */
export function queueView(root) {
  const { statuses, risks, channels, languages } = definitions();
  setTitle(t("queue.title"));
  const list = h("div", { class: "queue-list", "aria-busy": "true" }, h("p", { class: "muted" }, t("common.loading")));
  const count = h("p", { class: "muted queue-count", "aria-live": "off" });
  const totals = h("p", { class: "queue-counts", dataset: { counts: "" } });
  /** @param {string} name @param {string} text @param {[string, string][]} options */
  const select = (name, text, options) => filterSelect(name, text, options, filters, () => (saveFilters(), refresh({ live: false })));
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": t("queue.filters"), on: { submit: (/** @type {Event} */ e) => e.preventDefault() } },
    select("status", t("queue.filterStatus"), [["", t("queue.statusActive")], ...statuses.map((s) => /** @type {[string, string]} */ ([s, label("status", s)])), [statuses.join(","), t("queue.statusAll")]]),
    select("risk", t("queue.filterRisk"), anyOr([...risks, "none"], (r) => label("risk", r))),
    select("channel", t("queue.filterChannel"), anyOr(channels, (c) => label("channel", c))),
    select("language", t("queue.filterLanguage"), anyOr(languages, languageName)),
  );
  /** @type {import("../lists.js").PagedList<HandoffSummary>} */
  const rows = pagedList("/handoffs", "handoffs");
  let total = 0;
  const query = () => filterQuery(filters);
  const more = moreButton(rows, query, () => show(noteHandoffs(rows.rows, false)));
  append(root, [
    h("section", { class: "queue", "aria-labelledby": "queue-title" }, h("div", { class: "view-head" }, heading(t("queue.title")), count), totals, form, list, h("div", { class: "button-row" }, more)),
  ]);
  /** @type {HTMLElement} */ (root.querySelector("h1")).id = "queue-title";

  /** @param {Set<string>} fresh */
  function show(fresh) {
    list.setAttribute("aria-busy", "false");
    count.textContent = t("queue.count", { count: rows.rows.length, total });
    more.hidden = !rows.next;
    preserveFocus(list, () => renderQueue(list, rows.rows, fresh));
  }

  /** @param {{ live?: boolean }} [options] */
  async function refresh({ live = false } = {}) {
    /** @type {QueuePage | null} */
    let first;
    try {
      // A live refresh keeps as many rows as were shown; a new filter starts at one page.
      first = await rows.reload(query(), rowsToKeep(live, rows.rows.length));
    } catch (err) {
      viewProblem(list, err);
      return;
    }
    if (!first) return;
    setAssignableStaff(first.staff);
    total = queueTotal(first.counts, filters.risk);
    renderCounts(totals, first.counts);
    show(noteHandoffs(rows.rows, live));
  }
  return { refresh };
}

/** How many rows the current filters match: the risk counts are over the asked statuses. @param {QueueCounts | undefined} counts @param {string} risk */
function queueTotal(counts, risk) {
  if (!counts) return 0;
  return risk ? (counts.risk[risk] ?? 0) : Object.values(counts.risk).reduce((a, b) => a + b, 0);
}

/** Counts per status and per risk, as one line each (read by screen readers as text). @param {HTMLElement} box @param {QueueCounts | undefined} counts */
function renderCounts(box, counts) {
  clear(box);
  if (!counts) return;
  const { statuses, risks } = definitions();
  /** @param {string} kind @param {string} key @param {number} n */
  const part = (kind, key, n) => h("span", { class: `count count-${kind}`, dataset: { count: `${kind}:${key}` } }, t("queue.countOf", { label: label(kind, key), n }));
  append(box, [
    h("span", { class: "counts-row" }, statuses.map((s) => part("status", s, counts.status[s] ?? 0))),
    h("span", { class: "counts-row" }, [...risks, "none"].map((r) => part("risk", r, counts.risk[r] ?? 0))),
  ]);
}

/** Open cases: how long the person has waited; resolved and closed ones: how long the case took. @param {HandoffSummary} x */
function elapsedEl(x) {
  if (x.durationSeconds != null) return h("span", { class: "took", dataset: { took: "" } }, t("queue.took", { time: formatWait(x.durationSeconds * 1000) }));
  return waitEl(x.waitingSeconds);
}

/** @param {HTMLElement} list @param {HandoffSummary[]} handoffs @param {Set<string>} fresh */
function renderQueue(list, handoffs, fresh) {
  clear(list);
  if (!handoffs.length) {
    append(list, [h("p", { class: "empty", dataset: { empty: "queue" } }, t("queue.empty"))]);
    return;
  }
  // One entry per column: [key, heading, cell content]. A new column is one more entry.
  /** @type {[string, string, (x: HandoffSummary) => import("../dom.js").Children][]} */
  const cols = [
    ["risk", t("queue.colRisk"), (x) => riskBadge(x.risk)],
    ["waiting", t("queue.colWaiting"), elapsedEl],
    ["reason", t("queue.colReason"), (x) => label("reason", x.reason)],
    ["reference", t("queue.colReference"), (x) => (x.reportCode ? h("span", { class: "code" }, x.reportCode) : muted(t("common.none")))],
    ["nationality", t("queue.colNationality"), (x) => (x.nationality ? nationalityName(x.nationality) : muted(nationalityName(null)))],
    ["channel", t("queue.colChannel"), (x) => label("channel", x.channel)],
    ["language", t("queue.colLanguage"), (x) => languageName(x.language)],
    ["status", t("queue.colStatus"), (x) => statusBadge(x.status)],
    ["assignee", t("queue.colAssignee"), (x) => (x.assignee ? h("span", { class: "email" }, x.assignee.email) : muted(t("queue.unassigned")))],
    [
      "open",
      t("queue.colOpen"),
      (x) =>
        h(
          "a",
          {
            href: `#/handoff/${encodeURIComponent(x.id)}`,
            class: "btn btn-small open-link",
            dataset: { focusKey: `open-${x.id}` },
            "aria-label": t("queue.openLabel", { risk: riskLabel(x.risk), channel: label("channel", x.channel) }),
          },
          t("queue.open"),
        ),
    ],
  ];
  const table = h(
    "table",
    { class: "queue-table" },
    h("caption", { class: "visually-hidden" }, t("queue.caption")),
    h("thead", {}, h("tr", {}, cols.map(([key, text]) => h("th", { scope: "col", class: `col-${key}` }, text)))),
    h(
      "tbody",
      {},
      handoffs.map((x) => {
        const href = `#/handoff/${encodeURIComponent(x.id)}`;
        return h(
          "tr",
          {
            class: `queue-row risk-row-${x.risk ?? "none"}${fresh.has(x.id) ? " is-new" : ""}`,
            dataset: { handoffId: x.id, risk: x.risk ?? "none", status: x.status },
            on: {
              click: (/** @type {MouseEvent} */ e) => {
                if (e.target instanceof Element && e.target.closest("a, button")) return;
                if (window.getSelection()?.toString()) return;
                location.hash = href;
              },
            },
          },
          cols.map(([key, text, content]) => h("td", { class: `col-${key}`, dataset: { label: text } }, content(x))),
        );
      }),
    ),
  );
  append(list, [table]);
}
