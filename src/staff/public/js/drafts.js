// @ts-check
// Drafts of replies and notes, kept in sessionStorage per handoff so they survive a new sign-in
// in the same tab; an explicit sign-out forgets them (they may hold personal details).

const PREFIX = "safeline.console.draft.";
/** @param {string} kind @param {string} handoffId */
const keyOf = (kind, handoffId) => `${PREFIX}${kind}.${handoffId}`;

/** @param {string} kind @param {string} handoffId */
export function readDraft(kind, handoffId) {
  try {
    return sessionStorage.getItem(keyOf(kind, handoffId)) ?? "";
  } catch {
    return "";
  }
}

/** Keeps `text` as the draft; an empty text removes it. @param {string} kind @param {string} handoffId @param {string} text */
export function keepDraft(kind, handoffId, text) {
  try {
    if (text) sessionStorage.setItem(keyOf(kind, handoffId), text);
    else sessionStorage.removeItem(keyOf(kind, handoffId));
  } catch {
    /* ignore */
  }
}

export function forgetDrafts() {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    /* ignore */
  }
}
