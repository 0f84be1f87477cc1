// @ts-check
// New handoffs are announced wherever the user is: the ids already seen since sign-in.
import { announce } from "./notices.js";
import { label, riskLabel, t } from "./i18n.js";
/** @import { HandoffSummary } from "./types.js" */

/** Handoff ids already seen. Null until the first queue load. @type {Set<string> | null} */
let known = null;

/**
 * Remembers the ids; announces the new ones. Returns the set of new ids.
 * @param {HandoffSummary[]} handoffs
 * @param {boolean} announceNew
 */
export function noteHandoffs(handoffs, announceNew) {
  /** @type {Set<string>} */
  const fresh = new Set();
  if (known === null) {
    known = new Set(handoffs.map((x) => x.id));
    return fresh;
  }
  for (const x of handoffs) if (!known.has(x.id)) fresh.add(x.id), known.add(x.id);
  if (announceNew && fresh.size) {
    const items = handoffs.filter((x) => fresh.has(x.id));
    const [only] = items;
    announce(
      items.length === 1 && only
        ? t("live.newHandoff", { risk: riskLabel(only.risk), channel: label("channel", only.channel) })
        : t("live.newHandoffs", { count: items.length }),
    );
  }
  return fresh;
}

/** At sign-out: the next person to sign in starts afresh. */
export function forgetHandoffs() {
  known = null;
}
