// Locale checks run by the test suite (and `npm run check:locales`):
// - every locale has exactly the keys of the source locale (ko), with the same {{placeholders};
// - every key is used by the code (literally, or by a `prefix.${…}` template in flows/ or src/).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LANGUAGES } from "../flows/data/languages.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = "ko";

type Tree = { [key: string]: string | Tree };

export function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

export function loadLocale(lng: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(root, "locales", `${lng}.json`), "utf8")) as Tree);
}

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort().join(",");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

/** String literals and the fixed heads of template literals in the code. */
function codeStrings(): { literals: Set<string>; heads: string[] } {
  const literals = new Set<string>();
  const heads: string[] = [];
  for (const file of [...sourceFiles(join(root, "flows")), ...sourceFiles(join(root, "src"))]) {
    const code = readFileSync(file, "utf8");
    for (const m of code.matchAll(/"([^"\\\n]*)"|'([^'\\\n]*)'/g)) literals.add(m[1] ?? m[2] ?? "");
    for (const m of code.matchAll(/`([^`$]*)(\$\{)?/g)) {
      if (m[2]) heads.push(m[1] ?? "");
      else literals.add(m[1] ?? "");
    }
  }
  return { literals, heads: heads.filter((h) => h.endsWith(".")) };
}

export function checkLocales(): string[] {
  const problems: string[] = [];
  const source = loadLocale(SOURCE);
  for (const lng of LANGUAGES) {
    if (lng === SOURCE) continue;
    const locale = loadLocale(lng);
    for (const key of source.keys()) if (!locale.has(key)) problems.push(`${lng}: missing ${key}`);
    for (const [key, text] of locale) {
      const original = source.get(key);
      if (original === undefined) problems.push(`${lng}: extra key ${key}`);
      else if (placeholders(original) !== placeholders(text)) problems.push(`${lng}: ${key} placeholders {${placeholders(text)}} ≠ {${placeholders(original)}}`);
      if (text.trim() === "") problems.push(`${lng}: ${key} is empty`);
    }
  }
  const { literals, heads } = codeStrings();
  for (const key of source.keys()) {
    if (!literals.has(key) && !heads.some((head) => key.startsWith(head))) problems.push(`unused key ${key}`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkLocales();
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} locale problem(s)` : "locales OK");
  process.exit(problems.length ? 1 : 0);
}
