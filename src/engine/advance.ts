// One pure machine step: stored snapshot + event -> next snapshot, messages and effects.
// Snapshot policy: a snapshot from another machine id or version, or one that no longer
// resolves, is replaced by a fresh start at the language question with an apology; the
// language the person chose is kept. Never a crash.
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from "xstate";
import type { FlowDefinition } from "../../flows/registry.ts";
import type { Effect, FlowContext, FlowEvent, OutMessage } from "../../flows/types.ts";

/** What the engine stores per conversation: machine state plus the last offered choices. */
export interface PersistedState {
  value: unknown;
  context: FlowContext;
  /** Choices of the last question, with labels as shown, for matching typed answers. */
  choices?: { id: string; label: string }[];
  /** When the person last got a "received" note while staff had the conversation (ms since epoch). */
  receiptAt?: number;
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

type Action = { type: string; params?: unknown };

/**
 * The scope a machine steps in, made once per machine. xstate's own `transition` and
 * `initialTransition` build a throwaway actor on every call, which computes the machine's
 * initial state each time (a sixth of a step's decision). Reusing one is safe because the
 * step is pure: the flows spawn and invoke no actors, so nothing registers in the scope's
 * system, and the actions are only collected (by `stepIn`), never run. A flow that spawned
 * actors would need xstate's fresh scope per step again.
 */
const scopes = new WeakMap<AnyStateMachine, AnyActorScope>();
let collecting: Action[] = [];

function scopeOf(machine: AnyStateMachine): AnyActorScope {
  let scope = scopes.get(machine);
  if (!scope) {
    const self = createActor(machine);
    const none = () => {};
    scope = { self, id: "", sessionId: "", system: self.system, logger: none, defer: none, emit: none, stopChild: none, actionExecutor: (action) => collecting.push(action) };
    scopes.set(machine, scope);
  }
  return scope;
}

/** Runs `step` in the machine's scope: the snapshot it makes and the actions it asked for. */
function stepIn(machine: AnyStateMachine, step: (scope: AnyActorScope) => AnyMachineSnapshot): [AnyMachineSnapshot, Action[]] {
  const scope = scopeOf(machine);
  collecting = [];
  const snapshot = step(scope);
  return [snapshot, collecting];
}

const initialTransition = (machine: AnyStateMachine) => stepIn(machine, (scope) => machine.getInitialSnapshot(scope, undefined));
const transition = (machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: FlowEvent) => stepIn(machine, (scope) => machine.transition(snapshot, event, scope));

function collect(actions: Action[]) {
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
