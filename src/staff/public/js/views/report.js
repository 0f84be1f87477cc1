// @ts-check
// One shared report: its answers as the bot asked them, and the case it belongs to.
import { api } from "../api.js";
import { append, clear, dl, h } from "../dom.js";
import { consoleLanguage, label, languageName, t } from "../i18n.js";
import { viewProblem } from "../notices.js";
import { reportBlock } from "../report-block.js";
import { heading, muted, setTitle, statusBadge } from "../view-parts.js";
/** @import { ReportDetail, View } from "../types.js" */

/** @param {HTMLElement} root @param {string} id @returns {View} */
export function reportView(root, id) {
  setTitle(t("reports.title"));
  const body = h("div", { class: "report-view" }, h("p", { class: "muted" }, t("common.loading")));
  append(root, [h("section", { class: "panel" }, h("p", {}, h("a", { href: "#/reports" }, t("report.back"))), body)]);
  /** @param {{ live?: boolean }} [options] */
  async function refresh({ live = false } = {}) {
    if (live) return; // a report does not change; its case's status is refreshed on the next visit
    /** @type {ReportDetail} */
    let x;
    try {
      x = (await api("GET", `/reports/${encodeURIComponent(id)}?lang=${encodeURIComponent(consoleLanguage())}`)).report;
    } catch (err) {
      viewProblem(body, err);
      return;
    }
    setTitle(t("reports.code", { code: x.code }));
    clear(body);
    const kase = x.handoff
      ? h(
          "p",
          { class: "report-case" },
          statusBadge(x.handoff.status),
          " ",
          x.handoff.assignee ? h("span", { class: "email" }, x.handoff.assignee.email) : muted(t("queue.unassigned")),
          " ",
          h("a", { href: `#/handoff/${encodeURIComponent(x.handoff.id)}`, class: "btn btn-small", dataset: { action: "open-conversation" } }, t("report.openConversation")),
        )
      : h("p", { class: "muted" }, t("reportList.noCase"));
    append(body, [
      heading(t("reports.code", { code: x.code })),
      dl([
        [t("queue.colChannel"), label("channel", x.channel)],
        [t("queue.colLanguage"), languageName(x.language)],
      ]),
      h("h2", {}, t("report.case")),
      kase,
      reportBlock(x),
    ]);
  }
  return { refresh };
}
