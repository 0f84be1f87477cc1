// @ts-check
// One conversation: the transcript, ready replies, the reply and note boxes, the handoff's
// facts, its actions, the shared location and reports.
import { api, ApiError } from "../api.js";
import { composer } from "../composer.js";
import { definitions } from "../definitions.js";
import { append, clear, dl, h, nextId, preserveFocus } from "../dom.js";
import { formatWait, locationBlock, timeEl, waitEl } from "../format.js";
import { renderActions } from "../handoff-actions.js";
import { consoleLanguage, label, languageName, nationalityName, riskLabel, t } from "../i18n.js";
import { noteHandoffs } from "../new-handoffs.js";
import { announce, errorText, viewProblem } from "../notices.js";
import { readyReplyPanel } from "../ready-reply-panel.js";
import { reportBlock } from "../report-block.js";
import { isAgent } from "../session.js";
import { assignableStaff, loadAssignableStaff } from "../staff-list.js";
import { renderTranscript } from "../transcript.js";
import { heading, muted, riskBadge, setTitle, statusBadge } from "../view-parts.js";
/** @import { HandoffDetail, View } from "../types.js" */

/** While staff type a reply, the server is told at most this often (it holds the person's auto-clear). */
const WRITING_SIGNAL_MS = 30_000;

/** `fn` at most once per `ms`. @param {number} ms @param {() => void} fn */
function throttled(ms, fn) {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    fn();
  };
}

/** @param {HTMLElement} root @param {string} id @returns {View} */
export function handoffView(root, id) {
  const { limits, workable } = definitions();
  const path = `/handoffs/${encodeURIComponent(id)}`;
  setTitle(t("handoff.title"));
  // Report questions are rendered by the server in the console language.
  const langQuery = () => `?lang=${encodeURIComponent(consoleLanguage())}`;
  const refreshNow = () => refresh({});

  const problem = h("div", { class: "view-problem" });
  const head = h("div", { class: "conv-head" }, heading(t("handoff.title")));
  const actions = h("section", { class: "panel conv-actions", "aria-labelledby": nextId("x") });
  const details = h("div", { class: "conv-details" });
  const transcript = h("ol", { class: "transcript", tabindex: "0", "aria-label": t("transcript.title") });
  const transcriptSection = h(
    "section",
    { class: "panel conv-transcript", "aria-labelledby": "transcript-title" },
    h("h2", { id: "transcript-title" }, t("transcript.title")),
    transcript,
  );
  const reply = composer({
    kind: "reply",
    id,
    max: limits.reply,
    labelText: t("reply.label"),
    hintText: t("reply.hint", { channel: "" }),
    buttonText: t("reply.send"),
    busyText: t("reply.sending"),
    async submit(text) {
      await api("POST", `${path}/reply`, { text });
      announce(t("reply.queued"));
    },
    onSent: refreshNow,
    // Typing a reply holds the person's auto-clear (the server holds it 2 minutes per signal).
    onTyping: throttled(WRITING_SIGNAL_MS, () => api("POST", `${path}/writing`).catch(() => {})),
  });
  const ready = readyReplyPanel({
    path,
    async submit(readyReply) {
      await api("POST", `${path}/reply`, { ready: readyReply });
      announce(t("reply.queued"));
    },
    onSent: refreshNow,
  });
  const note = composer({
    kind: "note",
    id,
    max: limits.note,
    labelText: t("note.label"),
    hintText: t("note.hint"),
    buttonText: t("note.save"),
    busyText: t("note.saving"),
    async submit(text) {
      await api("POST", `${path}/notes`, { text });
      announce(t("note.saved"));
    },
    onSent: refreshNow,
  });

  const body = h(
    "div",
    { class: "conv", dataset: { handoffId: id } },
    h("p", { class: "back" }, h("a", { href: "#/" }, t("handoff.back"))),
    problem,
    head,
    h(
      "div",
      { class: "conv-grid" },
      h("div", { class: "conv-main" }, transcriptSection, ready.el, reply.el, note.el),
      h("aside", { class: "conv-side", "aria-label": t("handoff.sideLabel") }, actions, details),
    ),
  );
  append(root, [body]);

  let seq = 0;

  /** @param {{ first?: boolean }} [options] */
  async function refresh({ first = false } = {}) {
    const mine = ++seq;
    /** @type {HandoffDetail} */
    let data;
    try {
      data = await api("GET", path + langQuery());
    } catch (err) {
      if (mine !== seq) return;
      if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
        // Not (or no longer) visible: say so instead of a stale view.
        body.classList.add("unavailable");
        clear(head);
        const title = heading(errorText(err));
        title.dataset.problem = String(err.status);
        append(head, [title]);
        setTitle(errorText(err));
      } else viewProblem(problem, err);
      return;
    }
    if (mine !== seq) return;
    body.classList.remove("unavailable");
    clear(problem);
    noteHandoffs([data.handoff], false);
    if (!isAgent() && !assignableStaff().length) await loadAssignableStaff();
    preserveFocus(head, () => renderHead(head, data));
    preserveFocus(actions, () => renderActions(actions, data, path, refreshNow));
    renderDetails(details, data);
    renderTranscript(transcript, data.transcript, first);
    const why = data.handoff.status === "erased" ? t("reply.erased") : t("reply.closed");
    const off = !workable.includes(data.handoff.status);
    reply.setHint(t("reply.hint", { channel: label("channel", data.handoff.channel) }));
    reply.setDisabled(off, why);
    ready.setDisabled(off, why);
    note.setDisabled(off, why);
    if (first) await ready.load(langQuery());
    setTitle(`${t("handoff.title")} · ${riskLabel(data.handoff.risk)}`);
  }
  return { refresh };
}

