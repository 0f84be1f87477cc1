// What a person may see of their own conversation: what they sent and what was sent to them.
// Internal notes, system events (assignment, status, risk) and delete orders belong to staff
// and the system. The test chat reads its transcript through this filter; Telegram and LINE
// only ever receive outbound messages from the outbox, which holds nothing else a person may
// not see (notes and events are never outbound, delete orders are not shown).

/** The rule, as a Prisma `where` fragment on Message: the only place it is decided. */
export const personVisibleWhere = { direction: { in: ["in", "out"] }, kind: { not: "delete" } };

/** One row of the person's own transcript, as stored (see Store.personTranscript). */
export interface PersonRow {
  /** Position among the chat's visible rows: 1, 2, … */
  seq: number;
  conversationId: string;
  direction: "in" | "out";
  kind: string;
  text: string | null;
  payload: unknown;
  status: string;
  /** The platform's id of the person's event (web: `<session>:<the page's post id>`). */
  eventId: string | null;
}

/** A message as the person saw it on their screen: nothing else of the row leaves the server. */
export interface SeenMessage {
  /** Position in the chat (seq): the same message always has the same id. */
  id: number;
  direction: "in" | "out";
  /** "text", "choice" (a tap), "location", "command" (a typed /command). */
  kind: string;
  /** What they typed, the label of the button they tapped, or the bot's text. */
  text: string | null;
  choices?: { id: string; label: string }[];
  requestLocation?: { label: string };
  location?: { latitude: number; longitude: number };
  /** The person's own event id for this message, so their device can match it with its own copy. */
  eventId?: string;
  /** The conversation ended here on the person's request: a quick exit (/stop) or an erasure (/delete). */
  end?: "stopped" | "erased";
}

export interface SeenPage {
  messages: SeenMessage[];
  /** The seq to ask from next time (rows the person never saw are passed over, the undelivered are not). */
  next: number;
  /** The conversation whose erasure's last reply is in `messages`: it may now forget the chat. */
  erasedChatRead?: string;
}

interface OutPayload {
  key?: string;
  choices?: { id: string; label: string }[];
  requestLocation?: { label: string };
  forgetChat?: boolean;
}

/** The flow's own confirmations of a quick exit and an erasure, and the delete-it-yourself tip. */
const STOP_KEYS = new Set(["stop.done", "stop.deleteYourself"]);
const ERASED_KEY = "delete.done";

/** A reply still on its way: it and everything after it wait for the next read. */
const undelivered = (row: PersonRow) => row.direction === "out" && (row.status === "pending" || row.status === "sending");

/** Rows the person never saw: replies cancelled, erased or failed before delivery, erased content, unsent messages. */
function neverSeen(row: PersonRow): boolean {
  if (row.kind === "erased" || row.status === "unsent") return true;
  return row.direction === "out" && row.status !== "sent";
}

/**
 * The person's view of `rows` (their chat from some seq on, in order). `earlier` are the rows
 * just before, read only to find what a tap's button said: a tap is shown with the label of the
 * latest message that offered it, in the language it was offered in, as LINE shows it.
 */
export function seenPage(rows: PersonRow[], earlier: PersonRow[] = [], after = 0): SeenPage {
  const offers: { id: string; label: string }[][] = [];
  const remember = (row: PersonRow) => {
    const choices = row.direction === "out" ? (row.payload as OutPayload | null)?.choices : undefined;
    if (choices?.length) offers.push(choices);
  };
  earlier.forEach(remember);
  const messages: SeenMessage[] = [];
  let next = after;
  let erasedChatRead: string | undefined;
  for (const row of rows) {
    if (undelivered(row)) break;
    next = row.seq;
    remember(row);
    if (neverSeen(row)) continue;
    const message = row.direction === "out" ? outbound(row) : inbound(row, offers);
    if (!message) continue;
    messages.push(message);
    if ((row.payload as OutPayload | null)?.forgetChat) erasedChatRead = row.conversationId;
  }
  return { messages, next, ...(erasedChatRead ? { erasedChatRead } : {}) };
}

function outbound(row: PersonRow): SeenMessage {
  const payload = (row.payload ?? {}) as OutPayload;
  const end = payload.key === ERASED_KEY || payload.forgetChat ? "erased" : payload.key && STOP_KEYS.has(payload.key) ? "stopped" : undefined;
  return {
    id: row.seq,
    direction: "out",
    kind: "text",
    text: row.text ?? "",
    ...(payload.choices?.length ? { choices: payload.choices.map(({ id, label }) => ({ id, label })) } : {}),
    ...(payload.requestLocation ? { requestLocation: { label: payload.requestLocation.label } } : {}),
    ...(end ? { end } : {}),
  };
}

function inbound(row: PersonRow, offers: { id: string; label: string }[][]): SeenMessage | undefined {
  const base = { id: row.seq, direction: "in" as const, kind: row.kind, ...(row.eventId ? { eventId: row.eventId } : {}) };
  if (row.kind === "choice") {
    const id = (row.payload as { choice?: unknown } | null)?.choice;
    const label = offers.findLast((choices) => choices.some((c) => c.id === id))?.find((c) => c.id === id)?.label;
    return { ...base, text: label ?? null };
  }
  if (row.kind === "location") {
    const p = row.payload as { latitude?: unknown; longitude?: unknown } | null;
    if (typeof p?.latitude !== "number" || typeof p.longitude !== "number") return undefined;
    return { ...base, text: null, location: { latitude: p.latitude, longitude: p.longitude } };
  }
  // Typed text and /commands as typed; photos, stickers and the like (not on the web) by their kind alone.
  return { ...base, text: row.text };
}
