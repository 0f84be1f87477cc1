// The first helpline flow: discreet greeting, language, safety check, who needs help,
// emergency card, family guidance, contacts, and handoff to a person.
// Pure: receives FlowEvents, emits `say` and `effect` actions for the engine to carry out.
import { assign, setup } from "xstate";
import { isEmergencyWord } from "./data/emergency-words.ts";
import type { Choice, Effect, FlowContext, FlowEvent, OutMessage } from "./types.ts";

export const SUPPORTED_LANGUAGES = ["ko", "en"] as const;

export interface HelplineContext extends FlowContext {
  handoffReason?: "emergency" | "requested" | "family";
  location?: { latitude: number; longitude: number };
}

const yesNo: Choice[] = [
  { id: "yes", label: "common.yes" },
  { id: "no", label: "common.no" },
];
const backToMenu: Choice = { id: "menu", label: "common.backToMenu" };
const talkToPerson: Choice = { id: "person", label: "common.talkToPerson" };

const say = (message: OutMessage) => ({ type: "say" as const, params: message });
const chose = (id: string) => ({ event }: { event: FlowEvent }) => event.type === "CHOICE" && event.id === id;

/** Free text or a choice that did not match: ask the same question again (re-entering runs its entry). */
const reask = (state: string) => [
  { guard: "isEmergencyText" as const, target: "#helpline.emergency" },
  { target: `#helpline.${state}`, reenter: true, actions: say({ text: "common.pickOne" }) },
];

