// What an alert to on-call staff says, in Korean and English (the console's languages, from
// locales/console/): the case's risk, channel, language and waiting time, and a link into the
// console. Nothing a person wrote, no name, no platform id: only what the queue row shows.
import { readFileSync } from "node:fs";
import type { AlertJob } from "../store/alert-store.ts";

type Texts = Record<string, string>;

const load = (lang: string): Texts => JSON.parse(readFileSync(new URL(`../../locales/console/${lang}.json`, import.meta.url), "utf8")) as Texts;
const LANGUAGES: Texts[] = [load("ko"), load("en")];

function say(texts: Texts, key: string, params: Record<string, string | number> = {}): string {
  return (texts[key] ?? key).replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(params[name] ?? ""));
}

/** Like the console's waiting time: under 1 min, 12 min, 3 h 5 min, 2 d 4 h. */
function waited(texts: Texts, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return say(texts, "wait.lessThanMinute");
  if (minutes < 60) return say(texts, "wait.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return say(texts, "wait.hours", { h: hours, m: minutes % 60 });
  return say(texts, "wait.days", { d: Math.floor(hours / 24), h: hours % 24 });
}

export interface AlertText {
  subject: string;
  text: string;
}

/** The alert for `job` at `now`; `consoleUrl` is the console's address (…/staff). */
export function alertText(job: AlertJob, consoleUrl: string, now: Date): AlertText {
  const { handoff } = job;
  const link = `${consoleUrl}#/handoff/${encodeURIComponent(handoff.id)}`;
  const blocks = LANGUAGES.map((texts) => {
    const risk = say(texts, `risk.${handoff.risk ?? "none"}`);
    const waiting = waited(texts, now.getTime() - handoff.createdAt.getTime());
    const title = job.round === 0 ? say(texts, "alert.new", { risk }) : say(texts, "alert.repeat", { risk, waiting });
    const language = handoff.language ? say(texts, `language.${handoff.language}`) : say(texts, "language.unknown");
    return {
      title,
      body: [title, say(texts, "alert.details", { risk, channel: say(texts, `channel.${handoff.channel}`), language, waiting }), say(texts, "alert.open", { link })].join("\n"),
    };
  });
  return { subject: `[SafeLine] ${blocks.map((b) => b.title).join(" / ")}`, text: blocks.map((b) => b.body).join("\n\n") };
}
