// `npm run db:migrate`: apply committed migrations to DATABASE_URL (`--status` only reports).
import { loadConfig } from "../config.ts";
import { migrate } from "../store/migrate.ts";

const config = loadConfig();
const dryRun = process.argv.includes("--status");
const report = await migrate(config.DATABASE_URL, { dryRun });
if (dryRun) console.log(report.pending.length ? `pending: ${report.pending.join(", ")}` : "database is up to date");
else console.log(report.applied.length ? `applied: ${report.applied.join(", ")}` : "nothing to apply");
