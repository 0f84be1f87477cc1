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
}

export interface RenderedMessage {
  kind: "text";
  text: string;
  payload: RenderedPayload;
}

function contactLines(ids: string[], t: TFunction, showChecked: boolean): string[] {
  return ids.flatMap((id) => {
    if (!isContactId(id)) return [];
    const fact = CONTACTS[id];
    if (!isUserVisible(fact)) return [];
    const checked = showChecked && fact.checked ? ` (${t("contacts.checked", { date: fact.checked })})` : "";
    return [`• ${t(fact.label)}: ${fact.value}${checked}`];
  });
}

export function render(message: OutMessage, t: TFunction, reply?: RenderedPayload["reply"]): RenderedMessage {
  const params = message.params ?? {};
  const choices = message.choices?.map((c) => ({ id: c.id, label: t(c.label) }));
  const lines = [
    t(message.text, params),
    ...(message.bullets ?? []).map((key) => `• ${t(key, params)}`),
    ...contactLines(message.contacts ?? [], t, message.showChecked ?? false),
    ...(message.listed ?? []).map((c, i) => `${i + 1}. ${t(c.label)}`),
  ];
  const payload: RenderedPayload = { key: message.text };
  if (choices?.length) payload.choices = choices;
  if (message.requestLocation) payload.requestLocation = { label: t("emergency.shareLocation") };
  if (reply) payload.reply = reply;
  return { kind: "text", text: lines.join("\n"), payload };
}
