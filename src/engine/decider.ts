// What a conversation step decides, without I/O: the flow's machine step on the stored
// snapshot, the replies rendered in the person's language, and the effects to store
// (handoff, report, quick exit, erasure). The engine runs it inside the step's transaction.
import type { i18n as I18n } from "i18next";
import type { AnyMachineSnapshot } from "xstate";
import { helplineFlow, type FlowDefinition } from "../../flows/registry.ts";
import type { Effect, OutMessage } from "../../flows/types.ts";
import { createI18n, FALLBACK_LANGUAGE, supportedLanguage } from "../i18n.ts";
import type { StepContext } from "../store/conversation-writes.ts";
import type { Channel, StaffStepOutput, StepOutput, StoredConversation } from "../store/types.ts";
import { advance, type PersistedState, type StoredMachine } from "./advance.ts";
import { matchChoice } from "./choice-match.ts";
import type { Inbound } from "./engine.ts";
import type { Admission } from "./inbound-limiter.ts";
import { referenceCode } from "./reference-code.ts";
import { forChannel } from "./channel-messages.ts";
import { render, type RenderedMessage, type RenderedPayload } from "./render.ts";
import { emergencyCard, isNationality, nationalityOf } from "../../flows/data/nationalities.ts";
import { readyReplyMessage, type ReadyReply } from "../../flows/data/ready-replies.ts";
import { staffAvailable, staffHoursText, type StaffHours } from "./staff-hours.ts";

/** What the engine reads of a flow's context: the chosen language and nationality, if the flow keeps them. */
type PersonContext = { lang?: string; nationality?: string; autoClearMinutes?: number };

/** What staff send: their own words, or a ready reply (flows/data/ready-replies.ts). */
export type StaffReply = { text: string } | { ready: ReadyReply };

/** LINE reply tokens last about a minute; leave room for delivery. */
const REPLY_TOKEN_VALID_MS = 50_000;

const RUN: Admission = { run: true };

/** Flow messages kept rendered per language, at most: the flows have a few hundred; a bound all the same. */
const RENDERED_PER_LANGUAGE = 2048;

/** The decider logs one thing: a snapshot from an older flow was restarted. */
export interface DeciderLog {
  warn(obj: object, msg: string): void;
}

export interface DeciderOptions {
  /** When staff answer handoffs; unset means the bot does not promise times. */
  staffHours?: StaffHours;
  /** Channels whose platform lets the bot delete chat messages (Telegram). */
  deletingChannels?: ReadonlySet<Channel>;
  /**
   * While staff have the conversation the bot is quiet; a message from the person gets a
   * short receipt at most once in this many milliseconds, so the chat does not seem dead.
   */
  receiptIntervalMs?: number;
  /**
   * The clock (tests): milliseconds since the epoch in shared memory (a Float64Array over a
   * SharedArrayBuffer), so that a decider on the SQLite writer's thread reads what a test sets.
   */
  clock?: Float64Array;
}

/** The helpline flow's decider, as the store runs it (in process, or on the SQLite writer's thread). */
export async function createDecider(options: DeciderOptions, log: DeciderLog): Promise<Decider> {
  return new Decider(helplineFlow, await createI18n(), log, options);
}

/** Ten minutes between "received" notes while staff have the conversation, unless configured. */
export const DEFAULT_RECEIPT_INTERVAL_MS = 10 * 60_000;

export class Decider {
  private readonly flow: FlowDefinition;
  private readonly i18n: I18n;
  private readonly log: DeciderLog;
  private readonly options: DeciderOptions;
  /** Rendered flow messages by language, then by content; see `render`. */
  private readonly rendered = new Map<string, Map<string, RenderedMessage>>();

  constructor(flow: FlowDefinition, i18n: I18n, log: DeciderLog, options: DeciderOptions = {}) {
    this.flow = flow;
    this.i18n = i18n;
    this.log = log;
    this.options = options;
  }

  /**
   * What a staff reply or closing does to the conversation. Typed text is sent prefixed, so the
   * person knows a person wrote it; a ready reply is rendered from its id and parameters in the
   * person's language, and keeps them in its payload so staff can read it in theirs.
   */
  decideStaff({ contactLanguage, conversation }: StepContext, staffId: string, reply: StaffReply | undefined, close: boolean): StaffStepOutput {
    const stored = storedMachine(conversation);
    const { snapshot, messages } = advance(this.flow, stored, { type: close ? "STAFF_CLOSE" : "STAFF_REPLY" });
    const lang = (snapshot.context as { lang?: string }).lang ?? contactLanguage ?? FALLBACK_LANGUAGE;
    const staffMessage = reply ? [{ ...this.renderStaffReply(reply, lang), staffId }] : [];
    const outbound = [...staffMessage, ...messages.map((m) => this.render(m, lang))];
    return {
      machineId: this.flow.id,
      machineVersion: this.flow.version,
      snapshot: persisted(snapshot, outbound, stored),
      status: snapshot.hasTag("handoff") ? "handoff" : "active",
      outbound,
    };
  }

  private now(): Date {
    return new Date(this.options.clock?.[0] ?? Date.now());
  }

