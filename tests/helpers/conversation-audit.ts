// Scripted Telegram conversations along the helpline flow's real paths, and what the
// database and the fake Bot API must show once they have run: every update stored once and
// in the order sent, each conversation's state and replies what the flow says for those
// events, and every outbox message delivered once, in order (sends no row accounts for are
// handed back to the caller, who must explain them). Reads the tables, not the store.
import type { PersonEvent } from "../../flows/types.ts";
import type { FakeTelegramBotApi, RecordedCall } from "../fakes/telegram-bot-api.ts";
import { query } from "./db-query.ts";
import { forChannel } from "../../src/engine/channel-messages.ts";
import { pathEvents, runFlow, shortestPaths, stateId } from "./flow-model.ts";

export interface ScriptedChat {
  chatId: number;
  events: PersonEvent[];
  /** How many replies the flow gives to each event. */
  replies: number[];
  /** Where the flow rests after the last event. */
  finalState: string;
  /** update_id of each event, in the order sent (filled by the test as it makes the updates). */
  updateIds: number[];
}

/** How many messages each step sends on Telegram (the channel's additions, e.g. a neutral line after a card, included). */
function telegramReplies(run: ReturnType<typeof runFlow>): number[] {
  return run.steps.map((s) => forChannel(s.messages, "telegram", true).length);
}

let paths: PersonEvent[][] | undefined;

/** Shortest paths to every state of the flow, except those through /stop and /delete (they delete and erase the transcript). */
function flowPaths(): PersonEvent[][] {
  paths ??= shortestPaths()
    .map(pathEvents)
    .filter((events) => events.length > 0 && !runFlow(events).steps.some((s) => s.effects.some((e) => e.type === "quickExit" || e.type === "erase")));
  return paths;
}

/** Conversation `n` of a run: the flow's paths in turn. */
export function scriptedChat(n: number, chatId: number): ScriptedChat {
  const all = flowPaths();
  const events = all[n % all.length]!;
  const run = runFlow(events);
  return { chatId, events, replies: telegramReplies(run), finalState: run.state, updateIds: [] };
}

export interface ConversationAudit {
  /** Updates sent but not stored as an inbound message. */
  lost: number;
  /** Updates whose step ran more than once (stored twice, or more steps counted than inbound messages). */
  processedTwice: number;
  /** Conversations whose inbound messages are not in the order their updates were sent. */
  disordered: number;
  /** Conversations whose stored state, step count or replies per step differ from the flow's for the events stored. */
  inconsistent: number;
  problems: string[];
}

interface Row {
  id: number;
  conversationId: string;
  direction: string;
  platformEventId: string | null;
}

export async function auditConversations(url: string, chats: ScriptedChat[]): Promise<ConversationAudit> {
  const conversations = await query<{ id: string; chatId: string; seq: number; snapshot: string }>(
    url,
    `SELECT id, "chatId", seq, snapshot FROM "Conversation" WHERE channel = 'telegram'`,
  );
  const rows = await query<Row>(
    url,
    `SELECT id, "conversationId", direction, "platformEventId" FROM "Message" WHERE channel = 'telegram' AND direction IN ('in', 'out') ORDER BY id`,
  );
  const byConversation = new Map<string, Row[]>();
  for (const row of rows) {
    const list = byConversation.get(row.conversationId) ?? [];
    list.push({ ...row, id: Number(row.id) });
    byConversation.set(row.conversationId, list);
  }
  const audit: ConversationAudit = { lost: 0, processedTwice: 0, disordered: 0, inconsistent: 0, problems: [] };
  const problem = (chat: ScriptedChat, what: string) => audit.problems.push(`chat ${chat.chatId}: ${what}`);

  for (const chat of chats) {
    const sent = chat.updateIds.map(String);
    const mine = conversations.filter((c) => c.chatId === String(chat.chatId));
    if (mine.length !== 1) {
      if (mine.length === 0) audit.lost += sent.length;
      else audit.inconsistent++;
      problem(chat, `${mine.length} conversations`);
      continue;
    }
    const conversation = mine[0]!;
    const transcript = byConversation.get(conversation.id) ?? [];
    const inbound = transcript.filter((r) => r.direction === "in");
    const stored = inbound.map((r) => r.platformEventId ?? "");

    const lost = sent.filter((id) => !stored.includes(id));
    audit.lost += lost.length;
    if (lost.length) problem(chat, `updates ${lost.join(", ")} not stored`);
    const twice = stored.length - new Set(stored).size + Math.max(0, Number(conversation.seq) - stored.length);
    audit.processedTwice += twice;
    if (twice) problem(chat, `${stored.length} inbound messages (${new Set(stored).size} distinct), seq ${conversation.seq}`);
    const unknown = stored.filter((id) => !sent.includes(id));
    if (unknown.length) problem(chat, `stored updates never sent: ${unknown.join(", ")}`);
    const inOrder = sent.filter((id) => stored.includes(id));
    if (stored.filter((id) => sent.includes(id)).join() !== inOrder.join()) {
      audit.disordered++;
      problem(chat, `stored in order ${stored.join(",")}, sent ${sent.join(",")}`);
    }

    // The state and the replies follow from the events stored, in the order stored.
    const events = stored.map((id) => chat.events[sent.indexOf(id)]).filter((e): e is PersonEvent => e !== undefined);
    const expected = events.length === chat.events.length ? { replies: chat.replies, state: chat.finalState } : flowOf(events);
    const replies = inbound.map((r, i) => transcript.filter((o) => o.direction === "out" && o.id > r.id && o.id < (inbound[i + 1]?.id ?? Infinity)).length);
    const outBefore = transcript.filter((o) => o.direction === "out" && o.id < (inbound[0]?.id ?? 0)).length;
    let state = "";
    try {
      state = stateId((JSON.parse(conversation.snapshot) as { value: unknown }).value);
    } catch {
      state = `unreadable snapshot`;
    }
    const wrong: string[] = [];
    if (Number(conversation.seq) !== inbound.length) wrong.push(`seq ${conversation.seq} for ${inbound.length} inbound messages`);
    if (replies.join() !== expected.replies.join() || outBefore) wrong.push(`replies per step ${replies.join(",")}, flow says ${expected.replies.join(",")}`);
    if (state !== expected.state) wrong.push(`state ${state}, flow says ${expected.state}`);
    if (wrong.length) {
      audit.inconsistent++;
      problem(chat, wrong.join("; "));
    }
  }
  return audit;
}

