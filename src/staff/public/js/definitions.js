// @ts-check
// The server's rules the console shows and offers (statuses and the changes allowed from each,
// limits, the values of each filter): read once from GET /staff/api/definitions, never copied here.
import { api } from "./api.js";
/** @import { Definitions } from "./types.js" */

/** @type {Definitions | null} */
let loaded = null;

/** Reads the definitions unless they are already here (they do not change while the server runs). */
export async function loadDefinitions() {
  loaded ??= /** @type {Definitions} */ (await api("GET", "/definitions"));
}

/** The definitions; only called by views, which are shown once they are loaded. */
export function definitions() {
  if (!loaded) throw new Error("definitions not loaded");
  return loaded;
}
