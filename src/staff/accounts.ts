// Creating a staff account, shared by the console (admins) and `npm run staff:add`.
import type { Store } from "../store/store.ts";
import { AccountExistsError } from "../store/staff-store.ts";
import type { AuditInput, StaffAccount, StaffRole } from "../store/staff-types.ts";
import { hashPassword, MIN_PASSWORD_LENGTH, type ScryptCost } from "./password.ts";
import { weakPasswordReason } from "./password-strength.ts";
import { conflict, StaffError } from "./staff-errors.ts";

export async function createStaffAccount(
  store: Store,
  actor: AuditInput["actor"],
  input: { email: string; role: StaffRole; password: string },
  hashCost?: ScryptCost,
): Promise<StaffAccount> {
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new StaffError(400, "invalid", { issues: [`password: at least ${MIN_PASSWORD_LENGTH} characters`] });
  const weak = weakPasswordReason(input.password, input.email);
  if (weak) throw new StaffError(400, "invalid", { issues: [weak] });
  try {
    const passwordHash = await hashPassword(input.password, hashCost);
    return await store.staff.createAccount({ email: input.email, role: input.role, passwordHash }, { actor, action: "account.create", detail: { role: input.role } });
  } catch (error) {
    if (error instanceof AccountExistsError) throw conflict("exists");
    throw error;
  }
}