export const helplineMachine = setup({
  types: {
    context: {} as HelplineContext,
    events: {} as FlowEvent,
  },
  actions: {
    say: (_: unknown, _message: OutMessage) => {},
    effect: (_: unknown, _effect: Effect) => {},
  },
  guards: {
    isEmergencyText: ({ event }) => event.type === "TEXT" && isEmergencyWord(event.text),
    isLanguageChoice: ({ event }) =>
      event.type === "CHOICE" && (SUPPORTED_LANGUAGES as readonly string[]).includes(event.id),
  },
}).createMachine({
  id: "helpline",
  initial: "idle",
  context: {},
  on: {
    COMMAND: [
      { guard: ({ event }) => event.command === "start", target: ".language" },
      { guard: ({ event }) => event.command === "language", target: ".language" },
      { guard: ({ event }) => event.command === "menu", target: ".menu" },
      { actions: say({ text: "help.text" }) },
    ],
    TEXT: { guard: "isEmergencyText", target: ".emergency" },
    UNSUPPORTED: { actions: say({ text: "common.unsupported" }) },
    LOCATION: { actions: say({ text: "common.unsupported" }) },
  },
  states: {
    // A conversation that has not started: the first message of any kind opens it.
    idle: {
      on: {
        "*": [{ guard: "isEmergencyText", target: "emergency" }, { target: "language" }],
      },
    },
    language: {
      entry: say({
        text: "language.prompt",
        choices: SUPPORTED_LANGUAGES.map((id) => ({ id, label: `language.${id}` })),
      }),
      on: {
        CHOICE: [
          {
            guard: "isLanguageChoice",
            target: "safeCheck",
            actions: assign({ lang: ({ event }) => (event.type === "CHOICE" ? event.id : undefined) }),
          },
          { target: "language", reenter: true },
        ],
        TEXT: reask("language"),
      },
    },
    safeCheck: {
      entry: say({ text: "safety.prompt", choices: yesNo }),
      on: {
        CHOICE: [
          { guard: chose("yes"), target: "menu" },
          { guard: chose("no"), target: "quiet" },
          { target: "safeCheck", reenter: true },
        ],
        TEXT: reask("safeCheck"),
      },
    },
    // Not safe to chat: say how to come back, then stay silent until they write again.
    quiet: {
      entry: say({ text: "safety.later" }),
      on: {
        TEXT: [{ guard: "isEmergencyText", target: "emergency" }, { target: "safeCheck" }],
        CHOICE: "safeCheck",
        UNSUPPORTED: {},
      },
    },
    menu: {
      entry: say({
        text: "menu.prompt",
        choices: [
          { id: "danger", label: "menu.danger" },
          { id: "me", label: "menu.me" },
          { id: "other", label: "menu.other" },
          { id: "info", label: "menu.info" },
          talkToPerson,
        ],
      }),
      on: {
        CHOICE: [
          { guard: chose("danger"), target: "emergency" },
          { guard: chose("me"), target: "meDanger" },
          { guard: chose("other"), target: "family" },
          { guard: chose("info"), target: "info" },
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "requested" }) },
          { target: "menu", reenter: true },
        ],
        TEXT: reask("menu"),
      },
    },
    meDanger: {
      entry: say({ text: "me.dangerPrompt", choices: yesNo }),
      on: {
        CHOICE: [
          { guard: chose("yes"), target: "emergency" },
          { guard: chose("no"), target: "meNext" },
          { target: "meDanger", reenter: true },
        ],
        TEXT: reask("meDanger"),
      },
    },
    meNext: {
      entry: say({ text: "me.next", choices: [talkToPerson, backToMenu] }),
      on: {
        CHOICE: [
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "requested" }) },
          { target: "menu" },
        ],
        TEXT: reask("meNext"),
      },
    },
    family: {
      entry: say({
        text: "family.guidance",
        contacts: ["krConsularCallCenter", "krPolice112"],
        choices: [talkToPerson, backToMenu],
      }),
      on: {
        CHOICE: [
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "family" }) },
          { target: "menu" },
        ],
        TEXT: reask("family"),
      },
    },
    info: {
      entry: say({
        text: "info.contacts",
        params: { asOf: "2025-12-04" },
        contacts: ["krConsularCallCenter", "khPolice117", "khPoliceTelegram", "mofaSafeTravel"],
        choices: [backToMenu],
      }),
      on: { CHOICE: "menu", TEXT: reask("info") },
    },
    emergency: {
      entry: say({
        text: "emergency.card",
        contacts: ["khPolice117", "khPoliceTelegram", "krConsularCallCenter"],
        choices: [
          { id: "person", label: "emergency.person" },
          { id: "location", label: "emergency.shareLocation" },
          backToMenu,
        ],
      }),
      on: {
        CHOICE: [
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "emergency" }) },
          { guard: chose("location"), target: "emergencyLocation" },
          { target: "menu" },
        ],
        TEXT: reask("emergency"),
      },
    },
    emergencyLocation: {
      entry: say({ text: "emergency.locationPrompt", requestLocation: true, choices: [{ id: "skip", label: "common.skip" }] }),
      on: {
        LOCATION: {
          target: "handoff",
          actions: [
            assign({
              location: ({ event }) =>
                event.type === "LOCATION" ? { latitude: event.latitude, longitude: event.longitude } : undefined,
              handoffReason: "emergency",
            }),
            say({ text: "emergency.locationThanks" }),
          ],
        },
        CHOICE: { target: "handoff", actions: assign({ handoffReason: "emergency" }) },
        TEXT: reask("emergencyLocation"),
      },
    },
    handoff: {
      entry: [
        { type: "effect", params: ({ context }) => ({ type: "handoff" as const, reason: context.handoffReason ?? "requested" }) },
        say({ text: "handoff.created", contacts: ["krConsularCallCenter", "khPolice117"] }),
      ],
      always: "withStaff",
    },
    // Staff have the conversation: stay quiet; messages land in the transcript for them.
    withStaff: {
      tags: ["handoff"],
      on: {
        TEXT: [{ guard: "isEmergencyText", target: "emergency" }, {}],
        CHOICE: {},
        LOCATION: {
          actions: assign({
            location: ({ event }) =>
              event.type === "LOCATION" ? { latitude: event.latitude, longitude: event.longitude } : undefined,
          }),
        },
        UNSUPPORTED: {},
      },
    },
  },
});
