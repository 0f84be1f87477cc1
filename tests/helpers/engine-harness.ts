// A real store on a real database plus the engine, without HTTP or platforms.
import type { DeciderOptions } from "../../src/engine/decider.ts";
import { Engine, type Inbound } from "../../src/engine/engine.ts";
import { createLogger } from "../../src/log.ts";
import { migrate } from "../../src/store/migrate.ts";
import { Store } from "../../src/store/store.ts";
import type { PersonEvent } from "../../flows/types.ts";

export const silentLog = createLogger("silent");

/** The store decides with the helpline flow and `decider`'s options, as the app's does. */
export async function openEngine(url: string, decider: DeciderOptions = {}) {
  await migrate(url);
  const store = await Store.open(url, { decider, log: silentLog });
  const engine = new Engine(store, silentLog);
  return { store, engine };
}

/** A clock the decider reads, also on the SQLite writer's thread (DeciderOptions.clock). */
export function sharedClock(at: Date): { clock: Float64Array; set(at: Date): void; now(): Date } {
  const clock = new Float64Array(new SharedArrayBuffer(8));
  clock[0] = at.getTime();
  return { clock, set: (next) => void (clock[0] = next.getTime()), now: () => new Date(clock[0]!) };
}

let counter = 0;
export function webEvent(chatId: string, event: PersonEvent, eventId = `e${++counter}-${Date.now()}`): Inbound {
  return { channel: "web", eventId, platformUserId: chatId, chatId, event };
}
