// Stored outbound messages -> LINE message objects: text parts below 5,000 characters,
// choices as quick-reply postback buttons (max 13, labels max 20 characters; longer
// labels are shortened on the button and shown in full when tapped), the location
// request as the quick-reply location action. With more choices than fit, the text
// lists them all with numbers, and typing a number selects one.
import type { messagingApi } from "@line/bot-sdk";
import type { RenderedPayload } from "../../engine/render.ts";
import { splitText } from "../split-text.ts";

export const LINE_TEXT_LIMIT = 5000;
export const LINE_MESSAGES_PER_CALL = 5;
export const LINE_QUICK_REPLY_MAX = 13;
export const LINE_LABEL_MAX = 20;
export const LINE_DATA_MAX = 300;

export function shortLabel(label: string): string {
  const chars = [...label];
  return chars.length <= LINE_LABEL_MAX ? label : `${chars.slice(0, LINE_LABEL_MAX - 1).join("")}…`;
}

function quickReply(payload: RenderedPayload): messagingApi.QuickReply | undefined {
  const items: messagingApi.QuickReplyItem[] = [];
  if (payload.requestLocation) {
    items.push({ type: "action", action: { type: "location", label: shortLabel(payload.requestLocation.label) } });
  }
  for (const choice of payload.choices ?? []) {
    items.push({
      type: "action",
      action: { type: "postback", label: shortLabel(choice.label), data: choice.id.slice(0, LINE_DATA_MAX), displayText: choice.label },
    });
  }
  return items.length ? { items: items.slice(0, LINE_QUICK_REPLY_MAX) } : undefined;
}

function overflowList(payload: RenderedPayload): string {
  const buttons = (payload.requestLocation ? 1 : 0) + (payload.choices?.length ?? 0);
  if (buttons <= LINE_QUICK_REPLY_MAX || !payload.choices) return "";
  return `\n\n${payload.choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}`;
}

/** The LINE messages of one stored outbound message. */
export function toLineMessages(text: string, payload: RenderedPayload | null): messagingApi.TextMessage[] {
  const full = payload ? text + overflowList(payload) : text;
  const parts = splitText(full, LINE_TEXT_LIMIT);
  const reply = payload ? quickReply(payload) : undefined;
  return parts.map((part, i) => ({
    type: "text" as const,
    text: part,
    ...(reply && i === parts.length - 1 ? { quickReply: reply } : {}),
  }));
}
