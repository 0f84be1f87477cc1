// What people wrote is sealed on the way in and opened on the way out, here and nowhere
// else: Message.text, Message.payload, Conversation.snapshot, Report.answers, and the
// EvidenceFile's source, file name and content (field-cipher.ts).
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

/** Replies sealed and not yet opened for sending, at most (oldest forgotten first). */
const UNSENT_REMEMBERED = 2048;

export class SealedFields {
  readonly cipher: FieldCipher;
  /**
   * A reply's sealed text and payload, with what they seal: the outbox opens a reply
   * milliseconds after the step sealed it, so it need not decrypt it again (each AES-GCM
   * operation costs about 10 µs, and a reply took four). Only what this process sealed is
   * here, so a value found is exactly what the stored value decrypts to.
   */
  private readonly unsent = new Map<string, { column: string; plain: string }>();

  constructor(cipher: FieldCipher) {
    this.cipher = cipher;
  }

  readonly text = (value: string | null) => this.cipher.seal("Message.text", value);
  readonly payload = (value: unknown) => this.cipher.seal("Message.payload", json(value));
  readonly snapshot = (value: string) => this.cipher.seal("Conversation.snapshot", value);
  readonly answers = (value: Record<string, string>) => this.cipher.seal("Report.answers", JSON.stringify(value));
  readonly evidenceSource = (value: string) => this.cipher.seal("EvidenceFile.source", value);
  readonly evidenceFileName = (value: string | null) => this.cipher.seal("EvidenceFile.fileName", value);
  readonly evidenceContent = (value: Buffer) => this.cipher.sealBytes("EvidenceFile.content", value);

  readonly openText = (stored: string | null) => this.remembered("Message.text", stored) ?? this.cipher.open("Message.text", stored);
  readonly openSnapshot = (stored: string) => this.cipher.open("Conversation.snapshot", stored);
  readonly openPayload = (stored: string | null): unknown => {
    const plain = this.remembered("Message.payload", stored) ?? this.cipher.open("Message.payload", stored);
    return plain === null ? null : JSON.parse(plain);
  };
  readonly openEvidenceSource = (stored: string) => this.cipher.open("EvidenceFile.source", stored);
  readonly openEvidenceFileName = (stored: string | null) => this.cipher.open("EvidenceFile.fileName", stored);
  readonly openEvidenceContent = (stored: Buffer) => this.cipher.openBytes("EvidenceFile.content", stored);
  readonly openAnswers = (stored: string) => JSON.parse(this.cipher.open("Report.answers", stored)) as Record<string, string>;

  /** Outbox rows for a step's replies, in order. */
  outboxRows(conversationId: string, channel: Channel, outbound: StepOutput["outbound"]): MessageRow[] {
    return outbound.map((m) => ({
      conversationId,
      channel,
      direction: "out",
      kind: m.kind,
      text: this.sealUnsent("Message.text", m.text),
      payload: this.sealUnsent("Message.payload", json(m.payload)),
      staffId: m.staffId ?? null,
      status: "pending",
    }));
  }

  private sealUnsent(column: string, plain: string | null): string | null {
    const sealed = this.cipher.seal(column, plain);
    if (plain === null || sealed === plain) return sealed; // nothing to remember without encryption
    if (this.unsent.size >= UNSENT_REMEMBERED) this.unsent.delete(this.unsent.keys().next().value!);
    this.unsent.set(sealed!, { column, plain });
    return sealed;
  }

  /** What `stored` seals, if this process sealed it for `column` and has not opened it yet. */
  private remembered(column: string, stored: string | null): string | undefined {
    const found = stored === null ? undefined : this.unsent.get(stored);
    if (found?.column !== column) return undefined;
    this.unsent.delete(stored!);
    return found.plain;
  }
}
