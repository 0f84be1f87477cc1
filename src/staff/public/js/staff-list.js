// @ts-check
// Active staff accounts to assign handoffs to: given with the queue to supervisors and admins
// (empty for agents, who can only take and release).
import { api } from "./api.js";
/** @import { QueuePage, StaffMember } from "./types.js" */

/** @type {StaffMember[]} */
let staff = [];

export const assignableStaff = () => staff;

/** @param {unknown} list the queue's `staff` */
export function setAssignableStaff(list) {
  staff = Array.isArray(list) ? list : [];
}

export async function loadAssignableStaff() {
  try {
    const data = /** @type {QueuePage} */ (await api("GET", "/handoffs"));
    setAssignableStaff(data.staff);
  } catch {
    /* assignment falls back to take/release */
  }
}

export function forgetAssignableStaff() {
  staff = [];
}
