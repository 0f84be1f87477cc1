// Every user-facing word goes through i18next: locale parity, placeholders, unused keys,
// and no prose literals in flows, engine or channel adapters.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../flows/data/languages.ts";
import { checkLocales, loadLocale } from "../scripts/check-locales.ts";

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.ts$/.test(name) ? [path] : [];
  });

/** Lines that may hold English prose without it reaching a person: logs, errors, HTTP error bodies. */
const NOT_USER_FACING = /\blog\.(info|warn|error|debug)|\bError\(|DeliveryError\(|\berror:|\bsources?:|console\.|^\s*(\/\/|\*|\/\*)|import /;
/** Words matched, never sent: what people type, and what a message must not open with. */
const INPUT_VOCABULARY = new Set(["flows/data/emergency-words.ts", "flows/data/revealing-words.ts"]);

describe("locales", () => {
  it("have the same keys and placeholders as the Korean source, and no unused keys", () => {
    expect(checkLocales()).toEqual([]);
  });

  it("are complete for all eight languages", () => {
    const size = loadLocale("ko").size;
    for (const lng of LANGUAGES) expect(loadLocale(lng).size, lng).toBe(size);
    expect(LANGUAGES).toEqual(["ko", "en", "zh", "vi", "th", "id", "km", "ja"]);
  });

  it("fit one Telegram message and one LINE bubble per text in every language, leaving room for contact lines", () => {
    for (const lng of LANGUAGES) {
      for (const [key, text] of loadLocale(lng)) expect(text.length, `${lng}:${key}`).toBeLessThanOrEqual(1000);
    }
  });

  it("keep telephone numbers and URLs out of translations", () => {
    for (const lng of LANGUAGES) {
      for (const [key, text] of loadLocale(lng)) {
        expect(text, `${lng}:${key}`).not.toMatch(/\+\d|\d{3}[- ]\d{3}|https?:\/\/|www\./);
      }
    }
  });

  it("are the only place for user-facing prose: none in flows, engine or channel adapters", () => {
    const offending: string[] = [];
    for (const file of [...files("flows"), ...files("src/engine"), ...files("src/channels")]) {
      if (INPUT_VOCABULARY.has(file)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (NOT_USER_FACING.test(line)) return;
          for (const m of line.matchAll(/"([^"\\]*)"|`([^`$\\]*)`/g)) {
            const literal = m[1] ?? m[2] ?? "";
            if (/\p{L}{2,}\s+\p{L}{2,}/u.test(literal)) offending.push(`${file}:${i + 1}: ${literal}`);
          }
        });
    }
    expect(offending).toEqual([]);
  });
});
