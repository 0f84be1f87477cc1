// `npm run deps:list` prints the production dependencies with versions, for auditing elsewhere.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runScript } from "./helpers/server-process.ts";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };

describe("deps:list", () => {
  it("lists every production dependency with its installed version, and no development one", async () => {
    const { stdout } = await runScript("scripts/deps-list.ts", ["--flat"]);
    const listed = new Set(stdout.trim().split("\n"));
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(listed).toContain(`${name}@${version}`);
    // Test tools stay out (prisma and typescript are listed: they are peers of @prisma/client).
    for (const name of ["vitest", "playwright-core"]) expect([...listed].some((id) => id.startsWith(`${name}@`))).toBe(false);
    // Transitive ones too.
    expect([...listed].some((id) => id.startsWith("fastify-plugin@"))).toBe(true);
  });
});