  private renderStaffReply(reply: StaffReply, lang: string): RenderedMessage {
    if ("text" in reply) return this.render({ text: "handoff.staffSays", params: { text: reply.text } }, lang);
    const rendered = render(readyReplyMessage(reply.ready), this.i18n.getFixedT(lang));
    return { ...rendered, payload: { ...rendered.payload, ready: reply.ready } };
  }

  /** What a person's message does to the conversation; over the inbound limit (`admission`), it is only recorded. */
  decide(inbound: Inbound, ctx: StepContext, admission: Admission = RUN): StepOutput {
    return admission.run ? this.step(inbound, ctx) : this.recordOnly(inbound, ctx, admission.notice);
  }

  private step(inbound: Inbound, { contactLanguage, conversation }: StepContext): StepOutput {
    const stored = storedMachine(conversation);
    let event = inbound.event;
    if (event.type === "TEXT") {
      const id = matchChoice(event.text, stored?.state.choices);
      if (id) event = { type: "CHOICE", id };
    }
    const { snapshot, messages: said, effects, restarted } = advance(this.flow, stored, event);
    if (restarted) this.log.warn({ conversation: conversation?.id }, "snapshot from an older flow: restarted");
    const handoff = effects.find((e) => e.type === "handoff");
    const report = effects.find((e) => e.type === "report");
    const reportCode = report && referenceCode();
    const quickExit = effects.some((e) => e.type === "quickExit");
    const erase = effects.some((e) => e.type === "erase");
    const canDelete = this.options.deletingChannels?.has(inbound.channel) ?? false;
    const autoClearChosen = effects.some((e) => e.type === "autoClear");
    const context = snapshot.context as PersonContext;
    const chosen = context.lang;
    const lang = chosen ?? contactLanguage ?? supportedLanguage(inbound.languageHint) ?? FALLBACK_LANGUAGE;
    const messages = forChannel(this.addedMessages(said, effects, canDelete, context, lang), inbound.channel, canDelete).map((m) =>
      reportCode ? { ...m, params: { ...m.params, reportCode } } : m,
    );
    const reply = replyWindow(inbound);
    const receipt = this.receipt(inbound, snapshot, messages, stored);
    if (receipt) messages.push({ text: "handoff.received" });
    const outbound = messages.map((m) => this.render(m, lang, reply));
    // An erased conversation keeps its chat id only until its last reply is delivered.
    const last = outbound.at(-1);
    if (erase && last) last.payload.forgetChat = true;
    return {
      machineId: this.flow.id,
      machineVersion: this.flow.version,
      snapshot: persisted(snapshot, outbound, stored, receipt),
      status: snapshot.hasTag("handoff") ? "handoff" : "active",
      language: chosen ?? null,
      nationality: chosenNationality(context),
      inbound: inboundRecord(inbound),
      outbound,
      ...(handoff ? { handoff: { reason: handoff.reason, ...(handoff.risk ? { risk: handoff.risk } : {}) } } : {}),
      ...(quickExit && canDelete ? { quickExit: true } : {}),
      ...autoClearOf(context, canDelete, autoClearChosen),
      ...(erase ? { erase: true, status: "erased" as const, snapshot: "{}", nationality: null } : {}),
      ...(report && reportCode
        ? { report: { kind: report.kind, code: reportCode, answers: report.answers, consent: report.consent, ...(report.risk ? { risk: report.risk } : {}) } }
        : {}),
    };
  }

  /**
   * A message over the person's inbound limit: stored in the transcript like any other, but
   * the conversation stays as it was (no machine step) and the reply is at most a short
   * notice. A person with no conversation yet always gets the flow.
   */
  private recordOnly(inbound: Inbound, ctx: StepContext, notice: boolean): StepOutput {
    const { conversation, contactLanguage } = ctx;
    if (!conversation) return this.step(inbound, ctx);
    const lang = conversation.language ?? contactLanguage ?? supportedLanguage(inbound.languageHint) ?? FALLBACK_LANGUAGE;
    return {
      machineId: conversation.machineId,
      machineVersion: conversation.machineVersion,
      snapshot: conversation.snapshot,
      status: conversation.status,
      language: conversation.language,
      nationality: chosenNationality((JSON.parse(conversation.snapshot) as Partial<PersistedState>).context as PersonContext | undefined),
      inbound: inboundRecord(inbound),
      outbound: notice ? [this.render({ text: "common.tooFast" }, lang, replyWindow(inbound))] : [],
    };
  }

  /**
   * When a person writes while staff have the conversation and the flow stays quiet: the time
   * to record for a receipt, if the last one is older than the interval.
   */
  private receipt(inbound: Inbound, snapshot: AnyMachineSnapshot, said: OutMessage[], stored: StoredMachine | null): number | undefined {
    if (said.length > 0 || !snapshot.hasTag("handoff") || inbound.event.type === "COMMAND") return undefined;
    const now = this.now().getTime();
    const last = stored?.state.receiptAt ?? 0;
    return now - last >= (this.options.receiptIntervalMs ?? DEFAULT_RECEIPT_INTERVAL_MS) ? now : undefined;
  }

