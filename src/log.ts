// Structured logs. Never pass message text, names or platform ids to the logger:
// log internal ids (conversation, message row) and counts only.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
