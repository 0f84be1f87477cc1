// The helpline flow: discreet greeting, language, safety check, then help for myself
// (triage -> report), for someone else (family report), a job-offer check, contacts and
// advisories, and handoff to a person. Every question can be skipped or gone back from;
// typed answers are matched to choices by the engine; emergency phrases jump to the
// emergency card anywhere, and "continue" returns to the exact question left; a typed
// story at a choice question is kept for staff. Pure: receives FlowEvents, emits `say`
// and `effect` actions for the engine to carry out.
import { assign, setup } from "xstate";
import { AUTO_CLEAR_MINUTES, autoClearChoiceId, autoClearMinutesOf, autoClearOffer, AUTO_CLEAR_OFF, PROTECT_TIPS } from "./data/auto-clear.ts";
import { ADVISORY } from "./data/contacts.ts";
import { isEmergencyMessage } from "./data/emergency-words.ts";
import { JOB_FLAGS, jobVerdict, type JobFlag } from "./data/job-offer.ts";
import { LANGUAGES } from "./data/languages.ts";
import {
  emergencyCard,
  familyCard,
  infoCard,
  isNationality,
  NATIONALITIES,
  nationalityOf,
  textVariant,
  type ContactCard,
  type Nationality,
} from "./data/nationalities.ts";
import { NATIONALITY_CHOICES, QUESTIONS, SKIP, type QuestionKey } from "./data/questions.ts";
import { riskLevel, type TriageAnswers } from "./data/risk.ts";
import type { Choice, Effect, FlowContext, FlowEvent, OutMessage } from "./types.ts";

export interface HelplineContext extends FlowContext {
  /** Every answer by question id ("triage.danger", "family.name", …): choice ids or typed text. */
  answers: Record<string, string>;
  photos: number;
  handoffReason?: "emergency" | "requested" | "family" | "report";
  location?: { latitude: number; longitude: number };
  /** The question (state path, e.g. "triage.documents") to continue with after the emergency card interrupted it. */
  resume?: string;
  /** The emergency card was shown in this run of the questions: a second indicator does not show it again. */
  cardShown?: boolean;
  /**
   * The nationality that decides which contacts are shown, once the person chose it (their
   * own, or in the family flow the missing person's). Until then the language suggests one.
   */
  nationality?: Nationality;
  /** The chat is cleared this many minutes after its last message (where the platform allows); unset: never. */
  autoClearMinutes?: number;
}

type Ctx = HelplineContext;
type Args = { context: Ctx; event: FlowEvent };
type Prompt = OutMessage | ((context: Ctx) => OutMessage);
type HandoffReason = NonNullable<Ctx["handoffReason"]>;

/** Typed text this long at a choice question is the person's story, not a mistyped answer. */
const STORY_WORDS = 4;
const STORY_CHARS = 25;
/** What one conversation keeps of typed stories and descriptions. */
const TEXT_LIMIT = 4000;

const skip = SKIP;
const back: Choice = { id: "back", label: "common.back" };
const backToMenu: Choice = { id: "menu", label: "common.backToMenu" };
const talkToPerson: Choice = { id: "person", label: "common.talkToPerson" };
const done: Choice = { id: "done", label: "report.done" };

