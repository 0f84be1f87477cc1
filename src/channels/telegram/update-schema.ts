// The parts of a Telegram update SafeLine reads, checked at the webhook before anything
// runs: those fields must have their Bot API types (ids are safe integers, coordinates in
// range); unknown fields and update kinds pass through untouched. Message text is made
// storable (storable-text.ts).
import type { Update } from "grammy/types";
import { z } from "zod";
import { storableText } from "../storable-text.ts";

const user = z.looseObject({ id: z.int(), language_code: z.string().optional() });
const chat = z.looseObject({ id: z.int(), type: z.string() });
const message = z.looseObject({
  message_id: z.int(),
  chat,
  from: user.optional(),
  text: z.string().transform(storableText).optional(),
  location: z.looseObject({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
});
const update = z.looseObject({
  update_id: z.int().min(0),
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: z
    .looseObject({ id: z.string().min(1), from: user, data: z.string().optional(), message: z.looseObject({ message_id: z.int(), chat }).optional() })
    .optional(),
  my_chat_member: z.looseObject({ chat, from: user, new_chat_member: z.looseObject({ status: z.string() }) }).optional(),
});

/** The update, or undefined when the body is not one SafeLine can read. */
export function parseUpdate(body: unknown): Update | undefined {
  const parsed = update.safeParse(body);
  return parsed.success ? (parsed.data as unknown as Update) : undefined;
}
