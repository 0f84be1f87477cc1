// What people wrote is sealed on the way in and opened on the way out, here and nowhere
// else: Message.text, Message.payload, Conversation.snapshot, Report.answers (field-cipher.ts).
import type { FieldCipher } from "./field-cipher.ts";
import type { Channel, StepOutput } from "./types.ts";

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** A Message row as the store writes it (the columns every insert sets). */
export interface MessageRow {
  conversationId: string;
  channel: string;
  direction: string;
  kind: string;
  text: string | null;
  payload: string | null;
  staffId: string | null;
  status: string;
  platformEventId?: string | null;
  platformMessageId?: string | null;
}

export class SealedFields {
  constructor(readonly cipher: FieldCipher) {}

  readonly text = (value: string | null) => this.cipher.seal("Message.text", value);
  readonly payload = (value: unknown) => this.cipher.seal("Message.payload", json(value));
  readonly snapshot = (value: string) => this.cipher.seal("Conversation.snapshot", value);
  readonly answers = (value: Record<string, string>) => this.cipher.seal("Report.answers", JSON.stringify(value));

  readonly openText = (stored: string | null) => this.cipher.open("Message.text", stored);
  readonly openSnapshot = (stored: string) => this.cipher.open("Conversation.snapshot", stored);
  readonly openPayload = (stored: string | null): unknown => {
    const plain = this.cipher.open("Message.payload", stored);
    return plain === null ? null : JSON.parse(plain);
  };
  readonly openAnswers = (stored: string) => JSON.parse(this.cipher.open("Report.answers", stored)) as Record<string, string>;

  /** Outbox rows for a step's replies, in order. */
  outboxRows(conversationId: string, channel: Channel, outbound: StepOutput["outbound"]): MessageRow[] {
    return outbound.map((m) => ({
      conversationId,
      channel,
      direction: "out",
      kind: m.kind,
      text: this.text(m.text),
      payload: this.payload(m.payload),
      staffId: m.staffId ?? null,
      status: "pending",
    }));
  }
}
