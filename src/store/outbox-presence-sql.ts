// Which processes deliver the outbox, in SQL: each running process has a row with its
// heartbeat; a claim (Message.claimedBy) names the process holding it. A process whose
// heartbeat stopped has its claims released for the others at once, instead of after the
// lease; live processes renew the leases of the sends they still have under way.
import type { Provider } from "./database-url.ts";
import { all, run, sqlTime, type SqlDriver } from "./sql-driver.ts";

/** `column` is one of a list given as one parameter (`type`: its PostgreSQL type). */
const IN_LIST: Record<Provider, (column: string, type: "int" | "text") => string> = {
  sqlite: (column) => `"${column}" IN (SELECT "value" FROM json_each(?))`,
  postgresql: (column, type) => `"${column}" = ANY(?::${type}[])`,
};
const list = (provider: Provider, values: (number | string)[]) => (provider === "sqlite" ? JSON.stringify(values) : values);

const RELEASE = `UPDATE "Message" SET "status" = 'pending', "nextAttemptAt" = NULL WHERE "direction" = 'out' AND "status" = 'sending'`;

export interface Heartbeat {
  /** This process's claims to renew (ids it is still sending), until `leaseUntil`. */
  renew: number[];
  leaseUntil: Date;
  /** Processes whose last heartbeat is older than this are taken for dead. */
  staleBefore: Date;
}

export interface HeartbeatResult {
  /** Messages released from processes taken for dead (they are due again now). */
  released: number;
  /** Processes taken for dead. */
  gone: number;
  /** False when this process's own row was gone: others had taken it for dead (its heartbeat was late). */
  known: boolean;
}

/** The presence's operations, wherever its SQL runs (on PostgreSQL in the process, on SQLite on the writer thread). */
export interface OutboxPresence {
  /**
   * Registers the process. `takeOverAll` (SQLite, where one process serves): every claim
   * left by an earlier process is released and every other process row removed; answers the
   * number of messages released.
   */
  join(processId: string, now: Date, takeOverAll: boolean): Promise<number>;
  beat(processId: string, now: Date, heartbeat: Heartbeat): Promise<HeartbeatResult>;
  /** Removes the process's row (after a graceful stop, with its claims already released). */
  leave(processId: string): Promise<void>;
}

export class OutboxPresenceSql implements OutboxPresence {
  private readonly driver: SqlDriver;

  constructor(driver: SqlDriver) {
    this.driver = driver;
  }

  join(processId: string, now: Date, takeOverAll: boolean): Promise<number> {
    const at = sqlTime(now);
    return this.driver.transaction(function* () {
      let released = 0;
      if (takeOverAll) {
        released = yield* run(RELEASE);
        yield* run(`DELETE FROM "OutboxProcess"`);
      }
      yield* run(`INSERT INTO "OutboxProcess" ("id", "startedAt", "heartbeatAt") VALUES (?, ?, ?)`, processId, at, at);
      return released;
    });
  }

  beat(processId: string, now: Date, heartbeat: Heartbeat): Promise<HeartbeatResult> {
    const provider = this.driver.provider;
    const at = sqlTime(now);
    const staleBefore = sqlTime(heartbeat.staleBefore);
    return this.driver.transaction(function* () {
      const known = (yield* run(`UPDATE "OutboxProcess" SET "heartbeatAt" = ? WHERE "id" = ?`, at, processId)) > 0;
      if (!known) yield* run(`INSERT INTO "OutboxProcess" ("id", "startedAt", "heartbeatAt") VALUES (?, ?, ?)`, processId, at, at);
      if (heartbeat.renew.length) {
        yield* run(
          `UPDATE "Message" SET "nextAttemptAt" = ? WHERE ${IN_LIST[provider]("id", "int")} AND "status" = 'sending' AND "claimedBy" = ?`,
          sqlTime(heartbeat.leaseUntil),
          list(provider, heartbeat.renew),
          processId,
        );
      }
      const gone = (yield* all<{ id: string }>(`SELECT "id" FROM "OutboxProcess" WHERE "heartbeatAt" < ? AND "id" <> ?`, staleBefore, processId)).map((r) => r.id);
      if (gone.length === 0) return { released: 0, gone: 0, known };
      const released = yield* run(`${RELEASE} AND ${IN_LIST[provider]("claimedBy", "text")}`, list(provider, gone));
      // A process that beat again meanwhile keeps its row (it re-registers anyway if it is gone).
      yield* run(`DELETE FROM "OutboxProcess" WHERE ${IN_LIST[provider]("id", "text")} AND "heartbeatAt" < ?`, list(provider, gone), staleBefore);
      return { released, gone: gone.length, known };
    });
  }

  async leave(processId: string): Promise<void> {
    await this.driver.execute(`DELETE FROM "OutboxProcess" WHERE "id" = ?`, [processId]);
  }
}