  /**
   * A message in `lang`. A message without params holds only what the flow wrote (i18n keys,
   * choices, contact ids), so it renders the same every time: each is rendered once per
   * language and copied from then on (rendering through i18next was a sixth of a step's CPU).
   * Keyed by content, not by object, because many are built afresh by each step (cards,
   * listed choices). Params can hold what people wrote, so those are rendered every time.
   */
  private render(message: OutMessage, lang: string, reply?: RenderedPayload["reply"]): RenderedMessage {
    if (message.params) return render(message, this.i18n.getFixedT(lang), reply);
    let byContent = this.rendered.get(lang);
    if (!byContent) this.rendered.set(lang, (byContent = new Map()));
    const key = JSON.stringify(message);
    let done = byContent.get(key);
    if (!done) {
      done = render(message, this.i18n.getFixedT(lang));
      if (byContent.size < RENDERED_PER_LANGUAGE) byContent.set(key, done);
    }
    return { ...done, payload: reply ? { ...done.payload, reply } : { ...done.payload } };
  }

  /**
   * What the engine adds to the flow's messages because only it knows: whether this
   * channel can delete messages (else: how to delete the chat yourself), and whether
   * staff are working now after a handoff (when hours are configured).
   */
  private addedMessages(said: OutMessage[], effects: Effect[], canDelete: boolean, context: PersonContext, lang: string): OutMessage[] {
    const added: OutMessage[] = [];
    // Before the last line ("OK."), which is what the chat list goes on showing.
    const deleteYourself = !canDelete && effects.some((e) => e.type === "quickExit" || e.type === "erase");
    if (deleteYourself) said = [...said.slice(0, -1), { text: "stop.deleteYourself" }, ...said.slice(-1)];
    const hours = this.options.staffHours;
    if (hours && effects.some((e) => e.type === "handoff")) {
      const now = this.now();
      if (staffAvailable(hours, now)) added.push({ text: "handoff.staffOnline" });
      else {
        const { days, from, to, cambodia, utcOffset } = staffHoursText(hours, lang, now);
        const zone = cambodia ? this.i18n.getFixedT(lang)("handoff.cambodiaTime") : utcOffset;
        const card = emergencyCard(nationalityOf(context));
        added.push({ text: "handoff.staffOffline", params: { days, from, to, zone }, bullets: card.notes, contacts: card.contacts });
      }
    }
    return [...said, ...added];
  }
}

/** The nationality the person chose in the flow, if any (a guess from the language does not count). */
function chosenNationality(context: PersonContext | undefined): string | null {
  return isNationality(context?.nationality) ? context.nationality : null;
}

/**
 * The auto-clear schedule to store after a step: on (minutes after this step) while the person
 * has it on and the channel can delete, off when they just turned it off; `changed` when they chose.
 */
function autoClearOf(context: PersonContext, canDelete: boolean, changed: boolean): Pick<StepOutput, "autoClear"> {
  if (!canDelete) return {};
  const minutes = context.autoClearMinutes ?? 0;
  return minutes > 0 || changed ? { autoClear: { minutes, changed } } : {};
}

function storedMachine(conversation: StoredConversation | null): StoredMachine | null {
  return (
    conversation && {
      machineId: conversation.machineId,
      machineVersion: conversation.machineVersion,
      state: JSON.parse(conversation.snapshot) as PersistedState,
    }
  );
}

/** The snapshot to store, with the choices last offered (kept when this step offered none) and the last receipt's time. */
function persisted(snapshot: AnyMachineSnapshot, outbound: RenderedMessage[], stored: StoredMachine | null, receiptAt?: number): string {
  const asked = outbound.findLast((m) => m.payload.choices);
  const lastReceipt = receiptAt ?? (snapshot.hasTag("handoff") ? stored?.state.receiptAt : undefined);
  const state: PersistedState = {
    value: snapshot.value,
    context: snapshot.context,
    choices: outbound.length ? asked?.payload.choices : stored?.state.choices,
    ...(lastReceipt ? { receiptAt: lastReceipt } : {}),
  };
  return JSON.stringify(state);
}

/** The event's platform reply token with the time it may still be used, if it has one. */
function replyWindow(inbound: Inbound): RenderedPayload["reply"] {
  return inbound.replyToken ? { token: inbound.replyToken, until: new Date(Date.now() + REPLY_TOKEN_VALID_MS).toISOString() } : undefined;
}

function inboundRecord(inbound: Inbound): StepOutput["inbound"] {
  const { event } = inbound;
  const base = {
    ...(inbound.platformMessageId ? { platformMessageId: inbound.platformMessageId } : {}),
    ...(inbound.attachment ? { attachment: inbound.attachment } : {}),
  };
  switch (event.type) {
    case "TEXT":
      return { ...base, kind: "text", text: event.text };
    case "CHOICE":
      return { ...base, kind: "choice", payload: { choice: event.id } };
    case "LOCATION":
      return { ...base, kind: "location", payload: { latitude: event.latitude, longitude: event.longitude } };
    case "COMMAND":
      return { ...base, kind: "command", text: `/${event.command}` };
    case "UNSUPPORTED":
      return { ...base, kind: event.what };
  }
}
