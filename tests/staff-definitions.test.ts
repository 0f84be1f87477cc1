// GET /staff/api/definitions: the rules the console shows and offers, served from the server's
// own definitions (src/staff/console-definitions.ts), and the same rules the API enforces.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { query } from "./helpers/db-query.ts";
import { addStaffAccounts, signedInClient } from "./helpers/staff-accounts.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

interface Definitions {
  statuses: string[];
  nextStatuses: Record<string, string[]>;
  workable: string[];
  limits: { reply: number; note: number; passwordMin: number; page: number; pageMax: number };
}

describe.each(DB_KINDS)("console definitions on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
    ({ app, base } = await startTelegramApp(db.url, fake.url));
    await addStaffAccounts(app.store, ["agent", "admin"]);
  });

  afterEach(async () => {
    await app.stop().catch(() => {});
    await fake.stop();
    await db.drop();
  });

  it("are served to signed-in staff only, as the API contract says", async () => {
    const res = await fetch(`${base}/staff/api/definitions`);
    expect(res.status).toBe(401);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const agent = await signedInClient(base, "agent");
    expect(await agent.json(agent.get("/definitions"))).toEqual({
      statuses: ["open", "in_progress", "resolved", "closed"],
      nextStatuses: {
        open: ["in_progress", "resolved", "closed"],
        in_progress: ["open", "resolved", "closed"],
        resolved: ["in_progress", "closed"],
        closed: [],
        erased: [],
      },
      workable: ["open", "in_progress", "resolved"],
      risks: ["critical", "high", "medium", "low"],
      channels: ["telegram", "line", "web"],
      languages: ["ko", "en", "zh", "vi", "th", "id", "km", "ja"],
      roles: ["agent", "supervisor", "admin"],
      reportKinds: ["self", "family"],
      inlineImageTypes: ["image/jpeg", "image/png", "image/gif", "image/webp"],
      limits: { reply: 3500, note: 10_000, passwordMin: 12, page: 50, pageMax: 200 },
    });
  });

  it("are the rules the API enforces: status changes, text and password limits, page sizes", async () => {
    const person = new TelegramPerson(base, fake, 5_550_001);
    await person.toHandoff();
    const { id } = (await query<{ id: string }>(db.url, `SELECT id FROM "HandoffRequest"`))[0]!;
    const agent = await signedInClient(base, "agent");
    const defs = await agent.json<Definitions>(agent.get("/definitions"));

    // Along open → in progress → resolved → closed, every change not offered is refused
    // (setting the status a handoff already has changes nothing and is not refused).
    let current = "open";
    for (const next of ["in_progress", "resolved", "closed"]) {
      for (const status of defs.statuses.filter((s) => s !== current && !defs.nextStatuses[current]!.includes(s))) {
        expect(await agent.json(agent.post(`/handoffs/${id}/status`, { status }), 409), `${current} → ${status}`).toEqual({ error: "conflict" });
      }
      expect(defs.nextStatuses[current]).toContain(next);
      await agent.json(agent.post(`/handoffs/${id}/status`, { status: next }));
      current = next;
    }
    expect(defs.workable).not.toContain(current);
    expect(await agent.json(agent.post(`/handoffs/${id}/notes`, { text: "too late" }), 409)).toEqual({ error: "conflict" });

    const other = new TelegramPerson(base, fake, 5_550_002);
    await other.toHandoff();
    const open = (await query<{ id: string }>(db.url, `SELECT id FROM "HandoffRequest" WHERE status = 'open'`))[0]!.id;
    expect((await agent.post(`/handoffs/${open}/reply`, { text: "x".repeat(defs.limits.reply + 1) })).status).toBe(400);
    expect((await agent.post(`/handoffs/${open}/reply`, { text: "x".repeat(defs.limits.reply) })).status).toBe(202);
    expect((await agent.post(`/handoffs/${open}/notes`, { text: "x".repeat(defs.limits.note + 1) })).status).toBe(400);
    expect((await agent.post(`/handoffs/${open}/notes`, { text: "x".repeat(defs.limits.note) })).status).toBe(201);

    const admin = await signedInClient(base, "admin");
    const short = await admin.json<{ issues: string[] }>(admin.post("/accounts", { email: "new@example.org", role: "agent", password: "Qz7!".repeat(3).slice(0, defs.limits.passwordMin - 1) }), 400);
    expect(short.issues).toEqual([expect.stringMatching(/^password: /)]);

    expect((await agent.get(`/handoffs?limit=${defs.limits.pageMax}`)).status).toBe(200);
    expect((await agent.get(`/handoffs?limit=${defs.limits.pageMax + 1}`)).status).toBe(400);
    expect((await admin.get(`/audit?limit=${defs.limits.pageMax + 1}`)).status).toBe(400);
    const page = await admin.json<{ entries: unknown[] }>(admin.get("/audit"));
    expect(page.entries.length).toBeLessThanOrEqual(defs.limits.page);
  });
});
