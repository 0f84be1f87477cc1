// One page of a list ordered by risk rank, time and id (the staff queue and the reports).
import type { KeysetCursor, Page } from "./staff-types.ts";

type Keyed = { riskRank: number; createdAt: Date; id: string };

export const cursorOf = (row: Keyed): KeysetCursor => ({ rank: row.riskRank, at: row.createdAt, id: row.id });

/** The first `limit` of `rows` (fetched one more than asked), and the cursor after them when there are more. */
export function keysetPage<R, T extends Keyed>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const page = rows.slice(0, limit).map(map);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? cursorOf(last) : null };
}
