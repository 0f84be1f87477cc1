// The only place that constructs a Prisma client. Both generated clients share one
// model shape (prisma/models.prisma); the PostgreSQL client is typed as the SQLite one.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "./generated/postgres/client.ts";
import { providerOf, sqlitePath } from "./database-url.ts";

export type Db = InstanceType<typeof SqliteClient>;
export type { Prisma } from "./generated/sqlite/client.ts";

export async function openPrisma(url: string): Promise<Db> {
  if (providerOf(url) === "postgresql") {
    // Cold paths only (staff console, staff actions, retention): steps and the outbox have their own pools.
    const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
    return client as unknown as Db;
  }
  const client = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}` }) });
  // WAL lets readers (health checks, the web chat) run beside the writer; FULL makes
  // every committed step survive a power cut, not only a process crash.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$queryRawUnsafe("PRAGMA synchronous = FULL");
  await client.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  return client;
}
