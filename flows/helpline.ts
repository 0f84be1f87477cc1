// The helpline flow: discreet greeting, language, safety check, then help for myself
// (triage -> report), for someone else (family report), a job-offer check, contacts and
// advisories, and handoff to a person. Every question can be skipped, typed answers are
// matched to choices by the engine, emergency words jump to the emergency card anywhere.
// Pure: receives FlowEvents, emits `say` and `effect` actions for the engine to carry out.
import { assign, setup } from "xstate";
import { ADVISORY } from "./data/contacts.ts";
import { isEmergencyWord } from "./data/emergency-words.ts";
import { LANGUAGES } from "./data/languages.ts";
import { JOB_FLAGS, jobVerdict, type JobFlag } from "./data/job-offer.ts";
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
import { NATIONALITY_CHOICES, QUESTIONS, SKIP, YES_NO_SKIP, type QuestionKey } from "./data/questions.ts";
import { riskLevel, type TriageAnswers } from "./data/risk.ts";
import type { Choice, Effect, FlowContext, FlowEvent, OutMessage } from "./types.ts";

export interface HelplineContext extends FlowContext {
  /** Every answer by question id ("triage.danger", "family.name", …): choice ids or typed text. */
  answers: Record<string, string>;
  photos: number;
  handoffReason?: "emergency" | "requested" | "family" | "report";
  location?: { latitude: number; longitude: number };
  /** The triage question to continue with after the emergency card interrupted it. */
  resume?: string;
  /**
   * The nationality that decides which contacts are shown, once the person chose it (their
   * own, or in the family flow the missing person's). Until then the language suggests one.
   */
  nationality?: Nationality;
}

type Ctx = HelplineContext;
type Args = { context: Ctx; event: FlowEvent };

const skip = SKIP;
const backToMenu: Choice = { id: "menu", label: "common.backToMenu" };
const talkToPerson: Choice = { id: "person", label: "common.talkToPerson" };
const yesNoSkip = [...YES_NO_SKIP];

const say = (message: OutMessage) => ({ type: "say" as const, params: message });
/** A message built from the context; nothing is said when `build` returns undefined. */
const sayWith = (build: (context: Ctx) => OutMessage | undefined) => ({ type: "say" as const, params: ({ context }: { context: Ctx }) => build(context) });
const chose = (id: string) => ({ event }: Args) => event.type === "CHOICE" && event.id === id;
const choiceId = (event: FlowEvent) => (event.type === "CHOICE" ? event.id : "");
const record = (key: string) => ({ type: "record" as const, params: { key } });
const recordText = (key: string) => ({ type: "recordText" as const, params: { key } });

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
/** The nationality contacts are shown for: the one chosen, else the language's guess. */
const nationality = (context: Ctx) => nationalityOf(context);
const variant = (context: Ctx) => textVariant(nationality(context));
/** A message with a contact card: its notes as the first lines, then the contacts. */
const withCard = (message: OutMessage, card: ContactCard): OutMessage => ({
  ...message,
  bullets: [...(message.bullets ?? []), ...card.notes],
  contacts: card.contacts,
});

/** What the emergency card offers: a person, sharing a location, going back to the questions (if interrupted), the menu. */
const emergencyChoices = (context: Ctx): Choice[] => [
  { id: "person", label: "emergency.person" },
  { id: "location", label: "emergency.shareLocation" },
  ...(context.resume ? [{ id: "continue", label: "emergency.continue" }] : []),
  backToMenu,
];

/** Free text or an unknown choice: say so once, then ask the same question again. */
const reask = (state: string) => [
  { guard: "isEmergencyText" as const, target: "#helpline.emergency" },
  { target: `#helpline.${state}`, reenter: true, actions: say({ text: "common.pickOne" }) },
];

/** The question `key` of flows/data/questions.ts as a message. */
const ask = (key: QuestionKey): OutMessage => ({ text: QUESTIONS[key].prompt, choices: [...QUESTIONS[key].choices] });

/**
 * A question with choices (flows/data/questions.ts). Each route maps a choice id to a
 * target; the chosen id is recorded under `key`. Choices without a route (e.g. "skip") go to `next`.
 */
function question(path: string, key: QuestionKey, next: string, routes: Record<string, string> = {}, also: "recordNationality"[] = []) {
  const prompt = ask(key);
  const actions = [record(key), ...also];
  return {
    entry: say(prompt),
    on: {
      CHOICE: [
        ...Object.entries(routes).map(([id, target]) => ({ guard: chose(id), target, actions })),
        ...(prompt.choices ?? []).map((c) => ({ guard: chose(c.id), target: next, actions })),
        { target: `#helpline.${path}`, reenter: true },
      ],
      TEXT: reask(path),
    },
  };
}

