// Staff accounts for console tests: one per role (and a second agent), all with one password,
// and a signed-in API client for any of them.
import { expect } from "vitest";
import { createStaffAccount } from "../../src/staff/accounts.ts";
import type { StaffRole } from "../../src/store/staff-types.ts";
import type { Store } from "../../src/store/store.ts";
import { StaffClient } from "./staff-client.ts";

export const STAFF_PASSWORD = "a long test password";
/**
 * Test accounts are hashed at a low scrypt cost: every sign-in checks its password against
 * the hash, at the cost stored in it, and at the production cost each check is a CPU-bound
 * fraction of a second. Accounts created through the console still use the production cost.
 */
export const TEST_HASH_COST = { N: 2 ** 10, r: 8, p: 1 };
export const STAFF_NAMES = ["agent", "agent2", "supervisor", "admin"] as const;
export type StaffName = (typeof STAFF_NAMES)[number];

/** `<name>@example.org` for each name; returns their account ids. */
export async function addStaffAccounts(store: Store, names: readonly StaffName[] = STAFF_NAMES): Promise<Record<StaffName, string>> {
  const ids = {} as Record<StaffName, string>;
  for (const name of names) {
    const role = name.replace(/\d$/, "") as StaffRole;
    ids[name] = (await createStaffAccount(store, { id: null, email: "test" }, { email: `${name}@example.org`, role, password: STAFF_PASSWORD }, TEST_HASH_COST)).id;
  }
  return ids;
}

export async function signedInClient(base: string, name: StaffName): Promise<StaffClient> {
  const client = new StaffClient(base);
  expect((await client.login(`${name}@example.org`, STAFF_PASSWORD)).status).toBe(200);
  return client;
}
