// The HTTP server: health checks plus whatever routes the channels register.
import helmet from "@fastify/helmet";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";

export const BODY_LIMIT_BYTES = 256 * 1024;

/** Our own short codes for client errors, never the framework's (which name its internals). */
const CLIENT_ERROR_CODES: Record<number, string> = { 404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited" };

/**
 * `trustProxies`: addresses or CIDR ranges (or "loopback", "uniquelocal") of the reverse
 * proxies in front; only their X-Forwarded-For is believed, so a client cannot pick its address.
 */
export function createServer(store: Store, log?: Logger, trustProxies: string[] = []): FastifyInstance {
  // Fastify's own request logging is off: URLs and bodies may carry personal data.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, trustProxy: trustProxies.length ? trustProxies : false });
  // Errors answer with a short code, never the error's message (it may quote input or
  // internals); 500s are logged by route and error name only.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log?.error({ route: request.routeOptions.url, err: error.name, code: error.code }, "request failed");
    return reply.code(status).send({ error: status === 500 ? "internal" : (CLIENT_ERROR_CODES[status] ?? "bad_request") });
  });
  // An unknown path is not echoed back (Fastify's default answer quotes the method and URL).
  app.setNotFoundHandler((_, reply) => reply.code(404).send({ error: "not_found" }));
  // Baseline headers for every answer (webhooks, health, the test chat, errors): nothing may
  // be framed, sniffed, cached or load anything. Pages set their own CSP (the console's
  // scope registers its own helmet; the test chat page allows its own script and style).
  void app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    referrerPolicy: { policy: "no-referrer" },
    frameguard: { action: "deny" },
    hsts: false,
  });
  app.addHook("onSend", async (_, reply) => {
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  });
  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_, reply) => {
    const ready = await store.ready();
    return reply.code(ready.ok ? 200 : 503).send(ready);
  });
  return app;
}
