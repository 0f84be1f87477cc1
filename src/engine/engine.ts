// One conversation step per inbound event, in one transaction on the store's writer: dedupe
// (the unique key on channel + platform event id) -> load snapshot -> the flow's decision
// (decider.ts) -> inbound, snapshot, outbox, handoff -> wake the outbox.
// Steps of one chat run in arrival order; different chats run concurrently.
import type { PersonEvent } from "../../flows/types.ts";
import type { Logger } from "../log.ts";
import type { Channel, StepResult, Store } from "../store/store.ts";
import type { Attachment } from "../store/types.ts";
import type { HandoffStatus, StaffRecord } from "../store/staff-types.ts";
import type { StaffReply } from "./decider.ts";
import type { Admission, InboundLimiter } from "./inbound-limiter.ts";
import { KeyedQueue } from "./keyed-queue.ts";

/** A platform update translated by a channel adapter. */
export interface Inbound {
  channel: Channel;
  /** Platform event id, unique per channel (Telegram update_id, LINE webhookEventId). */
  eventId: string;
  platformUserId: string;
  chatId: string;
  languageHint?: string;
  event: PersonEvent;
  /** The person's own message id, kept so it can be deleted later where the platform allows. */
  platformMessageId?: string;
  /** A photo or file sent with the message: stored with it, fetched afterwards as evidence. */
  attachment?: Attachment;
  /** A platform reply token for answering this event (LINE), attached to this step's replies. */
  replyToken?: string;
}

export interface EngineOptions {
  /** Called after every committed step with the number of replies it queued (wakes the outbox and live consoles). */
  onCommitted?: (outboundCount: number, withAttachment?: boolean) => void;
  /** Per-person inbound limit; unset: every message runs the flow. */
  inboundLimiter?: InboundLimiter;
}

const RUN: Admission = { run: true };

export class Engine {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly options: EngineOptions;
  private readonly queue = new KeyedQueue();

  /** The store decides each step with the decider it was opened with (Store.open). */
  constructor(store: Store, log: Logger, options: EngineOptions = {}) {
    this.store = store;
    this.log = log;
    this.options = options;
  }

  handle(inbound: Inbound): Promise<StepResult> {
    return this.queue.run(`${inbound.channel}:${inbound.chatId}`, async () => {
      const admission = this.options.inboundLimiter?.admit(`${inbound.channel}:${inbound.platformUserId}`, inbound.event) ?? RUN;
      const result = await this.store.conversations.step(inbound, admission);
      if (result.duplicate) {
        this.log.info({ channel: inbound.channel }, "duplicate event ignored");
      } else {
        const throttled = admission.run ? {} : { throttled: true };
        this.log.info({ conversation: result.conversationId, out: result.outboundCount, event: inbound.event.type, ...throttled }, "step committed");
        this.options.onCommitted?.(result.outboundCount, inbound.attachment !== undefined);
      }
      return result;
    });
  }

  /**
   * A staff action on a conversation, taking its turn with the person's own steps: a reply
   * (sent in the person's channel, prefixed so they know a person wrote it) and/or closing
   * (the flow tells them and returns them to the menu), plus what `record` says to store.
   */
  staffAction(
    conversation: { id: string; channel: Channel; chatId: string },
    action: { expect: HandoffStatus[]; expectAssignee?: string | null; record: StaffRecord; reply?: StaffReply; close?: boolean; note?: string },
  ): Promise<{ outboundIds: number[]; noteId?: number }> {
    return this.queue.run(`${conversation.channel}:${conversation.chatId}`, async () => {
      const { reply, close } = action;
      const result = await this.store.conversations.staffAction({
        conversationId: conversation.id,
        expect: action.expect,
        ...(action.expectAssignee !== undefined ? { expectAssignee: action.expectAssignee } : {}),
        record: action.record,
        ...(action.note !== undefined ? { note: action.note } : {}),
        ...(reply !== undefined || close ? { step: { ...(reply !== undefined ? { reply } : {}), close: close ?? false } } : {}),
      });
      this.log.info({ conversation: conversation.id, out: result.outboundIds.length }, "staff action committed");
      this.options.onCommitted?.(result.outboundIds.length);
      return result;
    });
  }
}
