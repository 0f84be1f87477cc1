// The HTTP server: health checks plus whatever routes the channels register.
import Fastify, { type FastifyInstance } from "fastify";
import type { Store } from "../store/store.ts";

export const BODY_LIMIT_BYTES = 256 * 1024;

export function createServer(store: Store): FastifyInstance {
  // Fastify's own request logging is off: URLs and bodies may carry personal data.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_, reply) => {
    const ready = await store.ready();
    return reply.code(ready.ok ? 200 : 503).send(ready);
  });
  return app;
}
