// One conversation step per inbound event: dedupe -> load snapshot -> machine step ->
// one transaction (inbound, snapshot, outbox, handoff) -> wake the outbox.
// Steps of one chat run in arrival order; different chats run concurrently.
import type { i18n as I18n } from "i18next";
import type { FlowDefinition } from "../../flows/registry.ts";
import type { Effect, FlowEvent, OutMessage } from "../../flows/types.ts";
import { FALLBACK_LANGUAGE, supportedLanguage } from "../i18n.ts";
import type { Logger } from "../log.ts";
import type { Channel, StepContext, StepOutput, StepResult, Store } from "../store/store.ts";
import { advance, type PersistedState, type StoredMachine } from "./advance.ts";
import { matchChoice } from "./choice-match.ts";
import { KeyedQueue } from "./keyed-queue.ts";
import { referenceCode } from "./reference-code.ts";
import { render } from "./render.ts";
import { staffAvailable, type StaffHours } from "./staff-hours.ts";

/** A platform update translated by a channel adapter. */
export interface Inbound {
  channel: Channel;
  /** Platform event id, unique per channel (Telegram update_id, LINE webhookEventId). */
  eventId: string;
  platformUserId: string;
  chatId: string;
  languageHint?: string;
  event: FlowEvent;
  /** The person's own message id, kept so it can be deleted later where the platform allows. */
  platformMessageId?: string;
  /** A platform reply token for answering this event (LINE), attached to this step's replies. */
  replyToken?: string;
}

/** LINE reply tokens last about a minute; leave room for delivery. */
const REPLY_TOKEN_VALID_MS = 50_000;

export interface EngineOptions {
  /** Called after a step committed replies (wakes the outbox). */
  onCommitted?: () => void;
  /** When staff answer handoffs; unset means the bot does not promise times. */
  staffHours?: StaffHours;
  /** Channels whose platform lets the bot delete chat messages (Telegram). */
  deletingChannels?: ReadonlySet<Channel>;
}

export class Engine {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: Store,
    private readonly flow: FlowDefinition,
    private readonly i18n: I18n,
    private readonly log: Logger,
    private readonly options: EngineOptions = {},
  ) {}

  handle(inbound: Inbound): Promise<StepResult> {
    return this.queue.run(`${inbound.channel}:${inbound.chatId}`, async () => {
      if (await this.store.eventSeen(inbound.channel, inbound.eventId)) return { duplicate: true };
      const result = await this.store.step(inbound, (ctx) => this.decide(inbound, ctx));
      if (result.duplicate) {
        this.log.info({ channel: inbound.channel }, "duplicate event ignored");
      } else {
        this.log.info({ conversation: result.conversationId, out: result.outboundCount, event: inbound.event.type }, "step committed");
        if (result.outboundCount > 0) this.options.onCommitted?.();
      }
      return result;
    });
  }

  private decide(inbound: Inbound, { contactLanguage, conversation }: StepContext): StepOutput {
    const stored: StoredMachine | null = conversation && {
      machineId: conversation.machineId,
      machineVersion: conversation.machineVersion,
      state: JSON.parse(conversation.snapshot) as PersistedState,
    };
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
    const messages = this.addedMessages(said, effects, canDelete).map((m) =>
      reportCode ? { ...m, params: { ...m.params, reportCode } } : m,
    );

    const chosen = (snapshot.context as { lang?: string }).lang;
    const lang = chosen ?? contactLanguage ?? supportedLanguage(inbound.languageHint) ?? FALLBACK_LANGUAGE;
    const t = this.i18n.getFixedT(lang);
    const reply = inbound.replyToken
      ? { token: inbound.replyToken, until: new Date(Date.now() + REPLY_TOKEN_VALID_MS).toISOString() }
      : undefined;
    const outbound = messages.map((m) => render(m, t, reply));
    // An erased conversation keeps its chat id only until its last reply is delivered.
    const last = outbound.at(-1);
    if (erase && last) last.payload.forgetChat = true;
    const asked = outbound.findLast((m) => m.payload.choices);
    const state: PersistedState = {
      value: snapshot.value,
      context: snapshot.context,
      choices: messages.length ? asked?.payload.choices : stored?.state.choices,
    };
    return {
      machineId: this.flow.id,
      machineVersion: this.flow.version,
      snapshot: JSON.stringify(state),
      status: snapshot.hasTag("handoff") ? "handoff" : "active",
      language: chosen ?? null,
      inbound: inboundRecord(inbound),
      outbound,
      ...(handoff ? { handoff: { reason: handoff.reason, ...(handoff.risk ? { risk: handoff.risk } : {}) } } : {}),
      ...(quickExit && canDelete ? { quickExit: true } : {}),
      ...(erase ? { erase: true, status: "erased" as const, snapshot: "{}" } : {}),
      ...(report && reportCode
        ? { report: { kind: report.kind, code: reportCode, answers: report.answers, consent: report.consent, ...(report.risk ? { risk: report.risk } : {}) } }
        : {}),
    };
  }

  /**
   * What the engine adds to the flow's messages because only it knows: whether this
   * channel can delete messages (else: how to delete the chat yourself), and whether
   * staff are working now after a handoff (when hours are configured).
   */
  private addedMessages(said: OutMessage[], effects: Effect[], canDelete: boolean): OutMessage[] {
    const added: OutMessage[] = [];
    if (!canDelete && effects.some((e) => e.type === "quickExit" || e.type === "erase")) added.push({ text: "stop.deleteYourself" });
    const hours = this.options.staffHours;
    if (hours && effects.some((e) => e.type === "handoff")) {
      added.push(
        staffAvailable(hours, new Date())
          ? { text: "handoff.staffOnline" }
          : { text: "handoff.staffOffline", params: { hours: hours.label }, contacts: ["krConsularCallCenter", "khPolice117"] },
      );
    }
    return [...said, ...added];
  }
}

function inboundRecord(inbound: Inbound): StepOutput["inbound"] {
  const { event } = inbound;
  const base = inbound.platformMessageId ? { platformMessageId: inbound.platformMessageId } : {};
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
