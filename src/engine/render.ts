// Turns a flow's neutral message into what is stored and sent: text in the person's
// language plus a structured payload the channel adapters draw as buttons.
import type { TFunction } from "i18next";
import { CONTACTS, isContactId, isUserVisible } from "../../flows/data/contacts.ts";
import type { OutMessage } from "../../flows/types.ts";

export interface RenderedPayload {
  key: string;
  choices?: { id: string; label: string }[];
  requestLocation?: { label: string };
  /** Answer with this platform reply token while it is valid (LINE). */
  reply?: { token: string; until: string };
  /** A ready reply staff picked: its id and parameters, so the console can show it in its own language. */
  ready?: { id: string; [param: string]: string };
  /** The conversation was erased: forget its chat id once this is delivered. */
  forgetChat?: boolean;
  /**
   * Ranges of the text (UTF-16 offsets) that are sensitive details: the contact numbers.
   * Telegram sends them as spoilers, which its apps mask in the chat list until tapped.
   */
  spoilers?: { offset: number; length: number }[];
}

export interface RenderedMessage {
  kind: "text";
  text: string;
  payload: RenderedPayload;
}

/** A contact line, with where its number (the sensitive part) starts in it. */
interface ContactLine {
  line: string;
  value: { start: number; length: number };
}

function contactLines(ids: string[], t: TFunction, showChecked: boolean): ContactLine[] {
  return ids.flatMap((id) => {
    if (!isContactId(id)) return [];
    const fact = CONTACTS[id];
    if (!isUserVisible(fact)) return [];
    const checked = showChecked && fact.checked ? ` (${t("contacts.checked", { date: fact.checked })})` : "";
    const head = `• ${t(fact.label)}: `;
    return [{ line: `${head}${fact.value}${checked}`, value: { start: head.length, length: fact.value.length } }];
  });
}

export function render(message: OutMessage, t: TFunction, reply?: RenderedPayload["reply"]): RenderedMessage {
  const params = message.params ?? {};
  const choices = message.choices?.map((c) => ({ id: c.id, label: t(c.label) }));
  const contacts = contactLines(message.contacts ?? [], t, message.showChecked ?? false);
  const before = [t(message.text, params), ...(message.bullets ?? []).map((key) => `• ${t(key, params)}`)];
  const lines = [...before, ...contacts.map((c) => c.line), ...(message.listed ?? []).map((c, i) => `${i + 1}. ${t(c.label)}`)];
  const payload: RenderedPayload = { key: message.text };
  if (contacts.length) {
    let offset = before.join("\n").length + 1;
    payload.spoilers = contacts.map((c) => {
      const range = { offset: offset + c.value.start, length: c.value.length };
      offset += c.line.length + 1;
      return range;
    });
  }
  if (choices?.length) payload.choices = choices;
  if (message.requestLocation) payload.requestLocation = { label: t("emergency.shareLocation") };
  if (reply) payload.reply = reply;
  return { kind: "text", text: lines.join("\n"), payload };
}
