// The helpline machine as a graph: every event a person can send, every resting state,
// and the shortest event path to each state (xstate/graph), for model-based tests.
import type { AnyStateNode } from "xstate";
import { getShortestPaths } from "xstate/graph";
import { helplineMachine } from "../../flows/helpline.ts";
import { helplineFlow } from "../../flows/registry.ts";
import type { FlowEvent, PersonEvent } from "../../flows/types.ts";
import { advance, type Advanced, type StoredMachine } from "../../src/engine/advance.ts";

const CHOICE_IDS = [
  "ko", "en", "yes", "no", "skip", "unsure", "danger", "me", "other", "job", "info", "person", "location", "continue", "menu",
  "passport", "phone", "both", "share", "type", "done", "police", "child", "partner", "sibling", "parent", "friend",
  "under18", "18to29", "30to49", "50plus", "today", "week", "month", "longer", "ad", "chat", "acquaintance", "unknown",
  "advisory", "kr", "cn", "vn", "id", "th", "ph", "jp", "us", "erase", "keep",
];

export const ALL_EVENTS: PersonEvent[] = [
  { type: "COMMAND", command: "start" },
  { type: "COMMAND", command: "menu" },
  { type: "COMMAND", command: "help" },
  { type: "COMMAND", command: "language" },
  { type: "COMMAND", command: "stop" },
  { type: "COMMAND", command: "delete" },
  ...CHOICE_IDS.map((id) => ({ type: "CHOICE", id }) as PersonEvent),
  { type: "TEXT", text: "Phnom Penh, building 5" },
  { type: "TEXT", text: "SOS" },
  { type: "LOCATION", latitude: 11.55, longitude: 104.92 },
  { type: "UNSUPPORTED", what: "photo" },
];

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
export function shortestPathsAfter(prefix: PersonEvent[]) {
  const fromState = runFlow(prefix).last.snapshot;
  return getShortestPaths(helplineMachine, { events: ALL_EVENTS, serializeState: (s) => stateId(s.value), fromState });
}
