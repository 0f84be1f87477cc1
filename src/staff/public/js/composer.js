// @ts-check
// A typed reply or note box, with a character count; its draft is kept per handoff.
import { h, nextId } from "./dom.js";
import { keepDraft, readDraft } from "./drafts.js";
import { t } from "./i18n.js";
import { showAlert } from "./notices.js";
import { sendOnSubmit } from "./send-on-submit.js";

/**
 * @param {object} options
 * @param {"reply" | "note"} options.kind
 * @param {string} options.id the handoff's
 * @param {number} options.max the longest text the server takes
 * @param {string} options.labelText
 * @param {string} options.hintText
 * @param {string} options.buttonText
 * @param {string} options.busyText
 * @param {(text: string) => Promise<void>} options.submit
 * @param {() => void} options.onSent
 * @param {() => void} [options.onTyping]
 */
export function composer({ kind, id, max, labelText, hintText, buttonText, busyText, submit, onSent, onTyping }) {
  const textId = nextId(kind);
  const hintId = `${textId}-hint`;
  const countId = `${textId}-count`;
  const textarea = h("textarea", { id: textId, name: kind, rows: kind === "reply" ? 4 : 3, maxlength: max, "aria-describedby": `${hintId} ${countId}`, dataset: { composer: kind } });
  const hint = h("p", { class: "hint", id: hintId }, hintText);
  const counter = h("p", { class: "counter", id: countId, "aria-live": "off" });
  const button = h("button", { type: "submit", class: `btn ${kind === "reply" ? "btn-primary" : "btn-note"}` }, buttonText);
  const disabledNote = h("p", { class: "muted", hidden: true });
  const form = h(
    "form",
    { class: `panel composer composer-${kind}`, dataset: { composer: kind } },
    h("label", { for: textId, class: "composer-label" }, labelText),
    hint,
    textarea,
    h("div", { class: "composer-foot" }, counter, button),
    disabledNote,
  );

  textarea.value = readDraft(kind, id);
  const updateCount = () => {
    counter.textContent = t("composer.count", { count: textarea.value.length, max });
  };
  updateCount();
  textarea.addEventListener("input", () => {
    keepDraft(kind, id, textarea.value);
    updateCount();
    if (textarea.value) onTyping?.();
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const busy = sendOnSubmit(form, button, {
    busyText,
    idleText: buttonText,
    take() {
      const text = textarea.value;
      if (text.trim()) return text;
      showAlert(t("composer.empty"));
      textarea.focus();
      return null;
    },
    send: submit,
    sent(text) {
      // Only clear what was sent (the user may have typed on meanwhile).
      if (textarea.value === text) textarea.value = "";
      keepDraft(kind, id, textarea.value);
      updateCount();
      onSent();
    },
    settled() {
      button.disabled = form.classList.contains("is-disabled");
    },
  });

  return {
    el: form,
    /** @param {string} text */
    setHint(text) {
      hint.textContent = text;
    },
    /** No typing or sending, and why. @param {boolean} disabled @param {string} why */
    setDisabled(disabled, why) {
      form.classList.toggle("is-disabled", disabled);
      textarea.disabled = disabled;
      button.disabled = disabled || busy();
      disabledNote.hidden = !disabled;
      disabledNote.textContent = disabled ? why : "";
    },
  };
}
