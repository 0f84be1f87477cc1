// @ts-check
// Ready replies: the officer picks one (and, for some, a choice such as which of the person's
// lines), reads it in the console's language, sees what the person will read in theirs, and
// sends its id and parameters; the server writes the text.
import { api } from "./api.js";
import { clear, h, nextId } from "./dom.js";
import { label, languageName, t } from "./i18n.js";
import { reportError } from "./notices.js";
import { sendOnSubmit } from "./send-on-submit.js";
/** @import { ReadyReplies, ReadyReply, ReadyReplyOption } from "./types.js" */

/**
 * @param {object} options
 * @param {string} options.path the handoff's API path
 * @param {(reply: ReadyReply) => Promise<void>} options.submit
 * @param {() => void} options.onSent
 */
export function readyReplyPanel({ path, submit, onSent }) {
  const pickId = nextId("ready");
  const optionId = nextId("ready-option");
  const hint = h("p", { class: "hint" });
  const pick = h("select", { id: pickId, dataset: { ready: "pick" } });
  const choice = h("select", { id: optionId, dataset: { ready: "option" } });
  const choiceField = h("div", { class: "field", hidden: true }, h("label", { for: optionId }, t("readyReply.option")), choice);
  const preview = h("p", { class: "ready-text", dataset: { ready: "preview" } });
  const theirsLabel = h("h3", { class: "ready-heading" });
  const theirs = h("p", { class: "ready-text ready-theirs", dataset: { ready: "theirs" } });
  const button = h("button", { type: "submit", class: "btn btn-primary", dataset: { ready: "send" } }, t("readyReply.send"));
  const disabledNote = h("p", { class: "muted", hidden: true });
  const form = h(
    "form",
    { class: "panel composer composer-ready", dataset: { composer: "ready" } },
    h("h2", { class: "composer-label" }, t("readyReply.title")),
    hint,
    h("div", { class: "field" }, h("label", { for: pickId }, t("readyReply.pick")), pick),
    choiceField,
    h("h3", { class: "ready-heading" }, t("readyReply.preview")),
    preview,
    theirsLabel,
    theirs,
    h("div", { class: "composer-foot" }, h("span"), button),
    disabledNote,
  );
  /** @type {ReadyReplies | null} */
  let data = null;
  let off = false;

  const current = () => data?.replies.find((r) => r.id === pick.value);
  const option = () => current()?.options[Number(choice.value) || 0];
  /** @param {ReadyReplyOption} o */
  const optionLabel = (o) => o.label ?? (o.reply.within ? t(`readyReply.within.${o.reply.within}`) : "");
  function showChoice() {
    const options = current()?.options ?? [];
    clear(choice);
    const many = options.length > 1;
    choiceField.hidden = !many;
    if (many) options.forEach((o, i) => choice.append(h("option", { value: String(i) }, optionLabel(o))));
    showText();
  }
  function showText() {
    const o = option();
    preview.textContent = o?.preview ?? "";
    theirs.textContent = o?.theirs ?? "";
    button.disabled = off || busy() || !o;
  }
  pick.addEventListener("change", showChoice);
  choice.addEventListener("change", showText);

  const busy = sendOnSubmit(form, button, {
    busyText: t("readyReply.sending"),
    idleText: t("readyReply.send"),
    take: () => option()?.reply ?? null,
    send: submit,
    sent: onSent,
    settled: showText,
  });

  return {
    el: form,
    /** @param {string} langQuery */
    async load(langQuery) {
      /** @type {ReadyReplies} */
      let loaded;
      try {
        loaded = await api("GET", `${path}/ready-replies${langQuery}`);
      } catch (err) {
        hint.textContent = t("readyReply.unavailable");
        reportError(err);
        return;
      }
      data = loaded;
      const nationality = loaded.nationality ? label("nationality", loaded.nationality) : t("nationality.unknown");
      hint.textContent = t("readyReply.hint", {
        language: languageName(loaded.language),
        nationality: loaded.nationalityGuessed ? t("readyReply.guessed", { nationality }) : nationality,
      });
      theirsLabel.textContent = t("readyReply.theirs", { language: languageName(loaded.language) });
      const chosen = pick.value;
      clear(pick);
      for (const r of loaded.replies) if (r.options.length) pick.append(h("option", { value: r.id, selected: r.id === chosen }, label("readyReply", r.id)));
      showChoice();
    },
    /** No picking or sending, and why. @param {boolean} disabled @param {string} why */
    setDisabled(disabled, why) {
      off = disabled;
      form.classList.toggle("is-disabled", disabled);
      pick.disabled = disabled;
      choice.disabled = disabled;
      disabledNote.hidden = !disabled;
      disabledNote.textContent = disabled ? why : "";
      showText();
    },
  };
}
