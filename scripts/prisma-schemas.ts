// Writes the provider-specific Prisma schemas from prisma/models.prisma.
// `--check` exits non-zero when a written schema is out of date (run by the tests).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const providers = ["sqlite", "postgresql"] as const;
const folder = { sqlite: "sqlite", postgresql: "postgres" } as const;

function schemaFor(provider: (typeof providers)[number], models: string): string {
  return `// GENERATED from prisma/models.prisma by scripts/prisma-schemas.ts. Do not edit.

generator client {
  provider   = "prisma-client"
  output     = "../../src/store/generated/${folder[provider]}"
  engineType = "client"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

${models}`;
}

function schemaPath(provider: (typeof providers)[number]): string {
  return join(root, "prisma", folder[provider], "schema.prisma");
}

const check = process.argv.includes("--check");
const models = readFileSync(join(root, "prisma", "models.prisma"), "utf8");
let stale = 0;
for (const provider of providers) {
  const path = schemaPath(provider);
  const want = schemaFor(provider, models);
  let have = "";
  try { have = readFileSync(path, "utf8"); } catch { /* not written yet */ }
  if (have === want) continue;
  if (check) { console.error(`${path} is out of date: run npm run db:generate`); stale++; continue; }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, want);
}
process.exit(stale ? 1 : 0);
