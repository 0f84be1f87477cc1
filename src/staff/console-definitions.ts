// The server's rules the console shows and offers (statuses and the changes allowed from
// each, limits, the values of each filter), served by GET /staff/api/definitions so the page
// holds no copy of them. The API checks requests against the same constants.
import { LANGUAGES } from "../../flows/data/languages.ts";
import { INLINE_IMAGE_TYPES } from "../evidence/content-type.ts";
import { RISK_LEVELS } from "../store/risk-rank.ts";
import { HANDOFF_STATUSES, STAFF_ROLES } from "../store/staff-types.ts";
import type { Channel } from "../store/types.ts";
import { PAGE_MAX, PAGE_SIZE } from "./page-cursor.ts";
import { MIN_PASSWORD_LENGTH } from "./password.ts";
import { NEXT_STATUSES, WORKABLE } from "./policy.ts";

export const CHANNELS = ["telegram", "line", "web"] as const satisfies readonly Channel[];
export const REPORT_KINDS = ["self", "family"] as const;
export const REPLY_MAX_LENGTH = 3500;
export const NOTE_MAX_LENGTH = 10_000;

export const CONSOLE_DEFINITIONS = {
  statuses: HANDOFF_STATUSES,
  nextStatuses: NEXT_STATUSES,
  workable: WORKABLE,
  risks: RISK_LEVELS,
  channels: CHANNELS,
  languages: LANGUAGES,
  roles: STAFF_ROLES,
  reportKinds: REPORT_KINDS,
  /** Photos of these types are shown in the transcript (the evidence route serves them inline); other files are downloads. */
  inlineImageTypes: [...INLINE_IMAGE_TYPES],
  limits: { reply: REPLY_MAX_LENGTH, note: NOTE_MAX_LENGTH, passwordMin: MIN_PASSWORD_LENGTH, page: PAGE_SIZE, pageMax: PAGE_MAX },
} as const;
