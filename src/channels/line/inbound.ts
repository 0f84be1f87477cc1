// LINE webhook event -> what SafeLine does with it. Pure: no SDK client, no I/O.
import type { webhook } from "@line/bot-sdk";
import type { PersonEvent, UnsupportedKind } from "../../../flows/types.ts";
import { COMMANDS, type Command } from "../../../flows/types.ts";
import type { Inbound } from "../../engine/engine.ts";
import type { Attachment } from "../../store/types.ts";
import { attachmentOf as announced } from "../attachment-fields.ts";

export type LineAction =
  /** A one-to-one event for the engine. */
  | { kind: "step"; inbound: Inbound & { replyToken?: string } }
  /** The person blocked the account: mark the contact inactive, send nothing. */
  | { kind: "unfollow"; userId: string }
  /** The person unsent one of their messages. */
  | { kind: "unsend"; userId: string; messageId: string }
  /** A group or room: one short notice (when a reply token allows it), nothing stored. */
  | { kind: "group"; replyToken?: string }
  | { kind: "ignored" };

const MEDIA: Record<string, UnsupportedKind> = {
  image: "photo",
  video: "video",
  audio: "audio",
  file: "file",
  sticker: "sticker",
};

const ATTACHMENT: Partial<Record<string, Attachment["kind"]>> = { image: "photo", video: "video", audio: "audio", file: "file" };

/**
 * The photo or file a message carries, fetched later through the content API. Content kept
 * elsewhere (contentProvider "external") is not on LINE's servers and is not fetched.
 */
export function attachmentOf(message: webhook.MessageContent): Attachment | undefined {
  const kind = ATTACHMENT[message.type];
  if (!kind) return undefined;
  const provider = (message as { contentProvider?: { type?: string } }).contentProvider?.type;
  if (provider && provider !== "line") return undefined;
  const file = message.type === "file" ? (message as webhook.FileMessageContent) : undefined;
  return announced(kind, { ref: message.id, size: file?.fileSize, fileName: file?.fileName });
}

function messageEvent(message: webhook.MessageContent): PersonEvent {
  switch (message.type) {
    case "text": {
      const text = (message as webhook.TextMessageContent).text;
      const command = /^\/([a-z]+)$/i.exec(text.trim())?.[1]?.toLowerCase();
      if (command && (COMMANDS as readonly string[]).includes(command)) return { type: "COMMAND", command: command as Command };
      return { type: "TEXT", text };
    }
    case "location": {
      const { latitude, longitude } = message as webhook.LocationMessageContent;
      return { type: "LOCATION", latitude, longitude };
    }
    default:
      return { type: "UNSUPPORTED", what: MEDIA[message.type] ?? "other" };
  }
}

export function fromLineEvent(event: webhook.Event): LineAction {
  const source = event.source;
  const replyToken = "replyToken" in event && typeof event.replyToken === "string" ? event.replyToken : undefined;
  if (source?.type === "group" || source?.type === "room") {
    const speaks = event.type === "message" || event.type === "join";
    return speaks ? { kind: "group", ...(replyToken ? { replyToken } : {}) } : { kind: "ignored" };
  }
  const userId = source?.type === "user" ? source.userId : undefined;
  if (!userId) return { kind: "ignored" };

  const base = {
    channel: "line" as const,
    eventId: event.webhookEventId,
    platformUserId: userId,
    chatId: userId,
    ...(replyToken ? { replyToken } : {}),
  };
  switch (event.type) {
    case "message": {
      const { message } = event as webhook.MessageEvent;
      const attachment = attachmentOf(message);
      return { kind: "step", inbound: { ...base, event: messageEvent(message), platformMessageId: message.id, ...(attachment ? { attachment } : {}) } };
    }
    case "postback":
      return { kind: "step", inbound: { ...base, event: { type: "CHOICE", id: (event as webhook.PostbackEvent).postback.data } } };
    case "follow":
      return { kind: "step", inbound: { ...base, event: { type: "COMMAND", command: "start" } } };
    case "unfollow":
      return { kind: "unfollow", userId };
    case "unsend":
      return { kind: "unsend", userId, messageId: (event as webhook.UnsendEvent).unsend.messageId };
    default:
      return { kind: "ignored" };
  }
}
