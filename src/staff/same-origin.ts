// A second guard beside the CSRF token: a state-changing console request must come from the
// console's own origin. Browsers say where a request comes from (Sec-Fetch-Site, Origin);
// a request that says neither is not from a browser page (curl, scripts) and still needs
// the session cookie and the CSRF token.
import type { FastifyRequest } from "fastify";

export function isSameOrigin(request: FastifyRequest, publicOrigin: string | undefined): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === publicOrigin) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}