function flowOf(events: PersonEvent[]): { replies: number[]; state: string } {
  if (events.length === 0) return { replies: [], state: "" };
  const run = runFlow(events);
  return { replies: telegramReplies(run), state: run.state };
}

export interface OutboundRow {
  id: number;
  chatId: string;
  status: string;
  platformMessageId: string | null;
}

export interface DeliveryAudit {
  /** Outbox messages (rows). */
  outbound: number;
  /** Rows not marked sent. */
  unsent: number;
  /** Sends at the fake that a row records as its own. */
  delivered: number;
  /** Successful sends at the fake that no row records: the same message sent again. */
  duplicates: RecordedCall[];
  /** Rows marked sent whose sends never reached the fake (or reached it more than once under one id). */
  missing: number;
  /** Chats whose messages reached the fake in another order than their rows'. */
  outOfOrder: number;
  /** The row each recorded send belongs to. */
  rowOf: Map<RecordedCall, OutboundRow>;
  rows: OutboundRow[];
  problems: string[];
}

const messageIdOf = (call: RecordedCall) => String((call.result as { message_id?: number } | undefined)?.message_id);

export async function auditDelivery(url: string, fake: FakeTelegramBotApi): Promise<DeliveryAudit> {
  const rows = (
    await query<OutboundRow>(
      url,
      `SELECT m.id, c."chatId", m.status, m."platformMessageId" FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
       WHERE m.channel = 'telegram' AND m.direction = 'out' ORDER BY m.id`,
    )
  ).map((r) => ({ ...r, id: Number(r.id) }));
  const calls = fake.sentMessages();
  const byMessageId = new Map(calls.map((c) => [messageIdOf(c), c]));
  const rowOf = new Map<RecordedCall, OutboundRow>();
  const audit: DeliveryAudit = { outbound: rows.length, unsent: 0, delivered: 0, duplicates: [], missing: 0, outOfOrder: 0, rowOf, rows, problems: [] };

  for (const row of rows) {
    if (row.status !== "sent") {
      audit.unsent++;
      audit.problems.push(`row ${row.id} is ${row.status}`);
      continue;
    }
    for (const id of (row.platformMessageId ?? "").split(",").filter(Boolean)) {
      const call = byMessageId.get(id);
      if (!call || rowOf.has(call) || String(call.payload.chat_id) !== row.chatId) {
        audit.missing++;
        audit.problems.push(`row ${row.id}: message ${id} not received for chat ${row.chatId}`);
        continue;
      }
      rowOf.set(call, row);
      audit.delivered++;
    }
  }
  audit.duplicates = calls.filter((c) => !rowOf.has(c));

  const lastRow = new Map<string, number>();
  const disordered = new Set<string>();
  for (const call of calls) {
    const row = rowOf.get(call);
    if (!row) continue;
    if ((lastRow.get(row.chatId) ?? 0) > row.id) disordered.add(row.chatId);
    lastRow.set(row.chatId, row.id);
  }
  audit.outOfOrder = disordered.size;
  for (const chat of disordered) audit.problems.push(`chat ${chat}: messages reached the fake out of order`);
  return audit;
}