const say = (message: OutMessage) => ({ type: "say" as const, params: message });
/** A message built from the context; nothing is said when `build` returns undefined. */
const sayWith = (build: (context: Ctx) => OutMessage | undefined) => ({ type: "say" as const, params: ({ context }: { context: Ctx }) => build(context) });
const promptOf = (prompt: Prompt, context: Ctx) => (typeof prompt === "function" ? prompt(context) : prompt);
/** A line (`key`) with the prompt's choices listed and numbered, then the prompt again with its buttons. */
const sayAgain = (key: string, prompt: Prompt) => [
  sayWith((context) => listedChoices(key, promptOf(prompt, context))),
  sayWith((context) => promptOf(prompt, context)),
];
/** `key` with `prompt`'s choices numbered; where the prompt has another version for channels that cannot delete, so has this. */
function listedChoices(key: string, prompt: OutMessage): OutMessage {
  const instead = prompt.whereCannotDelete;
  return { text: key, listed: prompt.choices ?? [], ...(instead ? { whereCannotDelete: { text: key, listed: instead.choices ?? [] } } : {}) };
}
const chose = (id: string) => ({ event }: Args) => event.type === "CHOICE" && event.id === id;
const choseOneOf = (ids: readonly string[]) => ({ event }: Args) => event.type === "CHOICE" && ids.includes(event.id);
const choiceId = (event: FlowEvent) => (event.type === "CHOICE" ? event.id : "");
const record = (key: string) => ({ type: "record" as const, params: { key } });
const recordText = (key: string) => ({ type: "recordText" as const, params: { key } });
const appendText = (key: string) => ({ type: "appendText" as const, params: { key } });
const resumeAt = (path: string) => ({ type: "resumeAt" as const, params: { path } });
/** "#helpline.family.age" -> "family.age" */
const pathOf = (target: string) => target.replace(/^#helpline\./, "");

const triageOf = (a: Record<string, string>): TriageAnswers => ({
  danger: a["triage.danger"],
  injured: a["triage.injured"],
  leave: a["triage.leave"],
  documents: a["triage.documents"],
  watched: a["triage.watched"],
  others: a["triage.others"],
});
const riskOf = (context: Ctx) => riskLevel(triageOf(context.answers));
const pick = (a: Record<string, string>, prefix: string) =>
  Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith(prefix)));
/** The text variant for the nationality contacts are shown for (the one chosen, else the language's guess). */
const variant = (context: Ctx) => textVariant(nationalityOf(context));
/** A message with a contact card: its notes as the first lines, then the contacts. */
const withCard = (message: OutMessage, card: ContactCard): OutMessage => ({
  ...message,
  bullets: [...(message.bullets ?? []), ...card.notes],
  contacts: card.contacts,
});

/** What the emergency card offers: a person, sharing a location, the question left (if interrupted), the menu. */
const emergencyChoices = (context: Ctx): Choice[] => [
  { id: "person", label: "emergency.person" },
  { id: "location", label: "emergency.shareLocation" },
  ...(context.resume ? [{ id: "continue", label: "emergency.continue" }] : []),
  backToMenu,
];
const emergencyPrompt = (context: Ctx): OutMessage =>
  withCard({ text: "emergency.card", choices: emergencyChoices(context) }, emergencyCard(nationalityOf(context)));

/** Every question the emergency card may send the person back to; filled as the states are built. */
const RESUMABLE = new Set<string>();

/**
 * Typed text where buttons were offered (the engine has already turned typed labels and
 * numbers into choices): an emergency phrase brings the card (and, at a question, marks
 * it to continue there); a story is kept for staff and acknowledged; anything else gets
 * "please tap". Then the same question, its choices numbered in the text.
 */
function reask(path: string, prompt: Prompt, resumable = false) {
  if (resumable) RESUMABLE.add(path);
  return [
    { guard: "isEmergencyText" as const, target: "#helpline.emergency", actions: resumable ? [resumeAt(path)] : [{ type: "clearResume" as const }] },
    { guard: "isStory" as const, actions: [appendText("report.story"), ...sayAgain("common.savedStory", prompt)] },
    { actions: sayAgain("common.pickOne", prompt) },
  ];
}

/** The question `key` of flows/data/questions.ts as a message, with Back after its choices. */
const ask = (key: QuestionKey): OutMessage => ({ text: QUESTIONS[key].prompt, choices: [...QUESTIONS[key].choices, back] });

interface QuestionOptions {
  /** Where its choices lead ("#helpline.…"), and where Back leads. */
  next: string;
  prev: string;
  /** Choice ids that lead elsewhere than `next`. */
  routes?: Record<string, string>;
  /** The answer also sets the nationality. */
  setsNationality?: boolean;
}

/** A question with choices (flows/data/questions.ts); the chosen id is recorded under `key`. */
function question(path: string, key: QuestionKey, { next, prev, routes = {}, setsNationality = false }: QuestionOptions) {
  const prompt = ask(key);
  const actions = [record(key), ...(setsNationality ? ["recordNationality" as const] : [])];
  return {
    entry: say(prompt),
    on: {
      CHOICE: [
        { guard: chose("back"), target: prev },
        ...Object.entries(routes).map(([id, target]) => ({ guard: chose(id), target, actions })),
        ...QUESTIONS[key].choices.map((c) => ({ guard: chose(c.id), target: next, actions })),
        { target: `#helpline.${path}`, reenter: true },
      ],
      TEXT: reask(path, prompt, true),
    },
  };
}

