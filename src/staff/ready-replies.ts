// Ready replies as the console offers them, and the rule for which may be sent to whom. The
// server renders every text: the preview in the console's language and what the person will
// read in theirs, both from the same id and parameters the reply is later sent with.
import type { i18n as I18n, TFunction } from "i18next";
import { z } from "zod";
import { CONTACTS, type ContactId } from "../../flows/data/contacts.ts";
import { nationalityOf, type Nationality } from "../../flows/data/nationalities.ts";
import { ANSWER_WITHIN, personLines, READY_REPLY_IDS, readyReplyMessage, type ReadyReply, type ReadyReplyId } from "../../flows/data/ready-replies.ts";
import { render } from "../engine/render.ts";
import { FALLBACK_LANGUAGE, supportedLanguage } from "../i18n.ts";
import type { HandoffRow } from "../store/staff-types.ts";

const CONTACT_IDS = Object.keys(CONTACTS) as [ContactId, ...ContactId[]];
const WITH_PARAMS = ["callNow", "answerWithin"] as const;
const PLAIN_IDS = READY_REPLY_IDS.filter((id): id is Exclude<ReadyReplyId, (typeof WITH_PARAMS)[number]> => !(WITH_PARAMS as readonly string[]).includes(id));

/** A ready reply as the console sends it: an id and exactly the parameters that id takes. */
export const readyReplySchema = z.discriminatedUnion(
  "id",
  [
    z.object({ id: z.literal("callNow"), contact: z.enum(CONTACT_IDS) }).strict(),
    z.object({ id: z.literal("answerWithin"), within: z.enum(ANSWER_WITHIN) }).strict(),
    ...PLAIN_IDS.map((id) => z.object({ id: z.literal(id) }).strict()),
  ],
  { error: (issue) => (issue.code === "invalid_union" ? `not a ready reply (one of ${READY_REPLY_IDS.join(", ")})` : undefined) },
);

/** The nationality whose lines a person is given: the one chosen in the flow, else the guess from the language (as the bot does). */
export function nationalityFor(row: Pick<HandoffRow, "nationality" | "language">): Nationality | undefined {
  return nationalityOf({ ...(row.nationality ? { nationality: row.nationality } : {}), ...(row.language ? { lang: row.language } : {}) });
}

/** Why this reply may not go to this person, if it may not: a number must be one of their own lines. */
export function readyReplyRefusal(reply: ReadyReply, row: Pick<HandoffRow, "nationality" | "language">): string | undefined {
  if (reply.id === "callNow" && !personLines(nationalityFor(row)).includes(reply.contact)) return "ready.contact: not one of this person's lines";
  return undefined;
}

/** Every ready reply with its choices for this person, each rendered in the console's and the person's language. */
export function readyReplyOptions(row: Pick<HandoffRow, "nationality" | "language">, i18n: I18n, consoleLanguage: string) {
  const nationality = nationalityFor(row);
  const language = supportedLanguage(row.language ?? undefined) ?? FALLBACK_LANGUAGE;
  const inConsole = i18n.getFixedT(consoleLanguage);
  const inTheirs = i18n.getFixedT(language);
  const option = (reply: ReadyReply, label?: string) => ({
    reply,
    ...(label ? { label } : {}),
    preview: render(readyReplyMessage(reply), inConsole).text,
    theirs: render(readyReplyMessage(reply), inTheirs).text,
  });
  const contactLabel = (id: ContactId, t: TFunction) => `${t(CONTACTS[id].label)}: ${CONTACTS[id].value}`;
  return {
    language,
    nationality: nationality ?? null,
    /** The nationality is the language's guess: the person has not chosen one. */
    nationalityGuessed: nationality !== undefined && row.nationality !== nationality,
    replies: READY_REPLY_IDS.map((id) => ({
      id,
      options:
        id === "callNow" ? personLines(nationality).map((contact) => option({ id, contact }, contactLabel(contact, inConsole)))
        : id === "answerWithin" ? ANSWER_WITHIN.map((within) => option({ id, within }))
        : [option({ id })],
    })),
  };
}

/** A sent ready reply read back from its stored payload, in the console's language `t` (the person got it in theirs). */
export function readyReplyIn(payload: unknown, t: TFunction): { id: string; text: string } | undefined {
  const parsed = readyReplySchema.safeParse((payload as { ready?: unknown } | null)?.ready);
  return parsed.success ? { id: parsed.data.id, text: render(readyReplyMessage(parsed.data), t).text } : undefined;
}
