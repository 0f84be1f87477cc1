// A backlog of open handoffs written straight into the database (as many steps would leave
// them), for tests of the queue at scale. Risks cycle through high, medium, low and none (no
// critical), channels through Telegram and LINE; the oldest was created `spanMinutes` ago.
import { randomUUID } from "node:crypto";
import { riskRank } from "../../src/store/risk-rank.ts";
import { execute } from "./db-query.ts";

const RISKS = ["high", "medium", "low", null] as const;
const CHUNK = 200;

const iso = (date: Date) => date.toISOString().replace("Z", "+00:00");

export async function seedOpenHandoffs(url: string, count: number, spanMinutes = 600): Promise<void> {
  const start = Date.now() - spanMinutes * 60_000;
  for (let from = 0; from < count; from += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => {
      const n = from + i;
      const at = iso(new Date(start + Math.floor((n * spanMinutes * 60_000) / count)));
      return { n, at, contact: randomUUID(), conversation: randomUUID(), channel: n % 3 === 0 ? "line" : "telegram", risk: RISKS[n % RISKS.length]! };
    });
    const values = (columns: number) => rows.map(() => `(${Array(columns).fill("?").join(", ")})`).join(", ");
    await execute(
      url,
      `INSERT INTO "Contact" ("id", "channel", "platformUserId", "active", "createdAt", "lastSeenAt") VALUES ${values(6)}`,
      rows.flatMap((r) => [r.contact, r.channel, `backlog-${r.n}`, 1, r.at, r.at]).map(booleanFor(url)),
    );
    await execute(
      url,
      `INSERT INTO "Conversation" ("id", "contactId", "channel", "chatId", "machineId", "machineVersion", "snapshot", "status", "language", "seq", "createdAt", "updatedAt") VALUES ${values(12)}`,
      rows.flatMap((r) => [r.conversation, r.contact, r.channel, `backlog-${r.n}`, "helpline", 1, "{}", "handoff", r.n % 2 ? "vi" : "en", 1, r.at, r.at]),
    );
    await execute(
      url,
      `INSERT INTO "HandoffRequest" ("id", "conversationId", "status", "reason", "risk", "riskRank", "createdAt", "updatedAt") VALUES ${values(8)}`,
      rows.flatMap((r) => [randomUUID(), r.conversation, "open", "requested", r.risk, riskRank(r.risk), r.at, r.at]),
    );
  }
}

/** `active` is a boolean on PostgreSQL and an integer on SQLite. */
const booleanFor = (url: string) => (value: unknown, index: number) => (index % 6 === 3 ? (url.startsWith("file:") ? value : Boolean(value)) : value);
