// @ts-check
// Who is signed in: the account and its CSRF token, or null. Set by sign-in and /me; read by
// the API client (the token) and the views (the account's role and id).
/** @import { Session } from "./types.js" */

/** @type {Session | null} */
let current = null;
/** @type {(wasSignedIn: boolean) => void} */
let onEnded = () => {};

export const session = () => current;
/** @param {Session | null} value */
export function setSession(value) {
  current = value;
}

/** The signed-in account; only called where someone is signed in. */
export function account() {
  if (!current) throw new Error("nobody is signed in");
  return current.account;
}

export const isAdmin = () => current?.account.role === "admin";
export const isAgent = () => current?.account.role === "agent";

/** What happens when the server answers 401 (the sign-in form); set once at start. @param {(wasSignedIn: boolean) => void} fn */
export function whenSessionEnds(fn) {
  onEnded = fn;
}

/** The server no longer knows this session. */
export function sessionEnded() {
  const wasSignedIn = current !== null;
  current = null;
  onEnded(wasSignedIn);
}
