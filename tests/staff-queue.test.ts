// The staff queue at scale and the Reports view, over real HTTP on SQLite and PostgreSQL:
// the database orders (risk, then waiting time), filters and pages the queue, so a new
// critical case is first however long the backlog; shared reports are listed, found by
// their reference code and put in the queue, and a report kept private never reaches staff.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { migrate } from "../src/store/migrate.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { execute, query } from "./helpers/db-query.ts";
import { seedOpenHandoffs } from "./helpers/handoff-backlog.ts";
import { addStaffAccounts, signedInClient, type StaffName } from "./helpers/staff-accounts.ts";
import type { StaffClient } from "./helpers/staff-client.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

interface Summary {
  id: string;
  status: string;
  risk: string | null;
  reason: string;
  channel: string;
  reportCode: string | null;
  createdAt: string;
  closedAt: string | null;
  waitingSeconds: number | null;
  durationSeconds: number | null;
  assignee: { id: string } | null;
}
interface QueuePage {
  handoffs: Summary[];
  next: string | null;
  counts: { status: Record<string, number>; risk: Record<string, number> };
}
interface ReportSummary {
  id: string;
  code: string;
  kind: string;
  risk: string | null;
  handoff: { id: string; status: string; assignee: { id: string } | null } | null;
}

