// The load generator: virtual users post realistic Telegram updates to a webhook over
// keep-alive HTTP. Each conversation is one private chat whose updates are posted one at a
// time (Telegram delivers one chat in order); `concurrency` conversations run at once.
// Latency is request start -> the 200 response has been read.
import { Agent, request } from "node:http";
import { LANGUAGES } from "../flows/data/languages.ts";
import { BOT } from "./fake-bot-api.ts";

export const SECRET = "bench_Secret-0123456789abcdef"; // production wants 24 characters or more

/** One thing the person does: a typed text (commands get a bot_command entity) or a button tap. */
export type Step = { text: string } | { tap: string };

const MENU_PREFIX = (lang: string): Step[] => [{ text: "/start" }, { tap: lang }, { tap: "yes" }];

/**
 * Realistic paths through flows/helpline.ts, after the language and the safety question.
 * Weights are out of 20; the mix averages about 8 updates per conversation.
 */
const PATHS: { name: string; weight: number; steps: Step[] }[] = [
  // "I am in danger now" -> emergency card -> a person (handoff, critical) -> a message to staff.
  { name: "danger", weight: 5, steps: [{ tap: "danger" }, { tap: "person" }, { text: "please help, I am on the 5th floor" }] },
  // Self-report: triage questions (phone checked: the tips and the auto-clear offer, declined), a description, consent -> report with a reference code.
  {
    name: "report",
    weight: 3,
    steps: [
      { tap: "me" }, { tap: "no" }, { tap: "no" }, { tap: "no" }, { tap: "passport" }, { tap: "yes" }, { tap: "clearOff" }, { tap: "skip" },
      { tap: "kr" }, { tap: "no" }, { text: "They took my passport and make me work 16 hours a day." }, { tap: "done" }, { tap: "yes" },
    ],
  },
  // Contacts by nationality, the travel advisory, back to the menu.
  { name: "info", weight: 5, steps: [{ tap: "info" }, { tap: "kr" }, { tap: "advisory" }, { tap: "menu" }] },
  // Job-offer check: nine red-flag questions, verdict, back to the menu.
  {
    name: "job",
    weight: 3,
    steps: [{ tap: "job" }, { tap: "yes" }, { tap: "yes" }, { tap: "no" }, { tap: "unsure" }, { tap: "no" }, { tap: "no" }, { tap: "yes" }, { tap: "no" }, { tap: "skip" }, { tap: "menu" }],
  },
  // An emergency word typed at the menu, then back to the menu.
  { name: "sos", weight: 2, steps: [{ text: "SOS" }, { tap: "menu" }] },
  // "Is it safe to chat?" -> no: one line, then silence (handled below: no menu prefix).
  { name: "notSafe", weight: 2, steps: [] },
];
const WEIGHTED = PATHS.flatMap((p) => Array.from({ length: p.weight }, () => p));

/** Which path conversation `n` takes on full paths (deterministic, so runs are comparable). */
export const pathName = (n: number): string => WEIGHTED[n % WEIGHTED.length]!.name;

/** The full path of conversation `n`. */
export function fullPath(n: number): Step[] {
  const lang = LANGUAGES[n % LANGUAGES.length]!;
  const path = WEIGHTED[n % WEIGHTED.length]!;
  if (path.name === "notSafe") return [{ text: "/start" }, { tap: lang }, { tap: "no" }];
  return [...MENU_PREFIX(lang), ...path.steps];
}

/** The light path: one /start, i.e. one new conversation per update. */
export const startOnly = (): Step[] => [{ text: "/start" }];

export const averageFullPathLength = WEIGHTED.reduce((sum, _, i) => sum + fullPath(i).length, 0) / WEIGHTED.length;

export interface Target {
  port: number;
  path: string;
}

/** Shared across phases of one server so update_id and chat ids never repeat. */
export interface Counters {
  nextUpdateId: number;
  nextConversation: number;
}

