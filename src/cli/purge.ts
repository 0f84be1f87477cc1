// `npm run db:purge [-- --dry-run] [-- --days N]`: the retention purge the server runs every
// hour, once and now. --dry-run only counts what would go. --days overrides RETENTION_DAYS
// for this run. Safe while SafeLine runs (also on several processes).
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { retentionCutoff } from "../retention/purge-job.ts";
import { migrate } from "../store/migrate.ts";
import { Store } from "../store/store.ts";

const USAGE = "usage: npm run db:purge -- [--dry-run] [--days <1-3650>]";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { "dry-run": { type: "boolean", default: false }, days: { type: "string" } } });
  const config = loadConfig();
  const days = values.days === undefined ? config.RETENTION_DAYS : Number(values.days);
  if (!Number.isInteger(days) || days < 0 || days > 3650) {
    console.error(USAGE);
    return 2;
  }
  if (days === 0) {
    console.error("Retention is off (RETENTION_DAYS is 0 or off): nothing is purged. Pass --days <n> to purge once.");
    return 2;
  }
  const dryRun = values["dry-run"];
  if (!dryRun) await migrate(config.DATABASE_URL);
  const store = await Store.open(config.DATABASE_URL);
  try {
    const ready = await store.ready();
    if (!ready.ok) {
      console.error(`The database is not ready (${ready.reason}): run npm run db:migrate first.`);
      return 1;
    }
    const cutoff = retentionCutoff(days);
    const counts = dryRun
      ? await store.retention.preview(cutoff)
      : await store.retention.purge(cutoff, { actor: { id: null, email: "cli" }, days });
    const what = `${counts.conversations} conversations, ${counts.messages} messages, ${counts.reports} reports, ${counts.handoffs} handoffs, ${counts.contacts} contacts`;
    console.log(`No activity for ${days} days (before ${cutoff.toISOString()}): ${dryRun ? "would delete" : "deleted"} ${what}.`);
    console.log(`Kept: ${counts.keptOpen} conversations just as old, because their handoff is open or in progress.`);
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main().catch((error: Error) => {
  console.error(error.message);
  return 1;
});
