// `npm run staff:add -- --email <e> --role <agent|supervisor|admin>`: creates a console
// account. The password comes from STAFF_PASSWORD, or is asked for without echo.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../config.ts";
import { createStaffAccount } from "../staff/accounts.ts";
import { StaffError } from "../staff/staff-errors.ts";
import { MIN_PASSWORD_LENGTH } from "../staff/password.ts";
import { migrate } from "../store/migrate.ts";
import { Store } from "../store/store.ts";
import { STAFF_ROLES } from "../store/staff-types.ts";

const args = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email({ error: "--email must be an e-mail address" })),
  role: z.enum(STAFF_ROLES, { error: `--role must be one of ${STAFF_ROLES.join(", ")}` }),
});

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error("no STAFF_PASSWORD set and no terminal to ask for one");
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  process.stdout.write(`Password (at least ${MIN_PASSWORD_LENGTH} characters, hard to guess): `);
  const password = await rl.question("");
  process.stdout.write("\n");
  rl.close();
  return password;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: "string" }, role: { type: "string" } } });
  const parsed = args.safeParse(values);
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => i.message).join("\n"));
    console.error("usage: npm run staff:add -- --email <e-mail> --role <agent|supervisor|admin>");
    return 2;
  }
  const config = loadConfig();
  const password = process.env.STAFF_PASSWORD || (await askPassword());
  await migrate(config.DATABASE_URL);
  const store = await Store.open(config.DATABASE_URL);
  try {
    const account = await createStaffAccount(store, { id: null, email: "cli" }, { ...parsed.data, password });
    console.log(`created ${account.role} ${account.email}`);
    return 0;
  } catch (error) {
    if (error instanceof StaffError) {
      console.error(error.code === "exists" ? `an account for ${parsed.data.email} already exists` : ((error.extra.issues as string[] | undefined)?.join("\n") ?? error.code));
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

process.exitCode = await main().catch((error: Error) => {
  console.error(error.message);
  return 1;
});