export interface LoadResult {
  conversations: number;
  updates: number;
  callbacks: number;
  /** Callback queries answered in the webhook's reply (Telegram runs that method itself). */
  answeredInReply: number;
  /** Responses other than 200 (each retried like Telegram would, up to 3 times). */
  errors: number;
  /** Updates never acknowledged with 200. */
  lost: number;
  latenciesMs: Float64Array;
  elapsedMs: number;
}

const CHAT_BASE = 900_000_000;
const user = (chatId: number, lang: string) => ({ id: chatId, is_bot: false, first_name: "Bench", language_code: lang });
const chat = (chatId: number) => ({ id: chatId, type: "private", first_name: "Bench" });

function updateBody(step: Step, updateId: number, chatId: number, botMessageId: number, lang: string): string {
  const date = Math.floor(Date.now() / 1000);
  if ("tap" in step) {
    return JSON.stringify({
      update_id: updateId,
      callback_query: {
        id: String(updateId),
        from: user(chatId, lang),
        chat_instance: String(-chatId),
        data: step.tap,
        message: { message_id: botMessageId, date, chat: chat(chatId), from: BOT, text: "…" },
      },
    });
  }
  const command = /^\/\w+/.exec(step.text);
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date,
      chat: chat(chatId),
      from: user(chatId, lang),
      text: step.text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    },
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const CALLBACK_ANSWER = /"method"\s*:\s*"answerCallbackQuery"/;

/** The status, and whether the answer asked Telegram to answer a callback query. */
function post(target: Target, body: string): Promise<{ status: number; answersCallback: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port: target.port,
        path: target.path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-telegram-bot-api-secret-token": SECRET,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, answersCallback: CALLBACK_ANSWER.test(text) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

class Latencies {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(ms: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = ms;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export interface LoadOptions {
  target: Target;
  counters: Counters;
  concurrency: number;
  path: (n: number) => Step[];
  /** Stop after this many conversations... */
  conversations?: number;
  /** ...or stop starting new ones after this long. */
  durationMs?: number;
  /** Filled with performance.now() of each conversation's first request, by chat id. */
  firstRequestAt?: Map<string, number>;
  /** Called after every finished conversation (progress, RSS samples). */
  onConversation?: (done: number) => void;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies = new Latencies();
  const started = performance.now();
  const deadline = o.durationMs === undefined ? Infinity : started + o.durationMs;
  const limit = o.conversations ?? Infinity;
  let begun = 0;
  let done = 0;
  let updates = 0;
  let callbacks = 0;
  let answeredInReply = 0;
  let errors = 0;
  let lost = 0;

  const conversation = async (n: number) => {
    const chatId = CHAT_BASE + n;
    const lang = LANGUAGES[n % LANGUAGES.length]!;
    const steps = o.path(n);
    for (const [i, step] of steps.entries()) {
      // A tap refers to the bot's message it was under; any plausible id will do.
      const body = updateBody(step, o.counters.nextUpdateId++, chatId, i + 1, lang);
      updates++;
      if ("tap" in step) callbacks++;
      for (let attempt = 1; ; attempt++) {
        const t0 = performance.now();
        if (i === 0 && attempt === 1) o.firstRequestAt?.set(String(chatId), t0);
        const { status, answersCallback } = await post(o.target, body).catch(() => ({ status: 0, answersCallback: false }));
        if (status === 200) {
          latencies.push(performance.now() - t0);
          if (answersCallback) answeredInReply++;
          break;
        }
        errors++;
        if (attempt === 3) {
          lost++;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const worker = async () => {
    while (begun < limit && performance.now() < deadline) {
      begun++;
      await conversation(o.counters.nextConversation++);
      done++;
      o.onConversation?.(done);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { conversations: done, updates, callbacks, answeredInReply, errors, lost, latenciesMs: latencies.done(), elapsedMs: performance.now() - started };
}