/** A closing message that offers a person (a handoff with `reason`) or the menu. */
function personOrMenu(path: string, prompt: OutMessage | ((context: Ctx) => OutMessage), reason: NonNullable<HelplineContext["handoffReason"]>) {
  const choices = [talkToPerson, backToMenu];
  return {
    entry: typeof prompt === "function" ? sayWith((context) => ({ ...prompt(context), choices })) : say({ ...prompt, choices }),
    on: {
      CHOICE: [
        { guard: chose("person"), target: "#helpline.handoff", actions: { type: "setHandoffReason" as const, params: { reason } } },
        { target: "#helpline.menu" },
      ],
      TEXT: reask(path),
    },
  };
}

/** A nationality question: the answer is recorded and decides the contacts shown from then on. */
const nationalityQuestion = (path: string, key: QuestionKey, next: string) => question(path, key, next, {}, ["recordNationality"]);

/** A question answered by typing (or skipped), e.g. a name or a place. */
function textQuestion(path: string, key: QuestionKey, next: string) {
  return {
    entry: say({ text: QUESTIONS[key].prompt, choices: [skip] }),
    on: {
      TEXT: [{ guard: "isEmergencyText" as const, target: "#helpline.emergency" }, { target: next, actions: recordText(key) }],
      CHOICE: { target: next },
    },
  };
}

const nationalityChoices = [...NATIONALITY_CHOICES];

