// Prisma CLI configuration. The JS schema engine runs offline (no binary download);
// DATABASE_URL picks the provider's schema and adapter, as in the app.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

const url = process.env.DATABASE_URL ?? "file:./data/safeline.db";
const postgres = /^postgres(ql)?:/.test(url);

export default defineConfig({
  schema: postgres ? "prisma/postgres/schema.prisma" : "prisma/sqlite/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    return postgres ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url });
  },
});
