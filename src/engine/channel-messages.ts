// The flow's messages as one channel gets them: the channel's own variant of a message (how
// to mute a chat in that app; "delete it yourself" where the bot cannot delete), and never a
// contact card as the step's last message, since the chat list keeps showing the last
// message: its choices move to a neutral line after it.
import type { ChannelName, OutMessage } from "../../flows/types.ts";

export function forChannel(messages: OutMessage[], channel: ChannelName, canDelete: boolean): OutMessage[] {
  const adapted = messages.map((m) => (!canDelete && m.whereCannotDelete) || m.onChannel?.[channel] || m);
  return endNeutrally(adapted);
}

/** A step that would end on a card of numbers ends on a neutral line instead (carrying the card's buttons). */
export function endNeutrally(messages: OutMessage[]): OutMessage[] {
  const last = messages.at(-1);
  if (!last?.contacts?.length && !last?.details) return messages;
  const { choices, requestLocation, ...card } = last!;
  const after: OutMessage = choices?.length
    ? { text: "common.afterCardChoose", choices, ...(requestLocation ? { requestLocation } : {}) }
    : { text: "common.afterCard", ...(requestLocation ? { requestLocation } : {}) };
  return [...messages.slice(0, -1), card, after];
}
