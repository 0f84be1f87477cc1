// Telegram update -> neutral inbound event. Pure: no grammY runtime, no I/O.
import type { Message, Update } from "grammy/types";
import { COMMANDS, type Command, type PersonEvent, type UnsupportedKind } from "../../../flows/types.ts";
import type { Inbound } from "../../engine/engine.ts";
import type { Attachment } from "../../store/types.ts";
import { attachmentOf as announced } from "../attachment-fields.ts";

export type TelegramInbound =
  | { kind: "private"; inbound: Inbound; callbackQueryId?: string }
  | { kind: "group"; chatId: number; languageHint?: string; shouldAnswer: boolean }
  | { kind: "ignored" };

function unsupportedKind(message: Message): UnsupportedKind {
  if (message.photo) return "photo";
  if (message.sticker) return "sticker";
  if (message.voice || message.video_note) return "voice";
  if (message.audio) return "audio";
  if (message.video || message.animation) return "video";
  if (message.document) return "file";
  return "other";
}

/** The photo or file a message carries, as the Bot API announces it (fetched later with getFile). */
export function attachmentOf(message: Message): Attachment | undefined {
  const file = (kind: Attachment["kind"], f: { file_id: string; file_size?: number; mime_type?: string; file_name?: string } | null) =>
    announced(kind, { ref: f?.file_id, size: f?.file_size, contentType: f?.mime_type, fileName: f?.file_name });
  // Telegram sends a photo in several sizes, smallest first: the largest is the evidence.
  // (The webhook schema does not check media fields: anything malformed is left out, not stored.)
  const photo = Array.isArray(message.photo) ? message.photo.at(-1) : undefined;
  if (photo) return file("photo", { ...photo, mime_type: "image/jpeg" });
  if (message.document) return file(String(message.document.mime_type).startsWith("image/") ? "photo" : "file", message.document);
  if (message.video) return file("video", message.video);
  if (message.animation) return file("video", message.animation);
  if (message.video_note) return file("video", message.video_note);
  if (message.voice) return file("voice", message.voice);
  if (message.audio) return file("audio", message.audio);
  return undefined;
}

function messageEvent(message: Message): PersonEvent {
  if (message.location) {
    return { type: "LOCATION", latitude: message.location.latitude, longitude: message.location.longitude };
  }
  if (message.text !== undefined) {
    const command = /^\/([a-z]+)(@\w+)?(\s|$)/i.exec(message.text)?.[1]?.toLowerCase();
    if (command && (COMMANDS as readonly string[]).includes(command)) {
      return { type: "COMMAND", command: command as Command };
    }
    return { type: "TEXT", text: message.text };
  }
  return { type: "UNSUPPORTED", what: unsupportedKind(message) };
}

export function fromTelegramUpdate(update: Update): TelegramInbound {
  const eventId = String(update.update_id);
  const edited = update.edited_message;
  const message = update.message ?? edited;
  const callback = update.callback_query;
  const chat = message?.chat ?? callback?.message?.chat;
  const from = message?.from ?? callback?.from;

  if (update.my_chat_member) {
    const { chat: memberChat, new_chat_member, from: adder } = update.my_chat_member;
    const added = new_chat_member.status === "member" || new_chat_member.status === "administrator";
    if (memberChat.type !== "private" && added) {
      return { kind: "group", chatId: memberChat.id, languageHint: adder.language_code, shouldAnswer: true };
    }
    return { kind: "ignored" };
  }
  if (!chat || !from) return { kind: "ignored" };
  if (chat.type !== "private") {
    const isCommand = update.message?.text?.startsWith("/") ?? false;
    return { kind: "group", chatId: chat.id, languageHint: from.language_code, shouldAnswer: isCommand };
  }

  const base = {
    channel: "telegram" as const,
    eventId,
    platformUserId: String(from.id),
    chatId: String(chat.id),
    ...(from.language_code ? { languageHint: from.language_code } : {}),
  };
  if (callback) {
    const event: PersonEvent = callback.data ? { type: "CHOICE", id: callback.data } : { type: "UNSUPPORTED", what: "other" };
    return { kind: "private", inbound: { ...base, event }, callbackQueryId: callback.id };
  }
  if (!message) return { kind: "ignored" };
  const event: PersonEvent = edited ? { type: "UNSUPPORTED", what: "edit" } : messageEvent(message);
  const attachment = edited ? undefined : attachmentOf(message);
  return { kind: "private", inbound: { ...base, event, platformMessageId: String(message.message_id), ...(attachment ? { attachment } : {}) } };
}
