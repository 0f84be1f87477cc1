// @ts-check
// The staff API (docs/staff-console.md): JSON both ways, the CSRF token on every POST, a 401
// ends the session here too, and a stale CSRF token is renewed once.
import { session, sessionEnded, setSession } from "./session.js";
/** @import { Session } from "./types.js" */

export const API = "/staff/api";

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the server could not be reached
   * @param {any} body
   * @param {Headers} [headers]
   */
  constructor(status, body, headers) {
    super(body && typeof body.error === "string" ? body.error : `http_${status}`);
    this.status = status;
    /** @type {string | null} */
    this.code = body && typeof body.error === "string" ? body.error : null;
    this.body = body;
    this.retryAfterSeconds = Number(body?.retryAfterSeconds ?? headers?.get("Retry-After") ?? NaN);
  }
}

/**
 * @param {"GET" | "POST"} method
 * @param {string} path under /staff/api
 * @param {unknown} [body]
 * @returns {Promise<any>} the answer's JSON (null for 204); an ApiError otherwise
 */
export async function api(method, path, body, { retryCsrf = true } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  /** @type {RequestInit} */
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    const csrf = session()?.csrf;
    if (csrf) headers["X-CSRF-Token"] = csrf;
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch {
    throw new ApiError(0, { error: "network" });
  }
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;
  const err = new ApiError(res.status, data, res.headers);
  if (res.status === 401 && path !== "/login") sessionEnded();
  else if (res.status === 403 && err.code === "csrf" && retryCsrf && method !== "GET" && session()) {
    // The token may be from an older session: fetch the current one and try once more.
    setSession(await fetchSession());
    return api(method, path, body, { retryCsrf: false });
  }
  throw err;
}

/** The current session from the server (401: nobody is signed in). @returns {Promise<Session>} */
export const fetchSession = () => api("GET", "/me");