/**
 * A question answered by typing (or skipped), e.g. a name or a place. Typed text is the
 * answer, even when it also asks for help: it is kept, and the card then returns to the next question.
 */
function textQuestion(path: string, key: QuestionKey, { next, prev }: Omit<QuestionOptions, "routes">) {
  RESUMABLE.add(path);
  RESUMABLE.add(pathOf(next));
  return {
    entry: say({ text: QUESTIONS[key].prompt, choices: [skip, back] }),
    on: {
      TEXT: [
        { guard: "isEmergencyText" as const, target: "#helpline.emergency", actions: [recordText(key), resumeAt(pathOf(next))] },
        { target: next, actions: recordText(key) },
      ],
      CHOICE: [{ guard: chose("back"), target: prev }, { target: next }],
    },
  };
}

/** A closing message that offers a person (a handoff with `reason`) or the menu. */
function personOrMenu(path: string, prompt: OutMessage | ((context: Ctx) => OutMessage), reason: HandoffReason) {
  const choices = [talkToPerson, backToMenu];
  const message: Prompt = typeof prompt === "function" ? (context) => ({ ...prompt(context), choices }) : { ...prompt, choices };
  return {
    entry: typeof message === "function" ? sayWith(message) : say(message),
    on: {
      CHOICE: [
        { guard: chose("person"), target: "#helpline.handoff", actions: { type: "setHandoffReason" as const, params: { reason } } },
        { target: "#helpline.menu" },
      ],
      TEXT: reask(path, message),
    },
  };
}

const nationalityChoices = [...NATIONALITY_CHOICES];

const jobQuestions = Object.fromEntries(
  JOB_FLAGS.map((flag, i) => [
    flag,
    question(`job.${flag}`, `job.${flag}` as QuestionKey, {
      next: i + 1 < JOB_FLAGS.length ? `#helpline.job.${JOB_FLAGS[i + 1]}` : "#helpline.job.verdict",
      prev: i > 0 ? `#helpline.job.${JOB_FLAGS[i - 1]}` : "#helpline.menu",
    }),
  ]),
);

/** One line, then on to `next`. */
const note = (text: string, next: string) => ({ entry: say({ text }), always: next });

/** "OK, after N minutes" or nothing, and the effect that turns auto-clear on or off. */
function autoClearChosen(minutes: number) {
  return [
    { type: "setAutoClear" as const, params: { minutes } },
    { type: "effect" as const, params: { type: "autoClear" as const, minutes } },
    ...(minutes > 0 ? [say({ text: "autoClear.on", params: { minutes } })] : []),
  ];
}
/** Taps on the auto-clear offer: each turns it on (or off) and goes to `target` (stays when undefined). */
const autoClearTaps = (target?: string) =>
  [...AUTO_CLEAR_MINUTES.map(autoClearChoiceId), AUTO_CLEAR_OFF].map((id) => ({
    guard: chose(id),
    ...(target ? { target } : {}),
    actions: autoClearChosen(autoClearMinutesOf(id)!),
  }));
/** Where the bot cannot delete, the offer is an explanation with this one button to go on. */
const goOn: Choice = { id: "goOn", label: "autoClear.goOn" };

/** The auto-clear offer as a question: a choice (or going on) leads to `next`. */
function autoClearQuestion(path: string, next: string) {
  const prompt = autoClearOffer(goOn);
  return {
    entry: say(prompt),
    on: {
      CHOICE: [...autoClearTaps(next), { target: next }],
      TEXT: reask(path, prompt, true),
    },
  };
}

/** Marks `path` as a question the emergency card can return to. */
function resumable(path: string): string {
  RESUMABLE.add(path);
  return path;
}

const MENU: OutMessage = {
  text: "menu.prompt",
  choices: [
    { id: "danger", label: "menu.danger" },
    { id: "me", label: "menu.me" },
    { id: "other", label: "menu.other" },
    { id: "job", label: "menu.job" },
    { id: "info", label: "menu.info" },
    talkToPerson,
  ],
};

const INFO_PROMPT: OutMessage = { text: "info.nationality", choices: [...nationalityChoices, { id: "advisory", label: "info.advisory" }, backToMenu] };

