// The local test chat at /try: a third channel ("web") on the same engine, for trying
// SafeLine with no platform account. Messages are "delivered" by being readable here.
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { i18n as I18n } from "i18next";
import { z } from "zod";
import { COMMANDS, type PersonEvent } from "../../../flows/types.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ChannelSender } from "../../outbox/deliverer.ts";
import type { Store } from "../../store/store.ts";
import { seenPage } from "../../store/person-view.ts";
import { LANGUAGES } from "../../../flows/data/languages.ts";
import { storableText } from "../storable-text.ts";
import { WebChatLimiter } from "./web-chat-limiter.ts";

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), "utf8");

/** The page loads only its own script and stylesheet and talks only to this server. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const sessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

const postSchema = z.object({
  session: sessionId,
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  language: z.string().max(16).optional(),
  text: z.string().min(1).max(4000).transform(storableText).optional(),
  choice: z.string().min(1).max(64).optional(),
  location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
});

/** `after`: the `next` of the page's previous read (0: from the start). */
const listSchema = z.object({ session: sessionId, after: z.coerce.number().int().min(0).max(10_000_000).default(0) });

function toEvent(body: z.infer<typeof postSchema>): PersonEvent | undefined {
  if (body.choice) return { type: "CHOICE", id: body.choice };
  if (body.location) return { type: "LOCATION", ...body.location };
  if (body.text !== undefined) {
    const command = /^\/([a-z]+)$/i.exec(body.text.trim())?.[1]?.toLowerCase();
    if (command && (COMMANDS as readonly string[]).includes(command)) return { type: "COMMAND", command: command as never };
    return { type: "TEXT", text: body.text };
  }
  return undefined;
}

/**
 * The web chat has no platform to call: a message is delivered once it is stored, and the page
 * reads it from there. An erased chat is forgotten once the page has read the erasure's last
 * reply (below), not when it is stored, or the page could never show it.
 */
export const webSender: ChannelSender = { batchSize: 50, forgetsErasedChat: true, send: async (items) => items.map(() => []) };

/** How many rows before a read are looked at to find what a tapped button said. */
const TAP_CONTEXT = 200;

/** The page's own words (its buttons, labels, notices) in every language: the locales' "try" section. */
function pageTexts(i18n: I18n): Record<string, Record<string, string>> {
  return Object.fromEntries(
    LANGUAGES.map((lng) => {
      const section = (i18n.getResourceBundle(lng, "translation") as { try?: Record<string, string> }).try ?? {};
      return [lng, Object.fromEntries(Object.entries(section).map(([key, text]) => [`try.${key}`, text]))];
    }),
  );
}

export function registerWebChat(app: FastifyInstance, engine: Engine, store: Store, i18n: I18n, limiter = new WebChatLimiter()): void {
  const page = asset("try.html");
  const script = asset("try.js");
  const style = asset("try.css");
  app.get("/try", (_, reply) => reply.header("content-security-policy", PAGE_CSP).type("text/html; charset=utf-8").send(page));
  app.get("/try/try.js", (_, reply) => reply.type("text/javascript; charset=utf-8").send(script));
  app.get("/try/try.css", (_, reply) => reply.type("text/css; charset=utf-8").send(style));
  const texts = JSON.stringify({ languages: LANGUAGES, texts: pageTexts(i18n) });
  app.get("/try/texts.json", (_, reply) => reply.type("application/json; charset=utf-8").send(texts));

  app.post("/try/api/messages", async (request, reply) => {
    const parsed = postSchema.safeParse(request.body);
    const event = parsed.success ? toEvent(parsed.data) : undefined;
    if (!parsed.success || !event) return reply.code(400).send({ error: "expected session, id and one of text, choice, location" });
    const { session, id, language } = parsed.data;
    const admission = limiter.admit(request.ip, session);
    if (!admission.ok) {
      return reply.code(429).header("retry-after", String(admission.retryAfterSeconds)).send({ error: "rate_limited", retryAfterSeconds: admission.retryAfterSeconds });
    }
    const result = await engine.handle({
      channel: "web",
      eventId: `${session}:${id}`,
      platformUserId: session,
      chatId: session,
      event,
      ...(language ? { languageHint: language } : {}),
    });
    return reply.send({ ok: true, duplicate: result.duplicate });
  });

  app.get("/try/api/messages", async (request, reply) => {
    const parsed = listSchema.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: "expected session and after" });
    const { session, after } = parsed.data;
    const rows = await store.personTranscript("web", session, after);
    // A tap is shown with its button's label: the message that offered it may be before `after`.
    const from = Math.max(0, after - TAP_CONTEXT);
    const earlier = rows.some((r) => r.kind === "choice") && after > 0 ? await store.personTranscript("web", session, from, after - from) : [];
    const { messages, next, erasedChatRead } = seenPage(rows, earlier, after);
    // The page has the erasure's confirmation now: only now may the chat be forgotten.
    if (erasedChatRead) await store.outbox.forgetErasedChat(erasedChatRead);
    const prefix = `${session}:`;
    return reply.send({
      language: await store.chatLanguage("web", session),
      next,
      messages: messages.map(({ eventId, ...m }) => (eventId?.startsWith(prefix) ? { ...m, clientId: eventId.slice(prefix.length) } : m)),
    });
  });
}
