// `npm run deps:list`: the production dependency tree with versions, for auditing on a
// machine that can reach an advisory database (npm audit cannot run from our build
// machines). Prints the tree, then each package once as name@version, sorted (`--flat`:
// only the list), from the installed node_modules as `npm ls` sees them.
import { execFileSync } from "node:child_process";

interface Node {
  version?: string;
  dependencies?: Record<string, Node>;
}

const flatOnly = process.argv.includes("--flat");
// npm ls exits non-zero on problems such as a missing or extraneous package; its JSON still lists the tree.
const json = (() => {
  try {
    return execFileSync("npm", ["ls", "--omit=dev", "--all", "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (!stdout) throw error;
    return stdout;
  }
})();
const root = JSON.parse(json) as Node & { name: string };

const flat = new Set<string>();
const tree: string[] = [`${root.name}@${root.version}`];
function walk(deps: Record<string, Node> | undefined, indent: string): void {
  for (const [name, node] of Object.entries(deps ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const id = `${name}@${node.version ?? "?"}`;
    const seen = flat.has(id);
    flat.add(id);
    tree.push(`${indent}${id}${seen && node.dependencies ? " (see above)" : ""}`);
    if (!seen) walk(node.dependencies, `${indent}  `);
  }
}
walk(root.dependencies, "  ");

if (!flatOnly) console.log(`${tree.join("\n")}\n`);
console.log([...flat].sort().join("\n"));
