// The flows the engine can run. Bump `version` on any change that makes stored
// snapshots of the previous version invalid (renamed/removed states or context fields).
import type { AnyStateMachine } from "xstate";
import { helplineMachine } from "./helpline.ts";

export interface FlowDefinition {
  id: string;
  version: number;
  machine: AnyStateMachine;
}

export const helplineFlow: FlowDefinition = {
  id: "helpline",
  version: 2,
  machine: helplineMachine,
};