function reportSaved(context: Ctx): OutMessage {
  return {
    ...(context.answers["report.consent"] === "yes"
      ? { text: "report.savedShared" }
      : // Plainly what keeping it private means, and how to share later.
        { text: "report.savedPrivate", bullets: ["report.privateNotSeen", "report.privateShareLater"] }),
    choices: [{ id: "police", label: "report.policeHelp" }, talkToPerson, backToMenu],
  };
}

/** Korea's travel advisory, labelled as Korea's for everyone else (CONTENT.md §4a). */
function advisory(context: Ctx): OutMessage {
  return {
    text: variant(context) === "kr" ? "info.advisoryText" : "info.advisoryTextForeign",
    params: { asOf: ADVISORY.asOf, link: ADVISORY.link },
    bullets: ["info.advisoryLevel4", "info.advisoryLevel3", "info.advisorySpecial", "info.advisoryLevel2"],
    details: true,
    choices: [backToMenu],
  };
}

export const helplineMachine = setup({
  types: {
    context: {} as HelplineContext,
    events: {} as FlowEvent,
  },
  actions: {
    say: (_: unknown, _message: OutMessage | undefined) => {},
    effect: (_: unknown, _effect: Effect) => {},
    /** Records the chosen id under `key`. */
    record: assign(({ context, event }, { key }: { key: string }) => ({ answers: { ...context.answers, [key]: choiceId(event) } })),
    /** Records typed text under `key`. */
    recordText: assign(({ context, event }, { key }: { key: string }) =>
      event.type === "TEXT" ? { answers: { ...context.answers, [key]: event.text.slice(0, 2000) } } : {},
    ),
    /** Adds typed text to what is kept under `key` (a description, a story told between the questions). */
    appendText: assign(({ context, event }, { key }: { key: string }) => {
      if (event.type !== "TEXT") return {};
      const before = context.answers[key];
      return { answers: { ...context.answers, [key]: (before ? `${before}\n${event.text}` : event.text).slice(0, TEXT_LIMIT) } };
    }),
    /** The chosen nationality decides the contacts shown from now on. */
    recordNationality: assign(({ event }) => (event.type === "CHOICE" && isNationality(event.id) ? { nationality: event.id } : {})),
    resumeAt: assign((_, { path }: { path: string }) => ({ resume: path })),
    clearResume: assign({ resume: undefined }),
    setAutoClear: assign((_, { minutes }: { minutes: number }) => ({ autoClearMinutes: minutes > 0 ? minutes : undefined })),
    setHandoffReason: assign((_, { reason }: { reason: HandoffReason }) => ({ handoffReason: reason })),
    setLocation: assign(({ event }) =>
      event.type === "LOCATION" ? { location: { latitude: event.latitude, longitude: event.longitude } } : {},
    ),
  },
  guards: {
    isEmergencyText: ({ event }) => event.type === "TEXT" && isEmergencyMessage(event.text),
    isStory: ({ event }) => event.type === "TEXT" && (event.text.trim().split(/\s+/).length >= STORY_WORDS || event.text.trim().length >= STORY_CHARS),
    isLanguageChoice: ({ event }) =>
      event.type === "CHOICE" && (LANGUAGES as readonly string[]).includes(event.id),
    isCritical: ({ context }) => riskOf(context) === "critical",
    cardShown: ({ context }) => context.cardShown === true,
  },
}).createMachine({
  id: "helpline",
  initial: "idle",
  context: { answers: {}, photos: 0 },
  on: {
    COMMAND: [
      { guard: ({ event }) => event.command === "start", target: ".language" },
      { guard: ({ event }) => event.command === "language", target: ".language" },
      { guard: ({ event }) => event.command === "menu", target: ".menu" },
      { guard: ({ event }) => event.command === "stop", target: ".stopped" },
      { guard: ({ event }) => event.command === "delete", target: ".confirmDelete" },
      { guard: ({ event }) => event.command === "autoclear", target: ".autoClear" },
      // The commands, then how to keep this chat private in the app used.
      { actions: [say({ text: "help.text" }), say(PROTECT_TIPS)] },
    ],
    TEXT: { guard: "isEmergencyText", target: ".emergency" },
    UNSUPPORTED: { actions: say({ text: "common.unsupported" }) },
    // Staff answered: what the person writes next goes to them, not to the bot's questions.
    STAFF_REPLY: ".withStaff",
    // Closed while the person was elsewhere in the flow: tell them, leave them where they are.
    STAFF_CLOSE: { actions: say({ text: "handoff.closed" }) },
    LOCATION: {
      actions: [
        "setLocation",
        say({ text: "emergency.locationThanks" }),
      ],
    },
  },
  states: {
    // A conversation that has not started: the first message of any kind opens it; a story told first is kept.
    idle: {
      on: {
        TEXT: [
          { guard: "isEmergencyText", target: "emergency" },
          { guard: "isStory", target: "language", actions: [appendText("report.story"), say({ text: "common.savedStory" })] },
          { target: "language" },
        ],
        "*": { target: "language" },
      },
    },
    language: {
      entry: say({ text: "language.prompt", choices: LANGUAGES.map((id) => ({ id, label: `language.${id}` })) }),
      on: {
        CHOICE: [
          { guard: "isLanguageChoice", target: "safeCheck", actions: assign({ lang: ({ event }) => choiceId(event) }) },
          { target: "language", reenter: true },
        ],
        TEXT: reask("language", { text: "language.prompt", choices: LANGUAGES.map((id) => ({ id, label: `language.${id}` })) }),
      },
    },
    safeCheck: {
      entry: say({ text: "safety.prompt", choices: [{ id: "yes", label: "common.yes" }, { id: "no", label: "common.no" }] }),
      on: {
        CHOICE: [{ guard: chose("yes"), target: "menu" }, { guard: chose("no"), target: "quiet" }, { target: "safeCheck", reenter: true }],
        TEXT: reask("safeCheck", { text: "safety.prompt", choices: [{ id: "yes", label: "common.yes" }, { id: "no", label: "common.no" }] }),
      },
    },
    // Not safe to chat: say how to come back and offer to clear the chat by itself, then stay silent until they write again.
    quiet: {
      entry: [say({ text: "safety.later" }), say(autoClearOffer())],
      on: {
        TEXT: [{ guard: "isEmergencyText", target: "emergency" }, { target: "safeCheck" }],
        CHOICE: [...autoClearTaps(), { target: "safeCheck" }],
        UNSUPPORTED: {},
        LOCATION: {},
      },
    },
    // Quick exit: one neutral line (and, where possible, the chat removed); then quiet.
    stopped: {
      entry: [{ type: "effect", params: { type: "quickExit" as const } }, say({ text: "stop.done" })],
      on: {
        TEXT: [{ guard: "isEmergencyText", target: "emergency" }, { target: "safeCheck" }],
        CHOICE: "safeCheck",
        UNSUPPORTED: {},
        LOCATION: {},
      },
    },
    confirmDelete: {
      entry: say({ text: "delete.confirm", choices: [{ id: "erase", label: "delete.yes" }, { id: "keep", label: "delete.no" }] }),
      on: {
        CHOICE: [{ guard: chose("erase"), target: "erased" }, { target: "menu" }],
        TEXT: reask("confirmDelete", { text: "delete.confirm", choices: [{ id: "erase", label: "delete.yes" }, { id: "keep", label: "delete.no" }] }),
      },
    },
    // /autoclear: the offer, then the menu.
    autoClear: autoClearQuestion("autoClear", "#helpline.menu"),
    // Everything the person told us is gone; a new message starts a new conversation.
    erased: {
      entry: [{ type: "effect", params: { type: "erase" as const } }, say({ text: "delete.done" })],
      on: {
        "*": [
          { guard: "isEmergencyText", target: "emergency" },
          { target: "language", actions: assign({ answers: {}, photos: 0, location: undefined, handoffReason: undefined, resume: undefined, cardShown: undefined, nationality: undefined, autoClearMinutes: undefined }) },
        ],
      },
    },
    menu: {
      entry: say(MENU),
      on: {
        CHOICE: [
          { guard: chose("danger"), target: "emergency", actions: assign({ answers: ({ context }) => ({ ...context.answers, "triage.danger": "yes" }), resume: undefined }) },
          { guard: chose("me"), target: "triage", actions: assign({ resume: undefined, cardShown: undefined }) },
          { guard: chose("other"), target: "family" },
          { guard: chose("job"), target: "job" },
          { guard: chose("info"), target: "info" },
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "requested" }) },
          { target: "menu", reenter: true },
        ],
        TEXT: reask("menu", MENU),
      },
    },

    // ---- help for myself: triage, one question at a time, each skippable ----
    triage: {
      initial: "danger",
      states: {
        danger: question("triage.danger", "triage.danger", {
          next: "#helpline.triage.injured",
          prev: "#helpline.menu",
          routes: { yes: "#helpline.triage.dangerCard" },
        }),
        // In danger: the card at once; "continue" comes back to the next question.
        dangerCard: {
          always: { target: "#helpline.emergency", actions: resumeAt(resumable("triage.injured")) },
        },
        injured: question("triage.injured", "triage.injured", { next: "#helpline.triage.leave", prev: "#helpline.triage.danger" }),
        leave: question("triage.leave", "triage.leave", { next: "#helpline.triage.leaveChecked", prev: "#helpline.triage.injured" }),
        // Injured and not able to leave is critical: the card before any further question, unless it was just shown.
        leaveChecked: {
          always: [
            { guard: ({ context }: Args) => riskOf(context) === "critical" && context.cardShown !== true, target: "#helpline.emergency", actions: resumeAt(resumable("triage.documents")) },
            { target: "documents" },
          ],
        },
        documents: question("triage.documents", "triage.documents", { next: "#helpline.triage.watched", prev: "#helpline.triage.leave" }),
        watched: question("triage.watched", "triage.watched", {
          next: "#helpline.triage.where",
          prev: "#helpline.triage.documents",
          routes: { yes: "#helpline.triage.watchedTip" },
        }),
        // Someone may check the phone: how to keep this chat private, and to clear it by itself, at the moment it matters.
        watchedTip: { entry: say(PROTECT_TIPS), always: "autoClear" },
        autoClear: autoClearQuestion("triage.autoClear", "#helpline.triage.where"),
        where: question("triage.where", "triage.whereHow", {
          next: "#helpline.triage.nationality",
          prev: "#helpline.triage.watched",
          routes: { share: "#helpline.triage.whereShare", type: "#helpline.triage.whereType" },
        }),
        // Sharing a location, or typing it here all the same: typed words are kept as the place.
        whereShare: {
          entry: say({ text: "triage.whereSharePrompt", requestLocation: true, choices: [skip, back] }),
          on: {
            LOCATION: { target: "nationality", actions: ["setLocation", say({ text: "emergency.locationThanks" })] },
            TEXT: [
              { guard: "isEmergencyText", target: "#helpline.emergency", actions: resumeAt(resumable("triage.whereShare")) },
              { target: "nationality", actions: [recordText("triage.place"), say({ text: "emergency.placeNoted" })] },
            ],
            CHOICE: [{ guard: chose("back"), target: "where" }, { target: "nationality" }],
          },
        },
        whereType: textQuestion("triage.whereType", "triage.place", { next: "#helpline.triage.nationality", prev: "#helpline.triage.where" }),
        nationality: question("triage.nationality", "triage.nationality", {
          next: "#helpline.triage.others",
          prev: "#helpline.triage.where",
          setsNationality: true,
        }),
        others: question("triage.others", "triage.others", { next: "#helpline.report", prev: "#helpline.triage.nationality" }),
      },
    },

    // ---- the self-report: description, photos, consent, reference code ----
    report: {
      initial: "describe",
      states: {
        describe: {
          entry: say({ text: "report.describe", choices: [done, skip, back] }),
          on: {
            TEXT: [
              // Kept first: what they wrote is part of the report even when it also asks for help.
              { guard: "isEmergencyText", target: "#helpline.emergency", actions: [appendText("report.description"), resumeAt(resumable("report.describe"))] },
              { actions: [appendText("report.description"), say({ text: "report.noted", choices: [done] })] },
            ],
            UNSUPPORTED: [
              {
                guard: ({ event }: Args) => event.type === "UNSUPPORTED" && event.what === "photo",
                actions: [assign({ photos: ({ context }) => context.photos + 1 }), say({ text: "report.photoNoted", choices: [done] })],
              },
              { actions: say({ text: "report.describeOnlyText" }) },
            ],
            CHOICE: [{ guard: chose("back"), target: "#helpline.triage.others" }, { target: "consent" }],
          },
        },
        consent: {
          entry: say(ask("report.consent")),
          on: {
            CHOICE: [
              { guard: chose("back"), target: "describe" },
              { guard: choseOneOf(["yes", "no"]), target: "saved", actions: record("report.consent") },
              { target: "consent", reenter: true },
            ],
            TEXT: reask("report.consent", ask("report.consent"), true),
          },
        },
        saved: {
          entry: [
            {
              type: "effect",
              params: ({ context }: { context: Ctx }) => ({
                type: "report" as const,
                kind: "self" as const,
                answers: {
                  ...pick(context.answers, "triage."),
                  ...pick(context.answers, "report."),
                  "report.photos": String(context.photos),
                  ...(context.location ? { "triage.location": `${context.location.latitude},${context.location.longitude}` } : {}),
                },
                consent: context.answers["report.consent"] === "yes",
                risk: riskOf(context),
              }),
            },
            sayWith(reportSaved),
          ],
          on: {
            CHOICE: [
              { guard: chose("police"), target: "police" },
              { guard: chose("person"), target: "#helpline.handoff", actions: assign({ handoffReason: "report" }) },
              { target: "#helpline.menu" },
            ],
            TEXT: reask("report.saved", reportSaved),
          },
        },
        // First: only if no one can see you (CONTENT.md §7); the contacts come apart from the checklist.
        police: {
          entry: sayWith((context) => ({
            text: "police.intro",
            // An English summary helps a foreigner; a Cambodian reports in Khmer.
            bullets: [...(variant(context) === "kh" ? [] : ["police.summary"]), "police.phone", "police.gps", "police.building", "police.passport", "police.photo", "police.video"],
          })),
          always: "policeAfter",
        },
        policeAfter: personOrMenu("report.policeAfter", (context) => withCard({ text: `police.honest.${variant(context)}` }, emergencyCard(nationalityOf(context))), "report"),
      },
    },

    // ---- help for someone else: the family report ----
    family: {
      initial: "relationship",
      states: {
        relationship: question("family.relationship", "family.relationship", { next: "#helpline.family.name", prev: "#helpline.menu" }),
        name: textQuestion("family.name", "family.name", { next: "#helpline.family.nationality", prev: "#helpline.family.relationship" }),
        nationality: question("family.nationality", "family.nationality", {
          next: "#helpline.family.age",
          prev: "#helpline.family.name",
          setsNationality: true,
        }),
        age: question("family.age", "family.age", { next: "#helpline.family.lastContact", prev: "#helpline.family.nationality" }),
        lastContact: question("family.lastContact", "family.lastContact", { next: "#helpline.family.lastPlace", prev: "#helpline.family.age" }),
        lastPlace: textQuestion("family.lastPlace", "family.lastPlace", { next: "#helpline.family.recruited", prev: "#helpline.family.lastContact" }),
        recruited: question("family.recruited", "family.recruited", {
          next: "#helpline.family.ransom",
          prev: "#helpline.family.lastPlace",
          routes: { debt: "#helpline.family.debtNote" },
        }),
        // The 2025 lure: a promise to cancel debts. The job check lists it with the other red flags.
        debtNote: note("family.debtNote", "ransom"),
        ransom: question("family.ransom", "family.ransom", {
          next: "#helpline.family.prepare",
          prev: "#helpline.family.recruited",
          routes: { yes: "#helpline.family.ransomAdvice" },
        }),
        ransomAdvice: note("family.ransomAdvice", "prepare"),
        prepare: {
          entry: say({
            text: "family.prepare",
            bullets: ["family.prep.identity", "family.prep.passport", "family.prep.photo", "family.prep.location", "family.prep.phone", "family.prep.departure", "family.prep.messages"],
          }),
          always: "where",
        },
        // The family report is saved on the way in; then a person or the menu.
        where: {
          entry: [
            sayWith((context) => withCard({ text: `family.where.${variant(context)}` }, familyCard(nationalityOf(context)))),
            {
              type: "effect",
              params: ({ context }: { context: Ctx }) => ({
                type: "report" as const,
                kind: "family" as const,
                answers: { ...pick(context.answers, "family."), ...pick(context.answers, "report.story") },
                consent: true,
              }),
            },
          ],
          always: "saved",
        },
        saved: personOrMenu("family.saved", { text: "family.saved" }, "family"),
      },
    },

    // ---- check a job offer against the red flags ----
    job: {
      initial: JOB_FLAGS[0],
      states: {
        ...jobQuestions,
        verdict: {
          entry: sayWith((context) => {
            const flags = JOB_FLAGS.filter((f) => context.answers[`job.${f}`] === "yes") as JobFlag[];
            return { text: `job.verdict.${jobVerdict(flags)}`, bullets: flags.map((f) => `job.reason.${f}`) };
          }),
          always: "next",
        },
        next: personOrMenu("job.next", (context) => ({ text: `job.next.${variant(context)}` }), "requested"),
      },
    },

    // ---- contacts by nationality and the travel advisory ----
    info: {
      initial: "nationality",
      states: {
        nationality: {
          entry: say(INFO_PROMPT),
          on: {
            CHOICE: [
              { guard: chose("advisory"), target: "advisory" },
              ...NATIONALITIES.map((n) => ({ guard: chose(n), target: `contacts_${n}` })),
              { target: "#helpline.menu" },
            ],
            TEXT: reask("info.nationality", INFO_PROMPT),
          },
        },
        ...Object.fromEntries(
          NATIONALITIES.map((n: Nationality) => {
            const contacts: OutMessage = { ...withCard({ text: "info.contacts" }, infoCard(n)), showChecked: true, choices: [{ id: "advisory", label: "info.advisory" }, backToMenu] };
            return [
              `contacts_${n}`,
              {
                entry: say(contacts),
                on: { CHOICE: [{ guard: chose("advisory"), target: "advisory" }, { target: "#helpline.menu" }], TEXT: reask(`info.contacts_${n}`, contacts) },
              },
            ];
          }),
        ),
        advisory: {
          entry: sayWith(advisory),
          on: { CHOICE: "#helpline.menu", TEXT: reask("info.advisory", advisory) },
        },
      },
    },

    emergency: {
      entry: [
        assign({ cardShown: true }),
        sayWith(emergencyPrompt),
        // Not chosen yet: one tap shows their own government's lines (the card's buttons still work).
        sayWith((context) => (context.nationality ? undefined : { text: "emergency.askNationality", choices: nationalityChoices })),
      ],
      on: {
        CHOICE: [
          {
            guard: ({ event }: Args) => event.type === "CHOICE" && isNationality(event.id),
            actions: [
              "recordNationality",
              sayWith((context) => withCard({ text: "emergency.yourLines", choices: emergencyChoices(context) }, emergencyCard(context.nationality))),
            ],
          },
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "emergency" }) },
          { guard: chose("location"), target: "emergencyLocation" },
          // Back to the exact question left, with the answers so far.
          ...[...RESUMABLE].map((path) => ({
            guard: ({ context, event }: Args) => event.type === "CHOICE" && event.id === "continue" && context.resume === path,
            target: `#helpline.${path}`,
            actions: { type: "clearResume" as const },
          })),
          { target: "menu", actions: { type: "clearResume" as const } },
        ],
        TEXT: reask("emergency", emergencyPrompt),
      },
    },
    // Where are you: a shared location, or typed words (kept as the place, for staff).
    emergencyLocation: {
      entry: say({ text: "emergency.locationPrompt", requestLocation: true, choices: [skip] }),
      on: {
        LOCATION: {
          target: "handoff",
          actions: ["setLocation", assign({ handoffReason: "emergency" }), say({ text: "emergency.locationThanks" })],
        },
        CHOICE: { target: "handoff", actions: assign({ handoffReason: "emergency" }) },
        TEXT: [
          { guard: "isEmergencyText", target: "emergency" },
          { target: "handoff", actions: [recordText("triage.place"), assign({ handoffReason: "emergency" }), say({ text: "emergency.placeNoted" })] },
        ],
      },
    },
    handoff: {
      entry: [
        {
          type: "effect",
          params: ({ context }: { context: Ctx }) => ({
            type: "handoff" as const,
            reason: context.handoffReason ?? "requested",
            // Someone who came through the emergency card is treated as critical.
            risk: context.handoffReason === "emergency" ? "critical" : riskOf(context),
          }),
        },
        sayWith((context) => withCard({ text: "handoff.created" }, emergencyCard(nationalityOf(context)))),
      ],
      always: "withStaff",
    },
    // Staff have the conversation: stay quiet (the engine sends a receipt now and then); messages land in the transcript for them.
    withStaff: {
      tags: ["handoff"],
      on: {
        TEXT: [{ guard: "isEmergencyText", target: "emergency" }, {}],
        CHOICE: {},
        LOCATION: {
          actions: "setLocation",
        },
        UNSUPPORTED: {},
        STAFF_CLOSE: { target: "menu", actions: say({ text: "handoff.closed" }) },
      },
    },
  },
});
