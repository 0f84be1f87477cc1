// Errors the store's callers act on. They cross the SQLite writer's thread boundary as a
// name and a message, and are rebuilt here as the same classes.

/** The hand-off is no longer in the state the action expected (another staff member got there first). */
export class StaleHandoffError extends Error {
  override name = "StaleHandoffError";
}

/** The person erased their data. */
export class ConversationErasedError extends Error {
  override name = "ConversationErasedError";
}

const KNOWN: Record<string, new (message: string) => Error> = { StaleHandoffError, ConversationErasedError };

export function errorFrom({ name, message }: { name: string; message: string }): Error {
  const Known = KNOWN[name];
  return Known ? new Known(message) : Object.assign(new Error(message), { name });
}
