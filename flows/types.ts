// Channel-neutral vocabulary shared by flows, the engine and the channel adapters.

export type Command = "start" | "help" | "menu" | "language" | "stop" | "delete" | "autoclear";
export const COMMANDS: readonly Command[] = ["start", "help", "menu", "language", "stop", "delete", "autoclear"];

export type UnsupportedKind = "photo" | "sticker" | "voice" | "audio" | "video" | "file" | "edit" | "other";

/** What a person did, translated from a platform update by a channel adapter. */
export type PersonEvent =
  | { type: "TEXT"; text: string }
  | { type: "CHOICE"; id: string }
  | { type: "LOCATION"; latitude: number; longitude: number }
  | { type: "COMMAND"; command: Command }
  | { type: "UNSUPPORTED"; what: UnsupportedKind };

/** What staff did in the console. */
export type StaffEvent =
  /** Staff answered (the engine sends their text). */
  | { type: "STAFF_REPLY" }
  /** Staff closed the handoff: the person goes back to the bot. */
  | { type: "STAFF_CLOSE" };

export type FlowEvent = PersonEvent | StaffEvent;

/** A button: `id` travels back in a CHOICE event, `label` is an i18n key. */
export interface Choice {
  id: string;
  label: string;
}

/** One message a flow wants to send: i18n keys and flow data ids, never literal text. */
export interface OutMessage {
  text: string;
  params?: Record<string, string | number>;
  /** i18n keys rendered as "• " lines below the text. */
  bullets?: string[];
  /** Ids from flows/data/contacts.ts, rendered as a contact card below the text. */
  contacts?: string[];
  /** Numbers, dates or links in the text itself: like a contact card, never left as the chat's last message. */
  details?: boolean;
  /** Show each contact's checked date (Contacts & info); cards people need fast show none. */
  showChecked?: boolean;
  choices?: Choice[];
  /** Choices listed in the text, numbered (no buttons), so a typed number is seen to work. */
  listed?: Choice[];
  /** Ask the person to share their location (Telegram request_location, LINE location action). */
  requestLocation?: boolean;
  /** What to send instead where the platform does not let the bot delete messages (LINE, the test chat). */
  whereCannotDelete?: OutMessage;
  /** What to send instead on one channel (e.g. how to mute a chat in that app). */
  onChannel?: Partial<Record<ChannelName, OutMessage>>;
}

/** The channels a message can be adapted to. */
export type ChannelName = "telegram" | "line" | "web";

/** Something the engine must do in the same transaction as the step. */
export type Effect =
  | { type: "handoff"; reason: string; risk?: string }
  /** Store a structured report; the engine adds a reference code as the `reportCode` param. */
  | { type: "report"; kind: "self" | "family"; answers: Record<string, string>; consent: boolean; risk?: string }
  /** Quick exit: remove the chat's messages from the person's screen where the platform allows. */
  | { type: "quickExit" }
  /** Erase the person's data: transcript content, reports, identity; staff keep a tombstone. */
  | { type: "erase" }
  /** Clear the chat this many minutes after its last message, where the platform allows (0: stop doing so). */
  | { type: "autoClear"; minutes: number };

export interface FlowContext {
  lang?: string;
}
