// PostgreSQL through pg: a pool of its own, every statement a named (server-side prepared)
// statement, so each connection parses and plans it once.
import pg from "pg";
import { driveAsync, RollbackWith, sqlTime, UniqueViolation, type SqlDriver, type SqlOp, type SqlWork } from "./sql-driver.ts";

const pgValue = (value: unknown) => (value instanceof Date ? sqlTime(value) : value === undefined ? null : value);

function translated(error: unknown): unknown {
  const e = error as { code?: string; table?: string };
  return e?.code === "23505" ? new UniqueViolation(e.table ?? "?", error) : error;
}

export class PostgresDriver implements SqlDriver {
  readonly provider = "postgresql" as const;
  private readonly pool: pg.Pool;
  private readonly named = new Map<string, { name: string; text: string }>();

  constructor(url: string, max = 10) {
    this.pool = new pg.Pool({ connectionString: url, max });
    // An idle connection that breaks is dropped by the pool; the next query opens a new one.
    this.pool.on("error", () => {});
  }

  /** The statement with `?` turned into `$1, $2, …` and a stable name. */
  private query(sql: string, params: unknown[]): pg.QueryConfig {
    let q = this.named.get(sql);
    if (!q) {
      let n = 0;
      q = { name: `safeline_${this.named.size + 1}`, text: sql.replace(/\?/g, () => `$${++n}`) };
      this.named.set(sql, q);
    }
    return { ...q, values: params.map(pgValue) };
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.pool.query(this.query(sql, params))).rows as T[];
    } catch (error) {
      throw translated(error);
    }
  }

  async execute(sql: string, params: unknown[] = []): Promise<number> {
    try {
      return (await this.pool.query(this.query(sql, params))).rowCount ?? 0;
    } catch (error) {
      throw translated(error);
    }
  }

  executeReturning<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.rows<T>(sql, params);
  }

  async transaction<T>(work: () => SqlWork<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const value = await driveAsync(work(), async (op: SqlOp) => {
        const result = await client.query(this.query(op.sql, op.params));
        return op.returns === "rows" ? result.rows : (result.rowCount ?? 0);
      });
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      if (error instanceof RollbackWith) return error.value as T;
      throw translated(error);
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
