// The local test chat at /try: a third channel ("web") on the same engine, for trying
// SafeLine with no platform account. Messages are "delivered" by being readable here.
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { COMMANDS, type PersonEvent } from "../../../flows/types.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ChannelSender } from "../../outbox/deliverer.ts";
import type { Store } from "../../store/store.ts";
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

/** `after`: how many of the chat's messages the page has already shown. */
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

/** The web chat has no platform to call: a message is delivered once it is stored. */
export const webSender: ChannelSender = { batchSize: 50, send: async (items) => items.map(() => []) };

export function registerWebChat(app: FastifyInstance, engine: Engine, store: Store, limiter = new WebChatLimiter()): void {
  const page = asset("try.html");
  const script = asset("try.js");
  const style = asset("try.css");
  app.get("/try", (_, reply) => reply.header("content-security-policy", PAGE_CSP).type("text/html; charset=utf-8").send(page));
  app.get("/try/try.js", (_, reply) => reply.type("text/javascript; charset=utf-8").send(script));
  app.get("/try/try.css", (_, reply) => reply.type("text/css; charset=utf-8").send(style));

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
    const entries = await store.personTranscript("web", parsed.data.session, parsed.data.after);
    // Stop before the first reply not yet delivered, so the client's `after` never skips it.
    const undelivered = entries.findIndex((e) => e.direction === "out" && e.status !== "sent");
    return reply.send({
      messages: entries
        .slice(0, undelivered === -1 ? entries.length : undelivered)
        .map((e) => ({ id: e.seq, direction: e.direction, kind: e.kind, text: e.text, payload: e.payload })),
    });
  });
}
