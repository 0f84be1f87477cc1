// Who may do what in the staff console. Roles build on each other: an admin can do all a
// supervisor can, a supervisor all an agent can.
import type { HandoffStatus, StaffAccount, StaffRole } from "../store/staff-types.ts";

const RANK: Record<StaffRole, number> = { agent: 0, supervisor: 1, admin: 2 };

export const atLeast = (account: Pick<StaffAccount, "role">, role: StaffRole) => RANK[account.role] >= RANK[role];

/** Agents work on unassigned handoffs and their own; supervisors and admins on all. */
export function canWorkOn(account: Pick<StaffAccount, "id" | "role">, handoff: { assignee: { id: string } | null }): boolean {
  return atLeast(account, "supervisor") || handoff.assignee === null || handoff.assignee.id === account.id;
}

/** Agents may take a handoff for themselves or release their own; supervisors assign anyone. */
export function canAssign(account: Pick<StaffAccount, "id" | "role">, handoff: { assignee: { id: string } | null }, to: string | null): boolean {
  if (atLeast(account, "supervisor")) return true;
  if (to === account.id) return handoff.assignee === null;
  return to === null && handoff.assignee?.id === account.id;
}

/** Platform user ids identify a person outside SafeLine: only supervisors and admins see them. */
export const seesIdentity = (account: Pick<StaffAccount, "role">) => atLeast(account, "supervisor");

/** The statuses a handoff may change to from each status. */
export const NEXT_STATUSES: Readonly<Record<HandoffStatus, readonly HandoffStatus[]>> = {
  open: ["in_progress", "resolved", "closed"],
  in_progress: ["open", "resolved", "closed"],
  resolved: ["in_progress", "closed"],
  closed: [],
  erased: [],
};

/** The statuses a handoff in `to` may come from. */
export const statusesLeadingTo = (to: HandoffStatus): HandoffStatus[] =>
  (Object.keys(NEXT_STATUSES) as HandoffStatus[]).filter((from) => NEXT_STATUSES[from].includes(to));

/** Statuses in which staff can still act on a handoff (reply, note, assign). */
export const WORKABLE: HandoffStatus[] = ["open", "in_progress", "resolved"];
