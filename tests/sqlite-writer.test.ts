// The SQLite writer thread on its own, with real files (tests/wal-flush.test.ts holds the flushes).
import { describe, expect, it } from "vitest";
import { sqlitePath } from "../src/store/database-url.ts";
import { migrate } from "../src/store/migrate.ts";
import { SqliteWriter } from "../src/store/sqlite/writer.ts";
import { createTestDatabase } from "./helpers/databases.ts";
import { silentLog } from "./helpers/engine-harness.ts";

describe("the SQLite writer thread", () => {
  it("closes cleanly as the only connection (closing removes the WAL file; nothing may flush it afterwards)", async () => {
    const db = await createTestDatabase("sqlite");
    await migrate(db.url);
    const writer = await SqliteWriter.start({ path: sqlitePath(db.url), keys: [] }, silentLog);
    await expect(writer.calls.rows(`SELECT 1 AS "one"`)).resolves.toEqual([{ one: 1 }]);
    await expect(writer.close()).resolves.toBeUndefined();
    await db.drop();
  });
});
