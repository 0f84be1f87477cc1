// Auto-clear: the chat is deleted (where the platform allows) this many minutes after its
// last message. The choices offered, the first being the default.
import type { Choice, OutMessage } from "../types.ts";

export const AUTO_CLEAR_MINUTES = [10, 30, 60] as const;
export const DEFAULT_AUTO_CLEAR_MINUTES = AUTO_CLEAR_MINUTES[0];

/** The choice id for `minutes` ("clear10"); "clearOff" turns it off (or declines). */
export const autoClearChoiceId = (minutes: number) => `clear${minutes}`;
export const AUTO_CLEAR_OFF = "clearOff";

/** The minutes a choice id stands for; 0 for "off"; undefined when it is not an auto-clear choice. */
export function autoClearMinutesOf(id: string): number | undefined {
  if (id === AUTO_CLEAR_OFF) return 0;
  const minutes = AUTO_CLEAR_MINUTES.find((m) => autoClearChoiceId(m) === id);
  return minutes;
}

const CHOICES: Choice[] = [
  { id: autoClearChoiceId(10), label: "autoClear.after10" },
  { id: autoClearChoiceId(30), label: "autoClear.after30" },
  { id: autoClearChoiceId(60), label: "autoClear.after60" },
  { id: AUTO_CLEAR_OFF, label: "autoClear.notNow" },
];

/**
 * The offer. Where the bot cannot delete (LINE), the same moment explains how to delete the
 * chat yourself, with one button to go on (`continueChoice`) when the flow waits for a tap.
 */
export function autoClearOffer(continueChoice?: Choice): OutMessage {
  return {
    text: "autoClear.offer",
    choices: CHOICES,
    whereCannotDelete: { text: "autoClear.deleteYourself", ...(continueChoice ? { choices: [continueChoice] } : {}) },
  };
}

/** How to mute this chat and hide previews, for the app the person uses. */
export const PROTECT_TIPS: OutMessage = {
  text: "protect.telegram",
  onChannel: { line: { text: "protect.line" } },
};
