// Ready replies: short, calm answers staff pick in the console. The server turns a reply id
// and its parameters into the message (texts under `staffReply.` in locales/, in the
// person's language), so the console cannot send its own words under a ready reply's name.
// Each text opens with words that reveal nothing on a lock screen; a number comes only from
// the person's own lines (flows/data/contacts.ts through their nationality), after the text.
import type { OutMessage } from "../types.ts";
import { CONTACTS, isUserVisible, type ContactId } from "./contacts.ts";
import { emergencyCard, infoCard, type Nationality } from "./nationalities.ts";

/** In the order the console offers them. */
export const READY_REPLY_IDS = [
  "received",
  "safeToWrite",
  "shareLocation",
  "callNow",
  "answerWithin",
  "tellMore",
  "stillThere",
  "notAlone",
  "staySafe",
  "passedToEmbassy",
  "beforePaying",
  "closing",
] as const;
export type ReadyReplyId = (typeof READY_REPLY_IDS)[number];

/** "We will answer within …": the choices staff have. */
export const ANSWER_WITHIN = ["hour", "fewHours", "today", "tomorrow"] as const;
export type AnswerWithin = (typeof ANSWER_WITHIN)[number];

export type ReadyReply =
  | { id: Exclude<ReadyReplyId, "callNow" | "answerWithin"> }
  /** One of the person's own lines (see `personLines`). */
  | { id: "callNow"; contact: ContactId }
  | { id: "answerWithin"; within: AnswerWithin };

/**
 * The lines a ready reply may give a person: those the bot itself lists for their
 * nationality under "Contacts & info" (their own government's, what families use, Cambodian
 * police), or Cambodian police only while no nationality is known. HIGH and MED only.
 */
export function personLines(nationality: Nationality | undefined): ContactId[] {
  const card = nationality ? infoCard(nationality) : emergencyCard(undefined);
  return card.contacts.filter((id) => isUserVisible(CONTACTS[id]));
}

/** The message a ready reply sends: i18n keys and a contact id, rendered in the person's language. */
export function readyReplyMessage(reply: ReadyReply): OutMessage {
  switch (reply.id) {
    case "callNow":
      return { text: "staffReply.callNow", contacts: [reply.contact] };
    case "answerWithin":
      return { text: `staffReply.answerWithin.${reply.within}` };
    case "shareLocation":
      return { text: "staffReply.shareLocation", requestLocation: true };
    default:
      return { text: `staffReply.${reply.id}` };
  }
}