describe.each(DB_KINDS)("staff queue and reports on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;
  let chatSeq = 0;
  let accounts: Record<StaffName, string>;

  async function start() {
    ({ app, base } = await startTelegramApp(db.url, fake.url));
    accounts = await addStaffAccounts(app.store);
  }

  const person = () => new TelegramPerson(base, fake, 8_880_000 + ++chatSeq);
  const signIn = (name: StaffName) => signedInClient(base, name);

  /** Every page of the queue for `params`, following `next`. */
  async function wholeQueue(client: StaffClient, params: string): Promise<Summary[]> {
    const rows: Summary[] = [];
    let cursor: string | null = null;
    do {
      const page: QueuePage = await client.json<QueuePage>(client.get(`/handoffs?${params}${cursor ? `&cursor=${cursor}` : ""}`));
      rows.push(...page.handoffs);
      cursor = page.next;
    } while (cursor);
    return rows;
  }

  const handoffOfChat = async (p: TelegramPerson) =>
    (await query<{ id: string }>(db.url, `SELECT h.id FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = ?`, [String(p.chatId)]))[0]?.id;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
  });

  afterEach(async () => {
    await app?.stop().catch(() => {});
    await fake.stop();
    await db.drop();
  });

  it("with 2,000 open handoffs, a new critical one is first on the first page; the pages walk the whole queue in order", { timeout: 120_000 }, async () => {
    await migrate(db.url);
    await seedOpenHandoffs(db.url, 2000);
    await start();
    const p = person();
    await p.toCriticalHandoff();
    const critical = await handoffOfChat(p);
    const supervisor = await signIn("supervisor");

    const times: number[] = [];
    let first!: QueuePage;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      first = await supervisor.json<QueuePage>(supervisor.get("/handoffs"));
      times.push(performance.now() - started);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`[${kind}] first queue page (50 of 2,001 open handoffs) over HTTP: first ${times[0]!.toFixed(1)} ms, median of 5 ${sorted[2]!.toFixed(1)} ms`);

    expect(first.handoffs).toHaveLength(50);
    expect(first.handoffs[0]).toMatchObject({ id: critical, risk: "critical", reason: "emergency", status: "open" });
    expect(first.next).toEqual(expect.any(String));
    expect(first.counts.status).toEqual({ open: 2001, in_progress: 0, resolved: 0, closed: 0 });
    expect(first.counts.risk).toEqual({ critical: 1, high: 500, medium: 500, low: 500, none: 500 });

    // Keyset pages: every case exactly once, most urgent first, then longest waiting.
    const all = await wholeQueue(supervisor, "limit=200");
    expect(all).toHaveLength(2001);
    expect(new Set(all.map((h) => h.id)).size).toBe(2001);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!];
      const rankA = RANK[a.risk ?? ""] ?? 4;
      const rankB = RANK[b.risk ?? ""] ?? 4;
      expect(rankA < rankB || (rankA === rankB && a.createdAt <= b.createdAt), `row ${i}`).toBe(true);
    }

    // Filters run in the database too, and page the same way.
    const line = await wholeQueue(supervisor, "channel=line&limit=200");
    expect(line).toHaveLength(667);
    expect(line.every((h) => h.channel === "line")).toBe(true);
    const none = await wholeQueue(supervisor, "risk=none&limit=150");
    expect(none).toHaveLength(500);
    expect(none.every((h) => h.risk === null)).toBe(true);
    expect((await supervisor.json<QueuePage>(supervisor.get("/handoffs?risk=critical"))).handoffs.map((h) => h.id)).toEqual([critical]);

    // Agents: the counts and pages leave out what another agent has.
    const taken = all.slice(1, 11).map((h) => h.id);
    await execute(db.url, `UPDATE "HandoffRequest" SET "assigneeId" = ? WHERE "id" IN (${taken.map(() => "?").join(", ")})`, [accounts.agent2, ...taken]);
    const agent = await signIn("agent");
    const agentFirst = await agent.json<QueuePage>(agent.get("/handoffs"));
    expect(agentFirst.handoffs[0]!.id).toBe(critical);
    expect(agentFirst.counts.status.open).toBe(1991);
    expect(agentFirst.handoffs.some((h) => taken.includes(h.id))).toBe(false);

    // A cursor that is not one of ours is refused, not looked up.
    expect(await supervisor.json(supervisor.get("/handoffs?cursor=bm9wZQ"), 400)).toMatchObject({ error: "invalid" });
    expect(await supervisor.json(supervisor.get("/handoffs?limit=5000"), 400)).toMatchObject({ error: "invalid" });
  });

  it("a family report appears in Reports and in the queue (reason report) without asking for a person, and is found by its code", async () => {
    await start();
    const p = person();
    // The family flow up to its saved report, without tapping "talk to a person".
    await p.toFamilyReportSaved();
    const { code } = (await query<{ code: string }>(db.url, `SELECT "code" FROM "Report"`))[0]!;

    const supervisor = await signIn("supervisor");
    const { reports } = await supervisor.json<{ reports: ReportSummary[] }>(supervisor.get("/reports"));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ code, kind: "family", risk: null, handoff: { status: "open", assignee: null } });
    const queue = await supervisor.json<QueuePage>(supervisor.get("/handoffs"));
    expect(queue.handoffs).toHaveLength(1);
    expect(queue.handoffs[0]).toMatchObject({ id: reports[0]!.handoff!.id, reason: "report", reportCode: code });

    // Search by reference code, typed as people read it out.
    const typed = code!.toLowerCase().replace("-", " ");
    expect((await supervisor.json<{ reports: ReportSummary[] }>(supervisor.get(`/reports?code=${encodeURIComponent(typed)}`))).reports.map((r) => r.code)).toEqual([code]);
    expect((await supervisor.json<{ reports: ReportSummary[] }>(supervisor.get(`/reports?code=ABCD-EFGH`))).reports).toEqual([]);
    expect(await supervisor.json(supervisor.get(`/reports?code=${encodeURIComponent("<script>")}`), 400)).toMatchObject({ error: "invalid" });

    // Opened: the answers as the bot asked them, in the console's language; the view is audited.
    const detail = await supervisor.json<{ report: ReportSummary & { answers: { key: string; question: string; answer: string }[] } }>(supervisor.get(`/reports/${reports[0]!.id}?lang=en`));
    expect(detail.report.answers).toContainEqual({ key: "family.relationship", question: expect.any(String), answer: "My child" });
    expect(detail.report.answers.find((a) => a.key === "family.relationship")!.question).not.toBe("family.relationship");
    const admin = await signIn("admin");
    const { entries } = await admin.json<{ entries: { action: string; actor: string; targetId: string; detail: unknown }[] }>(admin.get("/audit"));
    expect(entries.find((e) => e.action === "report.view")).toMatchObject({ actor: "supervisor@example.org", targetId: reports[0]!.id, detail: { code } });
  });

  it("a self-report shared with consent queues its risk; one kept private is never shown to staff", async () => {
    await start();
    const shared = person();
    await shared.toSelfReport("yes");
    const kept = person();
    await kept.toSelfReport("no");
    // The bot says plainly what "not shared" means and how to share later.
    const told = String(kept.messages().at(-1)!.payload.text);
    expect(told).toContain("Saved, and not shared.");
    expect(told).toContain("• Nobody at the helpline, the embassy or the police can see it, and nobody will contact you about it.");
    expect(told).toContain("• To share it later, choose “Help for me” in the menu again and agree to share");
    const codes = await query<{ code: string; consent: unknown }>(db.url, `SELECT "code", "consent" FROM "Report" ORDER BY "consent"`);
    expect(codes).toHaveLength(2);
    const privateCode = codes.find((c) => !c.consent)!.code;
    const sharedCode = codes.find((c) => Boolean(c.consent))!.code;
    const privateId = (await query<{ id: string }>(db.url, `SELECT "id" FROM "Report" WHERE "code" = ?`, [privateCode]))[0]!.id;

    const supervisor = await signIn("supervisor");
    const { reports } = await supervisor.json<{ reports: ReportSummary[] }>(supervisor.get("/reports"));
    expect(reports.map((r) => [r.code, r.kind, r.risk])).toEqual([[sharedCode, "self", "high"]]);
    expect((await supervisor.json<{ reports: ReportSummary[] }>(supervisor.get(`/reports?code=${privateCode}`))).reports).toEqual([]);
    expect(await supervisor.json(supervisor.get(`/reports/${privateId}`), 404)).toEqual({ error: "not_found" });

    const queue = await supervisor.json<QueuePage>(supervisor.get("/handoffs"));
    expect(queue.handoffs.map((h) => [h.reason, h.risk, h.reportCode])).toEqual([["report", "high", sharedCode]]);
    expect(await handoffOfChat(kept)).toBeUndefined();

    // Asking for a person afterwards keeps the one case (and its risk); the private report stays hidden.
    await kept.tap("person");
    const keptHandoff = (await handoffOfChat(kept))!;
    const detail = await supervisor.json<{ reports: unknown[]; handoff: Summary }>(supervisor.get(`/handoffs/${keptHandoff}`));
    expect(detail.reports).toEqual([]);
    expect(detail.handoff.reportCode).toBeNull();
    await shared.tap("person");
    const again = await supervisor.json<QueuePage>(supervisor.get("/handoffs"));
    expect(again.handoffs.filter((h) => h.reportCode === sharedCode)).toHaveLength(1);
    expect(again.handoffs.find((h) => h.reportCode === sharedCode)).toMatchObject({ risk: "high" });
  });

  it("agents see only reports of conversations nobody else has taken", async () => {
    await start();
    const p = person();
    await p.toSelfReport("yes");
    const agent = await signIn("agent");
    const { reports } = await agent.json<{ reports: ReportSummary[] }>(agent.get("/reports"));
    expect(reports).toHaveLength(1);
    await execute(db.url, `UPDATE "HandoffRequest" SET "assigneeId" = ?`, [accounts.agent2]);
    expect((await agent.json<{ reports: ReportSummary[] }>(agent.get("/reports"))).reports).toEqual([]);
    expect(await agent.json(agent.get(`/reports/${reports[0]!.id}`), 403)).toEqual({ error: "forbidden" });
    const agent2 = await signIn("agent2");
    expect((await agent2.json<{ reports: ReportSummary[] }>(agent2.get("/reports"))).reports).toHaveLength(1);
  });

  it("resolved and closed cases show how long they took, not how long someone waits", async () => {
    await start();
    const p = person();
    await p.toCriticalHandoff();
    const id = (await handoffOfChat(p))!;
    const supervisor = await signIn("supervisor");
    const open = (await supervisor.json<QueuePage>(supervisor.get("/handoffs"))).handoffs[0]!;
    expect(open).toMatchObject({ waitingSeconds: expect.any(Number), durationSeconds: null, closedAt: null });
    await execute(db.url, `UPDATE "HandoffRequest" SET "createdAt" = ? WHERE "id" = ?`, [new Date(Date.now() - 20 * 60_000).toISOString().replace("Z", "+00:00"), id]);
    const { handoff } = await supervisor.json<{ handoff: Summary }>(supervisor.post(`/handoffs/${id}/status`, { status: "resolved" }));
    expect(handoff).toMatchObject({ status: "resolved", waitingSeconds: null, closedAt: expect.any(String) });
    expect(handoff.durationSeconds).toBeGreaterThanOrEqual(20 * 60 - 5);
    expect(handoff.durationSeconds).toBeLessThan(20 * 60 + 60);
    const closed = await supervisor.json<{ handoff: Summary }>(supervisor.post(`/handoffs/${id}/status`, { status: "closed" }));
    expect(closed.handoff).toMatchObject({ status: "closed", waitingSeconds: null, durationSeconds: expect.any(Number) });
    const counts = (await supervisor.json<QueuePage>(supervisor.get("/handoffs?status=closed"))).counts;
    expect(counts.status).toMatchObject({ open: 0, closed: 1 });
  });
});
