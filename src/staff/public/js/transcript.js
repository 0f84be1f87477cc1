// @ts-check
// The transcript: the person's messages, the bot's, staff replies, notes and system events,
// with taps, ready replies, photos and files, places, delivery and withdrawn/erased marks.
import { definitions } from "./definitions.js";
import { append, clear, h } from "./dom.js";
import { fileSize, locationBlock, timeEl } from "./format.js";
import { label, t } from "./i18n.js";
/** @import { Evidence, Tap, TranscriptItem } from "./types.js" */

const ROLES = ["user", "bot", "staff", "note", "system"];
const EVIDENCE_WAITING = ["pending", "retrying", "failed", "too_large"];

/** @param {TranscriptItem} item */
export function transcriptItem(item) {
  const role = ROLES.includes(item.role) ? item.role : "system";
  const erased = item.kind === "erased";
  const who = item.author && (role === "staff" || role === "note") ? t("transcript.by", { role: label("transcriptRole", role), author: item.author }) : label("transcriptRole", role);
  const markers = [];
  if (erased) markers.push(h("span", { class: "marker marker-erased" }, t("transcript.erased")));
  if (item.status === "unsent") markers.push(h("span", { class: "marker marker-unsent" }, t("transcript.withdrawn")));
  if (role === "staff" && item.status) markers.push(h("span", { class: `delivery delivery-${item.status}`, dataset: { delivery: item.status } }, label("delivery", item.status)));
  if (role === "bot" && (item.status === "failed" || item.status === "cancelled")) markers.push(h("span", { class: `delivery delivery-${item.status}`, dataset: { delivery: item.status } }, label("delivery", item.status)));

  /** @type {import("./dom.js").Children} */
  let content;
  if (erased) content = null;
  else if (item.tap) content = tapText(item.tap);
  else if (item.ready && typeof item.text === "string")
    content = [
      h("p", { class: "msg-text", dataset: { ready: item.ready.id } }, item.ready.text),
      h("p", { class: "msg-theirs muted", dataset: { theySaw: "" } }, t("transcript.readyTheySaw", { text: item.text })),
    ];
  else if (item.evidence) content = evidenceBlock(item.evidence);
  else if (typeof item.text === "string" && item.text !== "") content = h("p", { class: "msg-text" }, item.text);
  else if (role === "system") content = h("p", { class: "msg-text" }, eventText(item));
  else if (!item.location) content = h("p", { class: "msg-text muted" }, t("transcript.noText", { kind: label("kind", item.kind) }));

  return h(
    "li",
    { class: `msg role-${role}${erased ? " is-erased" : ""}${item.status === "unsent" ? " is-unsent" : ""}`, dataset: { id: item.id, role, status: item.status ?? "", kind: item.kind ?? "" } },
    h("div", { class: "msg-meta" }, h("span", { class: role === "system" ? "msg-who visually-hidden" : "msg-who" }, who), " ", timeEl(item.at), " ", markers),
    content,
    item.location ? locationBlock(item.location) : null,
  );
}

/**
 * A photo or file the person sent: the image itself (served by the console's API, audited
 * per view, never cached), a download link for other files, or what became of the fetch.
 * @param {Evidence} e
 */
function evidenceBlock(e) {
  const kind = label("kind", e.kind);
  const url = typeof e.url === "string" && e.url.startsWith("/staff/api/") ? e.url : null;
  if (e.status === "stored" && url) {
    if (e.contentType !== null && definitions().inlineImageTypes.includes(e.contentType)) {
      return h(
        "figure",
        { class: "evidence evidence-image", dataset: { evidence: e.id, evidenceStatus: "stored" } },
        h("img", { src: url, alt: t("evidence.photoAlt"), loading: "lazy", class: "evidence-photo" }),
        h("figcaption", { class: "muted" }, h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, t("evidence.openFull"), h("span", { class: "visually-hidden" }, ` ${t("common.newTab")}`)), " · ", fileSize(e.size)),
      );
    }
    // Without a name of its own, the download takes the one the server gives (with its extension).
    const name = e.fileName || kind;
    return h(
      "p",
      { class: "msg-text evidence evidence-file", dataset: { evidence: e.id, evidenceStatus: "stored" } },
      h("a", { href: url, download: e.fileName || "", class: "evidence-download" }, t("evidence.download", { name })),
      " ",
      h("span", { class: "muted" }, `(${fileSize(e.size)})`),
    );
  }
  const status = EVIDENCE_WAITING.includes(e.status) ? e.status : "pending";
  const text =
    status === "too_large" && typeof e.size !== "number" ? t("evidence.tooLargeUnknown", { kind })
    : t(`evidence.${status}`, { kind, count: e.attempts ?? 0, size: fileSize(e.size) });
  return h("p", { class: `msg-text evidence evidence-${status.replace("_", "-")}`, dataset: { evidence: e.id, evidenceStatus: status }, role: status === "failed" ? "status" : null }, text);
}

/** A tap: the question and the label chosen in the console's language; as the person saw them beside it and on hover. @param {Tap} tap */
function tapText(tap) {
  const asked = tap.asked ?? {};
  const lang = typeof asked.language === "string" ? asked.language : undefined;
  return h(
    "p",
    { class: "msg-text tap", dataset: { tap: "" }, title: t("transcript.askedAs", { question: asked.question ?? "", answer: asked.answer ?? "" }) },
    h("span", { class: "tap-question" }, tap.question),
    " → ",
    h("strong", { class: "tap-answer" }, tap.answer),
    asked.answer && asked.answer !== tap.answer ? [" ", h("span", { class: "tap-original muted", lang }, t("transcript.theySaw", { answer: asked.answer }))] : null,
  );
}

/** A system event in words (the server sends its kind and a small `detail` object). @param {TranscriptItem} item */
function eventText(item) {
  /** @type {Record<string, any>} */
  const d = item.detail && typeof item.detail === "object" ? item.detail : {};
  switch (item.kind) {
    case "handoff.requested":
      return d.reason ? t("event.requestedBecause", { reason: label("reason", d.reason) }) : t("event.requested");
    case "handoff.status":
      return t("event.status", { from: label("status", d.from ?? ""), to: label("status", d.to ?? "") });
    case "handoff.assigned":
      return d.to ? t("event.assigned", { email: d.to }) : t("event.unassigned");
    case "delete":
      return t(d.autoClear ? "event.autoCleared" : "event.deleted", { count: Number(d.count) || 0 });
    case "autoClear.on":
      return t("event.autoClearOn", { minutes: Number(d.minutes) || 0 });
    default:
      return label("event", item.kind);
  }
}

/**
 * Shows the items; stays at the bottom when it was there (or on first showing).
 * @param {HTMLElement} list @param {TranscriptItem[]} items @param {boolean} first
 */
export function renderTranscript(list, items, first) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  clear(list);
  if (!items.length) append(list, [h("li", { class: "muted empty" }, t("transcript.empty"))]);
  else append(list, items.map(transcriptItem));
  if (first || atBottom) list.scrollTop = list.scrollHeight;
}