/** The handoff's facts under the title. @param {HTMLElement} head @param {HandoffDetail} data */
function renderHead(head, data) {
  const x = data.handoff;
  /** @type {Partial<HandoffDetail["person"]>} */
  const person = data.person ?? {};
  clear(head);
  const personValue = person.masked
    ? h("span", { class: "muted", dataset: { person: "hidden" } }, t("handoff.personHidden"))
    : person.platformUserId
      ? h("code", { class: "platform-id" }, person.platformUserId)
      : muted(t("common.none"));
  append(head, [
    h("div", { class: "conv-title" }, heading(t("handoff.title")), h("span", { class: "badges" }, riskBadge(x.risk), " ", statusBadge(x.status))),
    dl([
      [t("handoff.status"), label("status", x.status)],
      [t("handoff.risk"), riskLabel(x.risk)],
      [t("handoff.reason"), label("reason", x.reason)],
      [t("handoff.reference"), x.reportCode ? h("span", { class: "code" }, x.reportCode) : muted(t("common.none"))],
      [t("handoff.channel"), label("channel", x.channel)],
      [t("handoff.language"), languageName(x.language)],
      [t("handoff.nationality"), nationalityName(x.nationality)],
      [t("handoff.person"), personValue],
      [t("handoff.assignee"), x.assignee ? h("span", { class: "email", dataset: { assignee: x.assignee.email } }, x.assignee.email) : h("span", { class: "muted", dataset: { assignee: "" } }, t("queue.unassigned"))],
      [t("handoff.created"), timeEl(x.createdAt)],
      x.durationSeconds != null ? [t("handoff.took"), formatWait(x.durationSeconds * 1000)] : [t("handoff.waiting"), waitEl(x.waitingSeconds)],
    ]),
  ]);
}

/** The shared location and the reports beside the conversation. @param {HTMLElement} box @param {HandoffDetail} data */
function renderDetails(box, data) {
  clear(box);
  if (data.location) {
    append(box, [h("section", { class: "panel", "aria-label": t("location.title") }, h("h2", {}, t("location.title")), locationBlock(data.location))]);
  }
  const reports = Array.isArray(data.reports) ? data.reports : [];
  append(box, [
    h("section", { class: "panel reports" }, h("h2", {}, t("reports.title")), reports.length ? reports.map(reportBlock) : h("p", { class: "muted" }, t("reports.none"))),
  ]);
}