const jobQuestions = Object.fromEntries(
  JOB_FLAGS.map((flag, i) => [
    flag,
    question(`job.${flag}`, `job.${flag}` as QuestionKey, i + 1 < JOB_FLAGS.length ? `#helpline.job.${JOB_FLAGS[i + 1]}` : "#helpline.job.verdict"),
  ]),
);

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
    /** The chosen nationality decides the contacts shown from now on. */
    recordNationality: assign(({ event }) => (event.type === "CHOICE" && isNationality(event.id) ? { nationality: event.id } : {})),
    clearResume: assign({ resume: undefined }),
    setHandoffReason: assign((_, { reason }: { reason: NonNullable<HelplineContext["handoffReason"]> }) => ({ handoffReason: reason })),
    setLocation: assign(({ event }) =>
      event.type === "LOCATION" ? { location: { latitude: event.latitude, longitude: event.longitude } } : {},
    ),
  },
  guards: {
    isEmergencyText: ({ event }) => event.type === "TEXT" && isEmergencyWord(event.text),
    isLanguageChoice: ({ event }) =>
      event.type === "CHOICE" && (LANGUAGES as readonly string[]).includes(event.id),
    isCritical: ({ context }) => riskOf(context) === "critical",
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
      { actions: say({ text: "help.text" }) },
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
    // A conversation that has not started: the first message of any kind opens it.
    idle: {
      on: { "*": [{ guard: "isEmergencyText", target: "emergency" }, { target: "language" }] },
    },
    language: {
      entry: say({ text: "language.prompt", choices: LANGUAGES.map((id) => ({ id, label: `language.${id}` })) }),
      on: {
        CHOICE: [
          { guard: "isLanguageChoice", target: "safeCheck", actions: assign({ lang: ({ event }) => choiceId(event) }) },
          { target: "language", reenter: true },
        ],
        TEXT: reask("language"),
      },
    },
    safeCheck: {
      entry: say({ text: "safety.prompt", choices: [{ id: "yes", label: "common.yes" }, { id: "no", label: "common.no" }] }),
      on: {
        CHOICE: [{ guard: chose("yes"), target: "menu" }, { guard: chose("no"), target: "quiet" }, { target: "safeCheck", reenter: true }],
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
        TEXT: reask("confirmDelete"),
      },
    },
    // Everything the person told us is gone; a new message starts a new conversation.
    erased: {
      entry: [{ type: "effect", params: { type: "erase" as const } }, say({ text: "delete.done" })],
      on: {
        "*": [
          { guard: "isEmergencyText", target: "emergency" },
          { target: "language", actions: assign({ answers: {}, photos: 0, location: undefined, handoffReason: undefined }) },
        ],
      },
    },
    menu: {
      entry: say({
        text: "menu.prompt",
        choices: [
          { id: "danger", label: "menu.danger" },
          { id: "me", label: "menu.me" },
          { id: "other", label: "menu.other" },
          { id: "job", label: "menu.job" },
          { id: "info", label: "menu.info" },
          talkToPerson,
        ],
      }),
      on: {
        CHOICE: [
          { guard: chose("danger"), target: "emergency", actions: assign({ answers: ({ context }) => ({ ...context.answers, "triage.danger": "yes" }) }) },
          { guard: chose("me"), target: "triage" },
          { guard: chose("other"), target: "family" },
          { guard: chose("job"), target: "job" },
          { guard: chose("info"), target: "info" },
          { guard: chose("person"), target: "handoff", actions: assign({ handoffReason: "requested" }) },
          { target: "menu", reenter: true },
        ],
        TEXT: reask("menu"),
      },
    },

    // ---- help for myself: triage, one question at a time, each skippable ----
    triage: {
      initial: "danger",
      states: {
        danger: {
          entry: say(ask("triage.danger")),
          on: {
            CHOICE: [
              { guard: chose("yes"), target: "#helpline.emergency", actions: [record("triage.danger"), assign({ resume: "injured" })] },
              { guard: ({ event }: Args) => event.type === "CHOICE" && ["no", "skip"].includes(event.id), target: "injured", actions: record("triage.danger") },
              { target: "danger", reenter: true },
            ],
            TEXT: reask("triage.danger"),
          },
        },
        injured: question("triage.injured", "triage.injured", "#helpline.triage.leave"),
        leave: {
          entry: say(ask("triage.leave")),
          on: {
            CHOICE: [
              { guard: ({ event }: Args) => event.type === "CHOICE" && ["yes", "no", "skip"].includes(event.id), target: "leaveChecked", actions: record("triage.leave") },
              { target: "leave", reenter: true },
            ],
            TEXT: reask("triage.leave"),
          },
        },
        // Injured and not able to leave is critical: the emergency card comes before any further question.
        leaveChecked: {
          always: [
            { guard: "isCritical", target: "#helpline.emergency", actions: assign({ resume: "documents" }) },
            { target: "documents" },
          ],
        },
        documents: question("triage.documents", "triage.documents", "#helpline.triage.watched"),
        watched: question("triage.watched", "triage.watched", "#helpline.triage.where"),
        where: question(
          "triage.where",
          "triage.whereHow",
          "#helpline.triage.nationality",
          { share: "#helpline.triage.whereShare", type: "#helpline.triage.whereType" },
        ),
        whereShare: {
          entry: say({ text: "triage.whereSharePrompt", requestLocation: true, choices: [skip] }),
          on: {
            LOCATION: {
              target: "nationality",
              actions: [
                "setLocation",
                say({ text: "emergency.locationThanks" }),
              ],
            },
            CHOICE: "nationality",
            TEXT: reask("triage.whereShare"),
          },
        },
        whereType: textQuestion("triage.whereType", "triage.place", "#helpline.triage.nationality"),
        nationality: nationalityQuestion("triage.nationality", "triage.nationality", "#helpline.triage.others"),
        others: question("triage.others", "triage.others", "#helpline.report"),
      },
    },

    // ---- the self-report: description, photos, consent, reference code ----
    report: {
      initial: "describe",
      states: {
        describe: {
          entry: say({ text: "report.describe", choices: [{ id: "done", label: "report.done" }, skip] }),
          on: {
            TEXT: [
              { guard: "isEmergencyText", target: "#helpline.emergency" },
              {
                actions: [
                  assign({
                    answers: ({ context, event }) => {
                      if (event.type !== "TEXT") return context.answers;
                      const before = context.answers["report.description"];
                      const text = (before ? `${before}\n${event.text}` : event.text).slice(0, 4000);
                      return { ...context.answers, "report.description": text };
                    },
                  }),
                  say({ text: "report.noted", choices: [{ id: "done", label: "report.done" }] }),
                ],
              },
            ],
            UNSUPPORTED: [
              {
                guard: ({ event }: Args) => event.type === "UNSUPPORTED" && event.what === "photo",
                actions: [assign({ photos: ({ context }) => context.photos + 1 }), say({ text: "report.photoNoted", choices: [{ id: "done", label: "report.done" }] })],
              },
              { actions: say({ text: "report.describeOnlyText" }) },
            ],
            CHOICE: "consent",
          },
        },
        consent: {
          entry: say(ask("report.consent")),
          on: {
            CHOICE: [
              { guard: ({ event }: Args) => event.type === "CHOICE" && ["yes", "no"].includes(event.id), target: "saved", actions: record("report.consent") },
              { target: "consent", reenter: true },
            ],
            TEXT: reask("report.consent"),
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
            sayWith((context) => ({
              ...(context.answers["report.consent"] === "yes"
                ? { text: "report.savedShared" }
                : // Plainly what keeping it private means, and how to share later.
                  { text: "report.savedPrivate", bullets: ["report.privateNotSeen", "report.privateShareLater"] }),
              choices: [{ id: "police", label: "report.policeHelp" }, talkToPerson, backToMenu],
            })),
          ],
          on: {
            CHOICE: [
              { guard: chose("police"), target: "police" },
              { guard: chose("person"), target: "#helpline.handoff", actions: assign({ handoffReason: "report" }) },
              { target: "#helpline.menu" },
            ],
            TEXT: reask("report.saved"),
          },
        },
        police: {
          entry: sayWith((context) => ({
            text: "police.intro",
            // An English summary helps a foreigner; a Cambodian reports in Khmer.
            bullets: [...(variant(context) === "kh" ? [] : ["police.summary"]), "police.phone", "police.gps", "police.building", "police.passport", "police.photo", "police.video"],
          })),
          always: "policeAfter",
        },
        policeAfter: personOrMenu("report.policeAfter", (context) => withCard({ text: `police.honest.${variant(context)}` }, emergencyCard(nationality(context))), "report"),
      },
    },

    // ---- help for someone else: the family report ----
    family: {
      initial: "relationship",
      states: {
        relationship: question("family.relationship", "family.relationship", "#helpline.family.name"),
        name: textQuestion("family.name", "family.name", "#helpline.family.nationality"),
        nationality: nationalityQuestion("family.nationality", "family.nationality", "#helpline.family.age"),
        age: question("family.age", "family.age", "#helpline.family.lastContact"),
        lastContact: question("family.lastContact", "family.lastContact", "#helpline.family.lastPlace"),
        lastPlace: textQuestion("family.lastPlace", "family.lastPlace", "#helpline.family.recruited"),
        recruited: question("family.recruited", "family.recruited", "#helpline.family.ransom"),
        ransom: question(
          "family.ransom",
          "family.ransom",
          "#helpline.family.prepare",
          { yes: "#helpline.family.ransomAdvice" },
        ),
        ransomAdvice: {
          entry: say({ text: "family.ransomAdvice" }),
          always: "prepare",
        },
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
            sayWith((context) => withCard({ text: `family.where.${variant(context)}` }, familyCard(nationality(context)))),
            {
              type: "effect",
              params: ({ context }: { context: Ctx }) => ({ type: "report" as const, kind: "family" as const, answers: pick(context.answers, "family."), consent: true }),
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
          entry: say({ text: "info.nationality", choices: [...nationalityChoices, { id: "advisory", label: "info.advisory" }] }),
          on: {
            CHOICE: [
              { guard: chose("advisory"), target: "advisory" },
              ...NATIONALITIES.map((n) => ({ guard: chose(n), target: `contacts_${n}` })),
              { target: "nationality", reenter: true },
            ],
            TEXT: reask("info.nationality"),
          },
        },
        ...Object.fromEntries(
          NATIONALITIES.map((n: Nationality) => [
            `contacts_${n}`,
            {
              entry: say({ ...withCard({ text: "info.contacts" }, infoCard(n)), showChecked: true, choices: [{ id: "advisory", label: "info.advisory" }, backToMenu] }),
              on: { CHOICE: [{ guard: chose("advisory"), target: "advisory" }, { target: "#helpline.menu" }], TEXT: reask(`info.contacts_${n}`) },
            },
          ]),
        ),
        advisory: {
          entry: sayWith((context) => ({
            // Korea's levels: labelled as Korea's for everyone else (CONTENT.md §4a).
            text: variant(context) === "kr" ? "info.advisoryText" : "info.advisoryTextForeign",
            params: { asOf: ADVISORY.asOf, link: ADVISORY.link },
            bullets: ["info.advisoryLevel4", "info.advisoryLevel3", "info.advisorySpecial", "info.advisoryLevel2"],
            choices: [backToMenu],
          })),
          on: { CHOICE: "#helpline.menu", TEXT: reask("info.advisory") },
        },
      },
    },

    emergency: {
      entry: [
        sayWith((context) => withCard({ text: "emergency.card", choices: emergencyChoices(context) }, emergencyCard(nationality(context)))),
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
          ...["injured", "documents"].map((resume) => ({
            guard: ({ context, event }: Args) => event.type === "CHOICE" && event.id === "continue" && context.resume === resume,
            target: `#helpline.triage.${resume}`,
            actions: { type: "clearResume" as const },
          })),
          { target: "menu", actions: { type: "clearResume" as const } },
        ],
        TEXT: reask("emergency"),
      },
    },
    emergencyLocation: {
      entry: say({ text: "emergency.locationPrompt", requestLocation: true, choices: [skip] }),
      on: {
        LOCATION: {
          target: "handoff",
          actions: ["setLocation", assign({ handoffReason: "emergency" }), say({ text: "emergency.locationThanks" })],
        },
        CHOICE: { target: "handoff", actions: assign({ handoffReason: "emergency" }) },
        TEXT: reask("emergencyLocation"),
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
        sayWith((context) => withCard({ text: "handoff.created" }, emergencyCard(nationality(context)))),
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
          actions: "setLocation",
        },
        UNSUPPORTED: {},
        STAFF_CLOSE: { target: "menu", actions: say({ text: "handoff.closed" }) },
      },
    },
  },
});
