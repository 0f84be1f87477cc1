// A real store on a real database plus the engine, without HTTP or platforms.
import { helplineFlow, type FlowDefinition } from "../../flows/registry.ts";
import { Engine, type Inbound } from "../../src/engine/engine.ts";
import { createI18n } from "../../src/i18n.ts";
import { createLogger } from "../../src/log.ts";
import { migrate } from "../../src/store/migrate.ts";
import { Store } from "../../src/store/store.ts";
import type { PersonEvent } from "../../flows/types.ts";

export const silentLog = createLogger("silent");

export async function openEngine(url: string, flow: FlowDefinition = helplineFlow) {
  await migrate(url);
  const store = await Store.open(url);
  const engine = new Engine(store, flow, await createI18n(), silentLog);
  return { store, engine };
}

let counter = 0;
export function webEvent(chatId: string, event: PersonEvent, eventId = `e${++counter}-${Date.now()}`): Inbound {
  return { channel: "web", eventId, platformUserId: chatId, chatId, event };
}
