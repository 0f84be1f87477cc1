// The helpline machine as a graph: every event a person can send, every resting state,
// and the shortest event path to each state (xstate/graph), for model-based tests.
import type { AnyStateNode } from "xstate";
import { getShortestPaths } from "xstate/graph";
import { helplineMachine } from "../../flows/helpline.ts";
import { helplineFlow } from "../../flows/registry.ts";
import type { FlowEvent, PersonEvent } from "../../flows/types.ts";
import { advance, type Advanced, type StoredMachine } from "../../src/engine/advance.ts";

const OTHER_EVENTS: PersonEvent[] = [
  { type: "COMMAND", command: "start" },
  { type: "COMMAND", command: "menu" },
  { type: "COMMAND", command: "help" },
  { type: "COMMAND", command: "language" },
  { type: "COMMAND", command: "stop" },
  { type: "COMMAND", command: "delete" },
  { type: "COMMAND", command: "autoclear" },
  { type: "TEXT", text: "Phnom Penh, building 5" },
  { type: "TEXT", text: "SOS" },
  { type: "LOCATION", latitude: 11.55, longitude: 104.92 },
  { type: "UNSUPPORTED", what: "photo" },
];

/**
 * Every choice id the machine offers anywhere, found by walking it: taps of the choices seen
 * so far reach new questions, whose choices are added, until nothing new appears. The tests
 * keep no copy of the flow's choices.
 */
function offeredChoiceIds(): string[] {
  let ids = new Set<string>();
  for (;;) {
    const events = [...OTHER_EVENTS, ...[...ids].map((id) => ({ type: "CHOICE", id }) as PersonEvent)];
    const next = new Set(ids);
    for (const path of getShortestPaths(helplineMachine, { events, serializeState: (s) => stateId(s.value) })) {
      const steps = pathEvents(path);
      if (steps.length === 0) continue;
      for (const message of runFlow(steps).said.flat()) for (const c of message.choices ?? []) next.add(c.id);
    }
    if (next.size === ids.size) return [...ids];
    ids = next;
  }
}

export const ALL_EVENTS: PersonEvent[] = [...OTHER_EVENTS, ...offeredChoiceIds().map((id) => ({ type: "CHOICE", id }) as PersonEvent)];

/** Dotted ids of every state a conversation can rest in (transient `always` states excluded). */
export function restingStates(): string[] {
  const out: string[] = [];
  const visit = (node: AnyStateNode, path: string[]) => {
    const children = Object.values(node.states) as AnyStateNode[];
    if (children.length === 0) {
      if (!node.always?.length) out.push(path.join("."));
      return;
    }
    for (const child of children) visit(child, [...path, child.key]);
  };
  visit(helplineMachine.root, []);
  return out;
}

export function stateId(value: unknown): string {
  if (typeof value === "string") return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${stateId(inner)}`;
}

export function shortestPaths() {
  return getShortestPaths(helplineMachine, { events: ALL_EVENTS, serializeState: (s) => stateId(s.value) });
}

/** The events a person sends along a path (the graph's own init step left out). */
export function pathEvents(path: { steps: { event: { type: string } }[] }): PersonEvent[] {
  return path.steps.map((s) => s.event).filter((e) => !e.type.startsWith("xstate.")) as PersonEvent[];
}

/** Runs events through the pure machine as the engine would, persisting between steps. */
export function runFlow(events: FlowEvent[]) {
  let stored: StoredMachine | null = null;
  const steps: Advanced[] = [];
  for (const event of events) {
    const step = advance(helplineFlow, stored, event);
    steps.push(step);
    const { value, context } = step.snapshot;
    stored = { machineId: helplineFlow.id, machineVersion: helplineFlow.version, state: JSON.parse(JSON.stringify({ value, context })) };
  }
  const last = steps.at(-1)!;
  return { steps, last, said: steps.map((s) => s.messages), state: stateId(last.snapshot.value) };
}

/** Shortest paths to every state from where `prefix` leaves the conversation (e.g. a language chosen). */
export function shortestPathsAfter(prefix: PersonEvent[], events: PersonEvent[] = ALL_EVENTS) {
  const fromState = runFlow(prefix).last.snapshot;
  return getShortestPaths(helplineMachine, { events, serializeState: (s) => stateId(s.value), fromState });
}
