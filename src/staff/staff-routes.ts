// The staff console under /staff: the page and its assets, and the JSON API described in
// docs/staff-console.md. Security headers, cookies and the sign-in rate limit apply to
// this part of the server only.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isStorableText } from "../channels/storable-text.ts";
import type { Logger } from "../log.ts";
import { HANDOFF_STATUSES, STAFF_ROLES } from "../store/staff-types.ts";
import { RISK_LEVELS } from "../store/risk-rank.ts";
import { MAX_ROW_ID } from "../store/types.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { CHANNELS, CONSOLE_DEFINITIONS, NOTE_MAX_LENGTH, REPLY_MAX_LENGTH, REPORT_KINDS } from "./console-definitions.ts";
import { cursorParam, PAGE_MAX, PAGE_SIZE, pageLimit } from "./page-cursor.ts";
import { MIN_PASSWORD_LENGTH } from "./password.ts";
import { atLeast } from "./policy.ts";
import { contentDisposition, extensionOf } from "./content-disposition.ts";
import { INLINE_IMAGE_TYPES } from "../evidence/content-type.ts";
import { isSameOrigin } from "./same-origin.ts";
import { VisibleChanges } from "./visible-changes.ts";
import { readyReplySchema } from "./ready-replies.ts";
import type { SecurityAudit } from "./security-audit.ts";
import type { Sessions, Signedin } from "./sessions.ts";
import { forbidden, StaffError } from "./staff-errors.ts";
import type { ConsoleLanguage, StaffService } from "./staff-service.ts";

const publicDir = new URL("./public/", import.meta.url);
const localesDir = new URL("../../locales/console/", import.meta.url);

const csv = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .transform((v) => v.split(",").filter(Boolean))
    .pipe(z.array(z.enum(values as [T, ...T[]])).min(1));

/** Typed text: refused (not altered) when it holds characters the database cannot store. */
const typed = (max: number) => z.string().trim().min(1).max(max).refine(isStorableText, "contains NUL or a broken character");
/** Account and handoff ids (UUIDs); anything else cannot exist and is not looked up. */
const recordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
const loginBody = z.object({ email: z.string().max(254).refine(isStorableText), password: z.string().max(1024) });
const riskFilter = z.enum([...RISK_LEVELS, "none"]).optional();
const queueQuery = z.object({
  status: csv(HANDOFF_STATUSES).default(["open", "in_progress", "resolved"]),
  risk: riskFilter,
  channel: z.enum(CHANNELS).optional(),
  language: z.string().regex(/^[a-z]{2,3}$/).optional(),
  cursor: cursorParam.optional(),
  limit: pageLimit,
});
/** A reference code as people read it out: case, spaces and the dash do not matter. */
const referenceCode = z
  .string()
  .max(40)
  .transform((v) => v.toUpperCase().replace(/[^A-Z0-9]/g, ""))
  .pipe(z.string().regex(/^[A-Z0-9]{8}$/, "a reference code has 8 letters and digits"))
  .transform((v) => `${v.slice(0, 4)}-${v.slice(4)}`);
const reportQuery = z.object({
  risk: riskFilter,
  kind: z.enum(REPORT_KINDS).optional(),
  code: referenceCode.optional(),
  cursor: cursorParam.optional(),
  limit: pageLimit,
});
const handoffParams = z.object({ id: recordId });
const evidenceParams = z.object({ id: recordId, evidenceId: recordId });
const replyBody = z.object({ text: typed(REPLY_MAX_LENGTH) });
/** A ready reply: the server writes the text from its id and parameters (src/staff/ready-replies.ts). */
const readyBody = z.object({ ready: readyReplySchema }).strict();
const isReady = (body: unknown) => typeof body === "object" && body !== null && "ready" in body;
const noteBody = z.object({ text: typed(NOTE_MAX_LENGTH) });
const assignBody = z.object({ staffId: recordId.nullable() });
const statusBody = z.object({ status: z.enum(HANDOFF_STATUSES) });
const auditQuery = z.object({ before: z.coerce.number().int().positive().max(MAX_ROW_ID).optional(), limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_SIZE) });
const accountBody = z.object({ email, role: z.enum(STAFF_ROLES), password: z.string().min(MIN_PASSWORD_LENGTH).max(1024) });
const accountChange = z
  .object({ role: z.enum(STAFF_ROLES).optional(), active: z.boolean().optional(), unlock: z.literal(true).optional() })
  .refine((c) => Object.keys(c).length > 0, "nothing to change");
