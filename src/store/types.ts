// Shapes that cross the store's door. No Prisma types leak out of src/store.
export type Channel = "telegram" | "line" | "web";

/** Row ids (messages, audit entries) are 32-bit integers on PostgreSQL: a larger cursor cannot match and must not reach a query. */
export const MAX_ROW_ID = 2_147_483_647;

export type ConversationStatus = "active" | "handoff" | "closed" | "erased";

export interface StoredConversation {
  id: string;
  machineId: string;
  machineVersion: number;
  snapshot: string;
  status: ConversationStatus;
  language: string | null;
}

export interface StepInput {
  channel: Channel;
  platformUserId: string;
  chatId: string;
  eventId: string;
  languageHint?: string;
}

export const ATTACHMENT_KINDS = ["photo", "file", "video", "audio", "voice"] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/**
 * A photo or file the person sent, as the platform announced it. Stored with their message
 * and fetched once afterwards as evidence (src/evidence).
 */
export interface Attachment {
  kind: AttachmentKind;
  /** Where to fetch it: Telegram's file_id, LINE's message id (content API). */
  ref: string;
  /** The size the platform announced, when it did. */
  size?: number;
  contentType?: string;
  fileName?: string;
}

/** What one engine step decided; written in a single transaction. */
export interface StepOutput {
  machineId: string;
  machineVersion: number;
  snapshot: string;
  status: ConversationStatus;
  language: string | null;
  /** The nationality chosen in the flow (src/store/conversation-writes.ts copies it to the conversation row for the queue). */
  nationality: string | null;
  inbound: { kind: string; text?: string; payload?: unknown; platformMessageId?: string; attachment?: Attachment };
  outbound: { kind: string; text: string; payload?: unknown; staffId?: string }[];
  handoff?: { reason: string; risk?: string };
  report?: { kind: string; code: string; answers: Record<string, string>; consent: boolean; risk?: string };
  /** Queue a deletion of the chat's recent platform messages before the replies. */
  quickExit?: boolean;
  /** Erase the person's data (see Store.erase); the replies are still delivered, then the chat id is forgotten. */
  erase?: boolean;
  /**
   * Auto-clear: clear the chat this many minutes after this step (0: off, no schedule).
   * `changed`: the person just chose, which the transcript records.
   */
  autoClear?: { minutes: number; changed: boolean };
}

export type StepResult =
  | { duplicate: true }
  | { duplicate: false; conversationId: string; outboundCount: number };

export interface OutboxItem {
  id: number;
  conversationId: string;
  /** "text", or "delete" (payload.messageIds: platform messages to remove). */
  kind: string;
  channel: Channel;
  chatId: string;
  text: string;
  payload: unknown;
  attempts: number;
}

export interface TranscriptEntry {
  id: number;
  direction: "in" | "out";
  kind: string;
  text: string | null;
  payload: unknown;
  status: string;
  createdAt: Date;
}


/** What a staff action's machine step decided (a reply or a closing, see Decider.decideStaff). */
export interface StaffStepOutput {
  machineId: string;
  machineVersion: number;
  snapshot: string;
  status: ConversationStatus;
  outbound: StepOutput["outbound"];
}
