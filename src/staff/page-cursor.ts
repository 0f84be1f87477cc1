// Keyset cursors as the console API passes them: an opaque string for "the page after this
// row" (its risk rank, time and id). A cursor that does not decode is invalid input (400).
import { z } from "zod";
import type { KeysetCursor } from "../store/staff-types.ts";

const SEPARATOR = "~";
const decoded = z.tuple([
  z.coerce.number().int().min(0).max(9),
  z.coerce.number().int().min(0).max(8.64e15),
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
]);

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from([cursor.rank, cursor.at.getTime(), cursor.id].join(SEPARATOR)).toString("base64url");
}

/** The query-string form: validates and decodes, so a broken cursor never reaches a query. */
export const cursorParam = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/)
  .transform((value, ctx): KeysetCursor => {
    const parts = decoded.safeParse(Buffer.from(value, "base64url").toString("utf8").split(SEPARATOR));
    if (!parts.success) {
      ctx.addIssue({ code: "custom", message: "not a page cursor" });
      return z.NEVER;
    }
    const [rank, ms, id] = parts.data;
    return { rank, at: new Date(ms), id };
  });

/** Rows per page unless asked. */
export const PAGE_SIZE = 50;
/** The most rows one page may ask for. */
export const PAGE_MAX = 200;
export const pageLimit = z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_SIZE);
