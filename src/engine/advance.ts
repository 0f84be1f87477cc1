// One pure machine step: stored snapshot + event -> next snapshot, messages and effects.
// Snapshot policy: a snapshot from another machine id or version, or one that no longer
// resolves, is replaced by a fresh start at the language question with an apology; the
// language the person chose is kept. Never a crash.
import { initialTransition, transition, type AnyMachineSnapshot } from "xstate";
import type { FlowDefinition } from "../../flows/registry.ts";
import type { Effect, FlowContext, FlowEvent, OutMessage } from "../../flows/types.ts";

/** What the engine stores per conversation: machine state plus the last offered choices. */
export interface PersistedState {
  value: unknown;
  context: FlowContext;
  /** Choices of the last question, with labels as shown, for matching typed answers. */
  choices?: { id: string; label: string }[];
}

export interface StoredMachine {
  machineId: string;
  machineVersion: number;
  state: PersistedState;
}

export interface Advanced {
  snapshot: AnyMachineSnapshot;
  messages: OutMessage[];
  effects: Effect[];
  restarted: boolean;
}

function collect(actions: { type: string; params?: unknown }[]) {
  const messages: OutMessage[] = [];
  const effects: Effect[] = [];
  for (const action of actions) {
    if (action.type === "say") {
      if (action.params) messages.push(action.params as OutMessage);
    } else if (action.type === "effect") effects.push(action.params as Effect);
  }
  return { messages, effects };
}

function restore(flow: FlowDefinition, stored: StoredMachine | null): AnyMachineSnapshot | "restart" | null {
  if (!stored) return null;
  if (stored.machineId !== flow.id || stored.machineVersion !== flow.version) return "restart";
  try {
    const snapshot = flow.machine.resolveState({ value: stored.state.value as never, context: stored.state.context });
    return snapshot.status === "active" ? snapshot : "restart";
  } catch {
    return "restart";
  }
}

export function advance(flow: FlowDefinition, stored: StoredMachine | null, event: FlowEvent): Advanced {
  const restored = restore(flow, stored);
  if (restored === "restart") {
    const lang = stored?.state.context?.lang;
    const [fresh] = initialTransition(flow.machine);
    const start = flow.machine.resolveState({ value: fresh.value, context: { ...fresh.context, lang } });
    const [next, actions] = transition(flow.machine, start, { type: "COMMAND", command: "start" });
    const { messages, effects } = collect(actions);
    return { snapshot: next, messages: [{ text: "common.flowUpdated" }, ...messages], effects, restarted: true };
  }
  const current = restored ?? initialTransition(flow.machine)[0];
  const [next, actions] = transition(flow.machine, current, event);
  return { snapshot: next, ...collect(actions), restarted: false };
}
