// @ts-check
// A printable record of one conversation: a snapshot of its export, not live.
import { api } from "../api.js";
import { append, clear, dl, h, safeHttpUrl } from "../dom.js";
import { coordinates, formatTime } from "../format.js";
import { consoleLanguage, label, languageName, riskLabel, t } from "../i18n.js";
import { viewProblem } from "../notices.js";
import { reportBlock } from "../report-block.js";
import { transcriptItem } from "../transcript.js";
import { heading, setTitle } from "../view-parts.js";
/** @import { HandoffDetail, HandoffExport, View } from "../types.js" */

/** @param {HTMLElement} root @param {string} id @returns {View} */
export function printView(root, id) {
  setTitle(t("print.title"));
  const toolbar = h(
    "div",
    { class: "print-toolbar no-print" },
    h("a", { class: "btn", href: `#/handoff/${encodeURIComponent(id)}` }, t("print.back")),
    h("button", { type: "button", class: "btn btn-primary", on: { click: () => window.print() } }, t("print.print")),
  );
  const page = h("article", { class: "print-page" }, heading(t("print.title")), h("p", { class: "muted" }, t("common.loading")));
  append(root, [toolbar, page]);

  /** @param {{ live?: boolean }} [options] */
  async function refresh({ live = false } = {}) {
    if (live) return; // a printed record is a snapshot; it does not follow live changes
    /** @type {HandoffExport} */
    let data;
    try {
      data = await api("GET", `/handoffs/${encodeURIComponent(id)}/export?lang=${encodeURIComponent(consoleLanguage())}`);
    } catch (err) {
      viewProblem(page, err);
      return;
    }
    clear(page);
    const x = data.handoff;
    /** @type {Partial<HandoffDetail["person"]>} */
    const person = data.person ?? {};
    const mapUrl = data.location ? safeHttpUrl(data.location.mapUrl) : null;
    const reports = data.reports ?? [];
    append(page, [
      heading(t("print.title")),
      h("p", { class: "muted" }, t("print.exported", { at: formatTime(data.exportedAt), by: data.exportedBy || t("common.none") })),
      dl([
        [t("print.id"), h("code", {}, x.id)],
        [t("handoff.status"), label("status", x.status)],
        [t("handoff.risk"), riskLabel(x.risk)],
        [t("handoff.reason"), label("reason", x.reason)],
        [t("handoff.channel"), label("channel", x.channel)],
        [t("handoff.language"), languageName(x.language)],
        [t("handoff.person"), person.masked ? t("handoff.personHidden") : (person.platformUserId ?? t("common.none"))],
        [t("handoff.assignee"), x.assignee?.email ?? t("queue.unassigned")],
        [t("handoff.created"), formatTime(x.createdAt)],
      ]),
      data.location ? [h("h2", {}, t("location.title")), h("p", {}, coordinates(data.location)), mapUrl ? h("p", { class: "url" }, mapUrl) : null] : null,
      h("h2", {}, t("reports.title")),
      reports.length ? reports.map(reportBlock) : h("p", {}, t("reports.none")),
      h("h2", {}, t("transcript.title")),
      h("ol", { class: "transcript print-transcript" }, (data.transcript ?? []).map(transcriptItem)),
    ]);
  }
  return { refresh };
}

