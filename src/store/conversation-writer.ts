// Runs the conversation work units (conversation-writes.ts) on the store's writer, with the
// decisions they need: on SQLite inside the writer thread (sqlite/writer-thread.ts), on
// PostgreSQL in the server's process, steps grouped (postgres-step-batch.ts).
import type { Decider, StaffReply } from "../engine/decider.ts";
import type { Inbound } from "../engine/engine.ts";
import type { Admission } from "../engine/inbound-limiter.ts";
import {
  clearChatWork,
  markUnsentWork,
  runStep,
  setContactActiveWork,
  staffActionWork,
  type StaffActionInput,
  type StaffActionResult,
  type StepContext,
} from "./conversation-writes.ts";
import type { PostgresStepBatch } from "./postgres-step-batch.ts";
import type { SealedFields } from "./sealed-fields.ts";
import type { SqlDriver } from "./sql-driver.ts";
import type { Channel, StepInput, StepOutput, StepResult } from "./types.ts";

/** A staff action, with the machine step of a reply or a closing. */
export interface StaffActionRequest extends StaffActionInput {
  step?: { reply?: StaffReply; close: boolean };
}

/** The writes of a conversation's rows, wherever the writer runs. */
export interface ConversationWrites {
  /** A person's message or tap: the flow's step and what it stores, in one transaction. */
  step(inbound: Inbound, admission: Admission): Promise<StepResult>;
  staffAction(input: StaffActionRequest): Promise<StaffActionResult>;
  clearChat(conversationId: string, now: Date): Promise<boolean>;
  setContactActive(channel: Channel, platformUserId: string, active: boolean): Promise<void>;
  markUnsent(channel: Channel, platformUserId: string, platformMessageId: string): Promise<boolean>;
}

type StepRunner = (input: StepInput, decide: (ctx: StepContext) => StepOutput) => Promise<StepResult>;

export class ConversationWriter implements ConversationWrites {
  private readonly driver: SqlDriver;
  private readonly fields: SealedFields;
  private readonly decider: Decider | undefined;
  private readonly runStep: StepRunner;

  /** `decider` unset: a store that runs no steps (tools). `batch`: PostgreSQL's grouped steps. */
  constructor(driver: SqlDriver, fields: SealedFields, decider: Decider | undefined, batch?: PostgresStepBatch) {
    this.driver = driver;
    this.fields = fields;
    this.decider = decider;
    this.runStep = batch ? (input, decide) => batch.step(input, decide) : (input, decide) => runStep(driver, fields, input, decide);
  }

  private deciding(): Decider {
    if (!this.decider) throw new Error("this store was opened without a decider: it runs no steps");
    return this.decider;
  }

  step(inbound: Inbound, admission: Admission): Promise<StepResult> {
    const decider = this.deciding();
    return this.runStep(inbound, (ctx) => decider.decide(inbound, ctx, admission));
  }

  staffAction({ step, ...input }: StaffActionRequest): Promise<StaffActionResult> {
    const decider = step ? this.deciding() : undefined;
    const decide = step && decider ? (ctx: Parameters<Decider["decideStaff"]>[0]) => decider.decideStaff(ctx, input.record.staffId, step.reply, step.close) : undefined;
    return this.driver.transaction(() => staffActionWork(this.driver.provider, this.fields, input, decide));
  }

  clearChat(conversationId: string, now: Date): Promise<boolean> {
    return this.driver.transaction(() => clearChatWork(this.driver.provider, this.fields, conversationId, now));
  }

  setContactActive(channel: Channel, platformUserId: string, active: boolean): Promise<void> {
    return this.driver.transaction(() => setContactActiveWork(channel, platformUserId, active));
  }

  markUnsent(channel: Channel, platformUserId: string, platformMessageId: string): Promise<boolean> {
    return this.driver.transaction(() => markUnsentWork(channel, platformUserId, platformMessageId));
  }
}
