// Stored outbound message -> Telegram sendMessage calls (text parts and keyboards).
import type { InlineKeyboardMarkup, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";
import type { RenderedPayload } from "../../engine/render.ts";
import { splitText } from "../split-text.ts";

export const TELEGRAM_TEXT_LIMIT = 4096;
/** More choices than this are laid out two per row. */
const LONG_LIST = 8;

export interface TelegramSend {
  text: string;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup;
  /** Spoilers over the contact numbers (a message sent in one part only; a longer one goes plain). */
  entities?: MessageEntity[];
}

function markup(payload: RenderedPayload | null): TelegramSend["reply_markup"] {
  if (payload?.requestLocation) {
    // A reply keyboard: the location button, and the choices as plain text buttons
    // (typed labels are matched back to choices by the engine).
    return {
      keyboard: [
        [{ text: payload.requestLocation.label, request_location: true }],
        ...(payload.choices ?? []).map((c) => [{ text: c.label }]),
      ],
      one_time_keyboard: true,
      resize_keyboard: true,
    };
  }
  if (payload?.choices?.length) {
    const buttons = payload.choices.map((c) => ({ text: c.label, callback_data: c.id }));
    // Long lists (nationalities) go two to a row so the keyboard fits a phone screen.
    const perRow = buttons.length > LONG_LIST ? 2 : 1;
    const rows = [];
    for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
    return { inline_keyboard: rows };
  }
  return undefined;
}

export function toTelegramSends(text: string, payload: RenderedPayload | null): TelegramSend[] {
  const parts = splitText(text, TELEGRAM_TEXT_LIMIT);
  const replyMarkup = markup(payload);
  const spoilers = parts.length === 1 ? spoilerEntities(text, payload) : [];
  return parts.map((part, i) => ({
    text: part,
    ...(i === parts.length - 1 && replyMarkup ? { reply_markup: replyMarkup } : {}),
    ...(spoilers.length ? { entities: spoilers } : {}),
  }));
}

/** The payload's spoiler ranges that lie inside the text. */
function spoilerEntities(text: string, payload: RenderedPayload | null): MessageEntity[] {
  return (payload?.spoilers ?? [])
    .filter((s) => s.offset >= 0 && s.length > 0 && s.offset + s.length <= text.length)
    .map((s) => ({ type: "spoiler" as const, offset: s.offset, length: s.length }));
}
