// `npm run db:reseal`: after adding a new first key to DATA_ENCRYPTION_KEYS (key rotation),
// or turning encryption on, re-encrypts stored values with the current key. Safe to run
// while SafeLine is running, and again; then the old key can be removed.
import { loadConfig } from "../config.ts";
import { FieldCipher } from "../store/field-cipher.ts";
import { migrate } from "../store/migrate.ts";
import { Store } from "../store/store.ts";

const config = loadConfig();
if (config.dataKeys.length === 0) {
  console.error("DATA_ENCRYPTION_KEYS is not set: nothing to encrypt with.");
  process.exit(2);
}
await migrate(config.DATABASE_URL);
const store = await Store.open(config.DATABASE_URL, { keys: config.dataKeys });
try {
  const counts = await store.reseal();
  console.log(`re-encrypted with key "${config.dataKeys[0]!.id}": ${counts.messages} messages, ${counts.conversations} conversations, ${counts.reports} reports, ${counts.evidence} photos and files`);
} finally {
  await store.close();
}