const langQuery = z.object({ lang: z.enum(["ko", "en"]).optional() });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StaffError(400, "invalid", { issues: parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`) });
  return parsed.data;
}

/** The console language for texts the server renders (report questions): ?lang=, else the browser's. */
function consoleLanguage(request: FastifyRequest): ConsoleLanguage {
  const asked = parse(langQuery, request.query).lang;
  return asked ?? (/^ko\b/i.test(request.headers["accept-language"] ?? "") ? "ko" : "en");
}

const serialize = (account: Signedin["account"]) => ({ ...account, lockedUntil: account.lockedUntil?.toISOString() ?? null, createdAt: account.createdAt.toISOString() });

const visibleChanges = (mark: () => Promise<string>, send: () => void) => {
  const gate = new VisibleChanges(mark, send);
  return () => gate.changed();
};

export interface StaffConsoleDeps {
  service: StaffService;
  sessions: Sessions;
  feed: ChangeFeed;
  security: SecurityAudit;
  log: Logger;
  /** Served over https (PUBLIC_URL set): cookies are Secure and browsers are told to stay on https. */
  https: boolean;
  /** PUBLIC_URL's origin, accepted as the Origin of console requests besides the Host's. */
  publicOrigin?: string;
  loginRateLimit?: { max: number; timeWindowMs: number };
}

export async function registerStaffConsole(app: FastifyInstance, deps: StaffConsoleDeps): Promise<void> {
  const { service, sessions, feed, security, log } = deps;
  /** Open event streams and whose they are. */
  const streams = new Map<FastifyReply, { sessionId: string; accountId: string }>();
  // Open event streams would keep the server from closing.
  app.addHook("preClose", async () => {
    for (const stream of streams.keys()) stream.raw.destroy();
  });
  /** Signing out or disabling an account ends its streams at once, not at the next heartbeat. */
  const endStreams = (which: (owner: { sessionId: string; accountId: string }) => boolean) => {
    for (const [stream, owner] of streams) {
      if (!which(owner) || stream.raw.writableEnded) continue;
      stream.raw.write("event: expired\ndata: {}\n\n");
      stream.raw.end();
    }
  };

  await app.register(
    async (scope) => {
      await scope.register(cookie);
      await scope.register(helmet, {
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", "data:"],
            connectSrc: ["'self'"],
            fontSrc: ["'self'"],
            objectSrc: ["'none'"],
            frameAncestors: ["'none'"],
            baseUri: ["'none'"],
            formAction: ["'self'"],
            ...(deps.https ? { upgradeInsecureRequests: [] } : {}),
          },
        },
        referrerPolicy: { policy: "no-referrer" },
        frameguard: { action: "deny" },
        hsts: deps.https ? { maxAge: 31_536_000 } : false,
      });
      await scope.register(rateLimit, { global: false });
      // Only the page's scripts and stylesheet: not its type declarations or tsconfig.json.
      await scope.register(fastifyStatic, {
        root: fileURLToPath(publicDir),
        prefix: "/assets/",
        decorateReply: false,
        index: false,
        allowedPath: (path) => /\.(js|css)$/.test(path),
      });

      scope.addHook("onSend", async (_, reply) => {
        reply.header("cache-control", "no-store");
      });
      scope.addHook("onRequest", async (request) => {
        if (request.method !== "GET" && request.method !== "HEAD" && !isSameOrigin(request, deps.publicOrigin)) throw new StaffError(403, "origin");
      });

      scope.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
        if (error instanceof StaffError) {
          if (error.statusCode === 403) await recordRefusal(request, `security.${error.code}`);
          return reply.code(error.statusCode).send({ error: error.code, ...error.extra });
        }
        if (error.statusCode === 429) {
          await recordRefusal(request, "security.rate_limited");
          return reply.code(429).send({ error: "rate_limited" });
        }
        if (error.statusCode === 413) return reply.code(413).send({ error: "too_large" });
        if (error.statusCode === 415) return reply.code(415).send({ error: "unsupported_media_type" });
        if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reply.code(400).send({ error: "invalid" });
        log.error({ err: error.message, code: error.code }, "staff console request failed");
        return reply.code(500).send({ error: "internal" });
      });

      /** A refused request in the audit log: who (when signed in), what, which route. */
      const recordRefusal = async (request: FastifyRequest, action: string) => {
        const signedin = await sessions.current(request).catch(() => null);
        const actor = signedin ? { id: signedin.account.id, email: signedin.account.email } : undefined;
        await security.record(action, request.ip, actor, { targetType: "route", targetId: `${request.method} ${request.routeOptions.url ?? "?"}` });
      };

      scope.get("/", async (_, reply) => reply.type("text/html; charset=utf-8").send(await readFile(new URL("index.html", publicDir))));

      scope.get("/api/texts/:lang", async (request, reply) => {
        const { lang } = parse(z.object({ lang: z.enum(["ko", "en"]) }), request.params);
        return reply.type("application/json; charset=utf-8").send(await readFile(new URL(`${lang}.json`, localesDir)));
      });

      const limit = deps.loginRateLimit ?? { max: 10, timeWindowMs: 60_000 };
      scope.post("/api/login", { config: { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } } }, async (request, reply) => {
        const body = parse(loginBody, request.body);
        const { account, csrf } = await sessions.login(body.email.trim().toLowerCase(), body.password, request.ip, reply);
        return { account: serialize(account), csrf };
      });

      scope.post("/api/logout", async (request, reply) => {
        const ended = await sessions.logout(request, reply);
        if (ended) endStreams((owner) => owner.sessionId === ended);
        return reply.code(204).send();
      });

      scope.get("/api/me", async (request) => {
        const { account, csrf } = await sessions.require(request, { csrf: false });
        return { account: serialize(account), csrf };
      });

      scope.get("/api/definitions", async (request) => {
        await sessions.require(request, { csrf: false });
        return CONSOLE_DEFINITIONS;
      });

      scope.get("/api/handoffs", async (request) => {
        const { account } = await sessions.require(request, { csrf: false });
        const q = parse(queueQuery, request.query);
        return service.queue(
          account,
          {
            statuses: q.status,
            ...(q.risk ? { risk: q.risk } : {}),
            ...(q.channel ? { channel: q.channel } : {}),
            ...(q.language ? { language: q.language } : {}),
          },
          q.cursor,
          q.limit,
        );
      });

      scope.get("/api/reports", async (request) => {
        const { account } = await sessions.require(request, { csrf: false });
        const q = parse(reportQuery, request.query);
        return service.reports(account, { ...(q.risk ? { risk: q.risk } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(q.code ? { code: q.code } : {}) }, q.cursor, q.limit);
      });

      scope.get("/api/reports/:id", async (request) => {
        const { account } = await sessions.require(request, { csrf: false });
        return service.report(account, parse(handoffParams, request.params).id, consoleLanguage(request));
      });

      scope.get("/api/handoffs/:id", async (request) => {
        const { account } = await sessions.require(request, { csrf: false });
        return service.detail(account, parse(handoffParams, request.params).id, consoleLanguage(request));
      });

      scope.get("/api/handoffs/:id/export", async (request, reply) => {
        const { account } = await sessions.require(request, { csrf: false });
        const { id } = parse(handoffParams, request.params);
        const detail = await service.detail(account, id, consoleLanguage(request), "export");
        reply.header("content-disposition", `attachment; filename="safeline-handoff-${id.replace(/[^\w-]/g, "")}.json"`);
        return { ...detail, exportedAt: new Date().toISOString(), exportedBy: account.email };
      });

      // A photo or file a person sent: only for staff who may open the handoff, each view audited.
      // Images the bytes confirm are shown inline; anything else is only offered as a download.
      scope.get("/api/handoffs/:id/evidence/:evidenceId", async (request, reply) => {
        const { account } = await sessions.require(request, { csrf: false });
        const { id, evidenceId } = parse(evidenceParams, request.params);
        const file = await service.evidence(account, id, evidenceId);
        const inline = INLINE_IMAGE_TYPES.has(file.contentType);
        return reply
          .header("content-type", inline ? file.contentType : file.contentType.startsWith("text/") ? "application/octet-stream" : file.contentType)
          .header("content-disposition", contentDisposition(inline ? "inline" : "attachment", file.fileName ?? `evidence-${file.id}${extensionOf(file.contentType)}`))
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'; sandbox")
          .send(file.content);
      });

      scope.post("/api/handoffs/:id/reply", async (request, reply) => {
        const { account } = await sessions.require(request, { csrf: true });
        const { id } = parse(handoffParams, request.params);
        const body = isReady(request.body) ? { ready: parse(readyBody, request.body).ready } : { text: parse(replyBody, request.body).text };
        const result = await service.reply(account, id, body);
        return reply.code(202).send(result);
      });

      scope.get("/api/handoffs/:id/ready-replies", async (request) => {
        const { account } = await sessions.require(request, { csrf: false });
        return service.readyReplies(account, parse(handoffParams, request.params).id, consoleLanguage(request));
      });

      // The reply box is in use: the person's auto-clear waits (see StaffService.writing).
      scope.post("/api/handoffs/:id/writing", async (request, reply) => {
        const { account } = await sessions.require(request, { csrf: true });
        await service.writing(account, parse(handoffParams, request.params).id);
        return reply.code(204).send();
      });

      scope.post("/api/handoffs/:id/notes", async (request, reply) => {
        const { account } = await sessions.require(request, { csrf: true });
        const result = await service.note(account, parse(handoffParams, request.params).id, parse(noteBody, request.body).text);
        return reply.code(201).send(result);
      });

      scope.post("/api/handoffs/:id/assign", async (request) => {
        const { account } = await sessions.require(request, { csrf: true });
        return service.assign(account, parse(handoffParams, request.params).id, parse(assignBody, request.body).staffId);
      });

      scope.post("/api/handoffs/:id/status", async (request) => {
        const { account } = await sessions.require(request, { csrf: true });
        return service.setStatus(account, parse(handoffParams, request.params).id, parse(statusBody, request.body).status);
      });

      scope.get("/api/events", async (request, reply) => {
        const signedin = await sessions.require(request, { csrf: false });
        reply.hijack();
        reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "close" });
        reply.raw.write(": connected\n\n");
        const send = () => void (reply.raw.writableEnded || reply.raw.write("event: change\ndata: {}\n\n"));
        // Agents hear only of changes to hand-offs they may open; supervisors and admins see all.
        const accountId = signedin.account.id;
        const listener = atLeast(signedin.account, "supervisor") ? send : visibleChanges(() => service.changeMarkFor(accountId), send);
        const unsubscribe = feed.subscribe(listener);
        // A heartbeat keeps proxies from closing the stream and ends it when the session has.
        const heartbeat = setInterval(async () => {
          const still = await sessions.current(request).catch(() => null);
          if (still?.account.id !== signedin.account.id) {
            reply.raw.write("event: expired\ndata: {}\n\n");
            reply.raw.end();
          } else reply.raw.write(": ping\n\n");
        }, 25_000);
        streams.set(reply, { sessionId: signedin.sessionId, accountId });
        reply.raw.on("close", () => {
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(reply);
        });
      });

      const requireAdmin = async (request: FastifyRequest, csrf: boolean) => {
        const signedin = await sessions.require(request, { csrf });
        if (!atLeast(signedin.account, "admin")) throw forbidden();
        return signedin.account;
      };

      scope.get("/api/audit", async (request) => {
        await requireAdmin(request, false);
        const q = parse(auditQuery, request.query);
        const entries = await service.auditEntries(q.before, q.limit);
        return { entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
      });

      scope.get("/api/accounts", async (request) => {
        await requireAdmin(request, false);
        return { accounts: (await service.accounts()).map(serialize) };
      });

      scope.post("/api/accounts", async (request, reply) => {
        const admin = await requireAdmin(request, true);
        const account = await service.createAccount(admin, parse(accountBody, request.body));
        return reply.code(201).send({ account: serialize(account) });
      });

      scope.post("/api/accounts/:id", async (request) => {
        const admin = await requireAdmin(request, true);
        const { id } = parse(handoffParams, request.params);
        const change = parse(accountChange, request.body);
        const account = await service.updateAccount(admin, id, change);
        if (change.active === false) endStreams((owner) => owner.accountId === id);
        return { account: serialize(account) };
      });
    },
    { prefix: "/staff" },
  );
}
