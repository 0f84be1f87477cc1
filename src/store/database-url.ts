// Which database a DATABASE_URL points at, and where an SQLite file lives.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

export type Provider = "sqlite" | "postgresql";

export function providerOf(url: string): Provider {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** Absolute path of an SQLite `file:` URL (relative paths resolve against the working directory). */
export function sqlitePath(url: string): string {
  const path = url.replace(/^file:/, "").split("?")[0] ?? "";
  if (path === ":memory:") return path;
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  return absolute;
}

/** Folder of the committed migrations for a provider. */
export function migrationsDir(provider: Provider): string {
  const folder = provider === "postgresql" ? "postgres" : "sqlite";
  return new URL(`../../prisma/${folder}/migrations/`, import.meta.url).pathname;
}
