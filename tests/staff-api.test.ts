// The staff console's HTTP API end to end: people reach a handoff through the Telegram
// webhook, staff sign in over real HTTP, and replies reach the fake Bot API. Roles, CSRF,
// lockout, audit and bad input are checked on SQLite and PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { App, AppOptions } from "../src/app.ts";
import { DEFAULT_SESSION_POLICY } from "../src/staff/sessions.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { count, query } from "./helpers/db-query.ts";
import { addStaffAccounts, STAFF_PASSWORD, type StaffName } from "./helpers/staff-accounts.ts";
import { StaffClient } from "./helpers/staff-client.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { messageUpdate } from "./helpers/telegram-updates.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const PASSWORD = STAFF_PASSWORD;
const CLOSED_TEXT = "This conversation is finished for now. If you need more, choose from the menu.";
const MENU_TEXT = "How can I help?";

interface Summary {
  id: string;
  status: string;
  risk: string | null;
  reason: string;
  channel: string;
  language: string | null;
  waitingSeconds: number;
  assignee: { id: string; email: string } | null;
}
interface Item {
  role: string;
  kind: string;
  text: string | null;
  status: string;
  author: string | null;
  detail?: Record<string, unknown>;
}
interface Detail {
  handoff: Summary;
  person: { channel: string; platformUserId: string | null; masked: boolean };
  location: { latitude: number; longitude: number; mapUrl: string } | null;
  reports: { code: string; answers: { key: string; question: string; answer: string }[] }[];
  transcript: Item[];
}

describe.each(DB_KINDS)("staff console API on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;
  let base: string;
  let accounts: Record<StaffName, string>;
  let chatSeq = 0;
  /** One signed-in client per account, reused by the tests that do not sign out. */
  const sessions = new Map<string, Promise<StaffClient>>();

  // One app for the file: each test has its own people and hand-offs, and tests that sign
  // out use sessions of their own. Sign-in limits and lockout have apps of their own below.
  beforeAll(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
    ({ app, base } = await startTelegramApp(db.url, fake.url, { options: { staffLoginRateLimit: { max: 1000, timeWindowMs: 60_000 } } }));
    accounts = await addStaffAccounts(app.store);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await app?.stop().catch(() => {});
    await fake?.stop();
    await db?.drop();
  });

  const person = () => new TelegramPerson(base, fake, 7_770_000 + ++chatSeq);

  /** A session of its own (for a test that signs it out, or checks the sign-in itself). */
  async function signIn(who: string, at = base) {
    const client = new StaffClient(at);
    expect((await client.login(`${who}@example.org`, PASSWORD)).status).toBe(200);
    return client;
  }

  /** `who`'s shared session on the file's app. */
  function signedIn(who: StaffName): Promise<StaffClient> {
    let client = sessions.get(who);
    if (!client) sessions.set(who, (client = signIn(who)));
    return client;
  }

  async function queue(client: StaffClient, params = "") {
    return client.json<{ handoffs: Summary[]; staff: { id: string; email: string }[] }>(client.get(`/handoffs${params}`));
  }

  /** `client`'s event stream: what it received so far, when it ended, and a way to close it. */
  function openEvents(client: StaffClient) {
    const controller = new AbortController();
    let text = "";
    const ended = (async () => {
      const res = await fetch(`${base}/staff/api/events`, { headers: { cookie: client.setCookie!.split(";")[0]! }, signal: controller.signal });
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return Date.now();
        text += new TextDecoder().decode(value);
      }
    })();
    // Closing aborts the read; a failure before then is the test's.
    ended.catch(() => {});
    return { received: () => text, ended, close: () => controller.abort() };
  }

  /** The ids of `handoffs` among `mine`, in the queue's order: what a test sees of its own hand-offs in the shared queue. */
  const onlyThese = (handoffs: Summary[], mine: string[]) => handoffs.filter((h) => mine.includes(h.id));

  /** A person's handoff as it shows in a supervisor's queue. */
  async function handoffOf(p: TelegramPerson, client?: StaffClient): Promise<Summary> {
    const viewer = client ?? (await signedIn("supervisor"));
    const rows = await query<{ id: string }>(
      db.url,
      `SELECT h.id FROM "HandoffRequest" h JOIN "Conversation" c ON c.id = h."conversationId" WHERE c."chatId" = '${p.chatId}'`,
    );
    const { handoffs } = await queue(viewer, "?status=open,in_progress,resolved,closed");
    return handoffs.find((h) => h.id === rows[0]!.id)!;
  }

  describe("sign-in limits (an app and database of their own: they throttle the address and lock accounts)", () => {
    let own: { db: TestDatabase; app: App; base: string } | undefined;

    async function startOwn(options: AppOptions, env: Record<string, string> = {}) {
      const ownDb = await createTestDatabase(kind);
      const started = await startTelegramApp(ownDb.url, fake.url, { env, options });
      own = { db: ownDb, ...started };
      return { base: own.base, accounts: await addStaffAccounts(own.app.store, ["agent", "admin"]) };
    }

    afterEach(async () => {
      await own?.app.stop().catch(() => {});
      await own?.db.drop();
      own = undefined;
    });

    // Security finding 3: five wrong passwords answered "429 locked" for an existing e-mail only,
    // and anyone could lock any account for 15 minutes.
    it("answers known and unknown e-mails alike, throttles an e-mail per address, and locks an account only after many failures from anywhere", async () => {
      const { base, accounts } = await startOwn({ staffSessions: { ...DEFAULT_SESSION_POLICY, lockAfterFailures: 8 } }, { TRUST_PROXY: "loopback" });
      const from = (address: string) => new StaffClient(base, { "x-forwarded-for": address });
      const sixTries = async (client: StaffClient, email: string) => {
        const answers: string[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await client.login(email, "wrong password!");
          const body = (await res.json()) as { error: string; retryAfterSeconds?: number };
          answers.push(`${res.status} ${body.error}${body.retryAfterSeconds ? ` ${body.retryAfterSeconds}` : ""}`);
        }
        return answers;
      };
      const unknown = await sixTries(from("203.0.113.7"), "nobody@example.org");
      const known = await sixTries(from("203.0.113.8"), "agent@example.org");
      expect(known).toEqual(unknown);
      expect(known).toEqual([...Array<string>(5).fill("401 invalid"), "429 rate_limited 30"]);
      // The stranger's failures do not keep the owner out: from their own address they sign in.
      expect((await from("198.51.100.4").login("agent@example.org", PASSWORD)).status).toBe(200);

      // A sustained attack from many addresses locks the account; locked looks like a wrong password.
      for (let i = 1; i <= 8; i++) expect((await from(`192.0.2.${i}`).login("agent@example.org", "wrong password!")).status).toBe(401);
      const owner = from("198.51.100.4");
      expect(await owner.json(owner.login("agent@example.org", PASSWORD), 401)).toEqual({ error: "invalid" });
      const admin = await signIn("admin", base);
      const { accounts: list } = await admin.json<{ accounts: { email: string; lockedUntil: string | null }[] }>(admin.get("/accounts"));
      expect(list.find((a) => a.email === "agent@example.org")!.lockedUntil).not.toBeNull();
      const { entries } = await admin.json<{ entries: { action: string; actor: string; detail: unknown }[] }>(admin.get("/audit?limit=200"));
      expect(entries.filter((e) => e.action === "login.failed" && e.actor === "agent@example.org")).toHaveLength(13);
      expect(entries.find((e) => e.action === "login.unknown")).toMatchObject({ actor: "anonymous", detail: { count: 1 } });
      expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(["login.throttled", "login.locked"]));
      expect(JSON.stringify(entries)).not.toMatch(/nobody|203\.0\.113|198\.51|192\.0\.2/);
      await admin.json(admin.post(`/accounts/${accounts.agent}`, { unlock: true }));
      expect((await owner.login("agent@example.org", PASSWORD)).status).toBe(200);
    });

    it("rate-limits sign-in attempts from one address", async () => {
      const { base } = await startOwn({ staffLoginRateLimit: { max: 3, timeWindowMs: 60_000 } });
      const client = new StaffClient(base);
      for (let i = 0; i < 3; i++) expect((await client.login("nobody@example.org", "whatever")).status).toBe(401);
      expect(await client.json(client.login("agent@example.org", PASSWORD), 429)).toEqual({ error: "rate_limited" });
      // Without TRUST_PROXY a client cannot escape the limit by claiming another address.
      expect((await new StaffClient(base, { "x-forwarded-for": "203.0.113.9" }).login("agent@example.org", PASSWORD)).status).toBe(429);
    });

    it("behind a trusted proxy, limits each client address apart", async () => {
      const { base } = await startOwn({ staffLoginRateLimit: { max: 3, timeWindowMs: 60_000 } }, { TRUST_PROXY: "loopback" });
      const flooder = new StaffClient(base, { "x-forwarded-for": "203.0.113.7" });
      for (let i = 0; i < 3; i++) expect((await flooder.login("nobody@example.org", "whatever")).status).toBe(401);
      expect((await flooder.login("agent@example.org", PASSWORD)).status).toBe(429);
      expect((await new StaffClient(base, { "x-forwarded-for": "198.51.100.4" }).login("agent@example.org", PASSWORD)).status).toBe(200);
      // The refused attempt is a security event in the audit log, without the address.
      const admin = await signIn("admin", base);
      const { entries } = await admin.json<{ entries: { action: string; actor: string; targetId: string }[] }>(admin.get("/audit?limit=200"));
      expect(entries).toContainEqual(expect.objectContaining({ action: "security.rate_limited", actor: "anonymous", targetId: "POST /staff/api/login" }));
      expect(JSON.stringify(entries)).not.toContain("203.0.113.7");
    });
  });


  it("signs in with a session cookie (HttpOnly, SameSite=Strict, Secure behind https) and out again", async () => {
    const sessionsBefore = await count(db.url, `SELECT COUNT(*) AS n FROM "StaffSession"`);
    const client = await signIn("agent");
    expect(client.setCookie).toMatch(/^safeline_staff=[\w-]{40,};/);
    expect(client.setCookie).toMatch(/HttpOnly/);
    expect(client.setCookie).toMatch(/SameSite=Strict/);
    expect(client.setCookie).toMatch(/Secure/);
    expect(client.setCookie).toMatch(/Path=\/staff/);
    const me = await client.json<{ account: { email: string; role: string } }>(client.get("/me"));
    expect(me.account).toMatchObject({ email: "agent@example.org", role: "agent" });
    // Only a hash of the cookie token is stored.
    const token = client.setCookie!.split(";")[0]!.split("=")[1]!;
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "StaffSession" WHERE id = '${token}'`)).toBe(0);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "StaffSession"`)).toBe(sessionsBefore + 1);

    expect((await client.post("/logout")).status).toBe(204);
    expect((await client.get("/me")).status).toBe(401);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "StaffSession"`)).toBe(sessionsBefore);
  });

  it("sends nothing for a state-changing request without the right CSRF token or from another origin, and audits refusals without personal data", async () => {
    const p = person();
    await p.toCriticalHandoff();
    const agent = await signedIn("agent");
    const { id } = await handoffOf(p, agent);
    const before = await count(db.url, `SELECT COUNT(*) AS n FROM "Message"`);
    expect(await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "hello" }, { csrf: false }), 403)).toEqual({ error: "csrf" });
    expect(await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "hello" }, { csrf: "forged" }), 403)).toEqual({ error: "csrf" });
    expect(await agent.json(agent.post(`/handoffs/${id}/status`, { status: "closed" }, { csrf: false }), 403)).toEqual({ error: "csrf" });
    expect((await handoffOf(p)).status).toBe("open");

    // Security findings 4 and 6: console POSTs had no origin check, and refused requests were recorded nowhere.
    const postWith = (headers: Record<string, string>) =>
      fetch(`${base}/staff/api/handoffs/${id}/notes`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: agent.setCookie!.split(";")[0]!, "x-csrf-token": agent.csrf!, ...headers },
        body: JSON.stringify({ text: "from elsewhere" }),
      });
    expect(await agent.json(postWith({ origin: "https://evil.example" }), 403)).toEqual({ error: "origin" });
    expect(await agent.json(postWith({ "sec-fetch-site": "cross-site" }), 403)).toEqual({ error: "origin" });
    expect(await agent.json(postWith({ origin: "null" }), 403)).toEqual({ error: "origin" });
    const signIn2 = await fetch(`${base}/staff/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ email: "agent@example.org", password: PASSWORD }),
    });
    expect(signIn2.status).toBe(403);
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message"`)).toBe(before);
    // The console's own origin passes.
    await agent.json(postWith({ origin: base, "sec-fetch-site": "same-origin" }), 201);

    expect((await agent.get("/audit")).status).toBe(403);
    const admin = await signedIn("admin");
    const { entries } = await admin.json<{ entries: { action: string; actor: string | null; targetType: string | null; targetId: string | null; detail: unknown }[] }>(
      admin.get("/audit?limit=200"),
    );
    const security = entries.filter((e) => e.action.startsWith("security."));
    expect(security).toEqual(
      expect.arrayContaining([
        { id: expect.any(Number), at: expect.any(String), action: "security.origin", actor: "agent@example.org", targetType: "route", targetId: "POST /staff/api/handoffs/:id/notes", detail: { count: 1 } },
        expect.objectContaining({ action: "security.origin", actor: "anonymous", targetId: "POST /staff/api/login" }),
        expect.objectContaining({ action: "security.csrf", actor: "agent@example.org", targetId: "POST /staff/api/handoffs/:id/reply" }),
        expect.objectContaining({ action: "security.forbidden", actor: "agent@example.org", targetId: "GET /staff/api/audit" }),
      ]),
    );
    // Three origin refusals by the agent within a minute: one entry (the others are counted in the next one).
    expect(security.filter((e) => e.action === "security.origin" && e.actor === "agent@example.org")).toHaveLength(1);
    expect(JSON.stringify(security)).not.toMatch(/from elsewhere|evil|127\.0\.0\.1/);
  });

  it("answers a critical handoff: the reply reaches Telegram, is stored as staff, and the person's answer lands in the transcript", async () => {
    const p = person();
    await p.toCriticalHandoff();
    await p.post(messageUpdate(p.chatId, { location: { latitude: 11.5564, longitude: 104.9282 } }));
    // While staff have the conversation, the person's message gets one short receipt.
    expect(await p.waitFor(1)).toEqual(["Received. A person will answer here."]);
    // A session of its own: the audit log below shows its sign-in.
    const agent = await signIn("agent");
    const { id } = await handoffOf(p, agent);
    expect((await queue(agent)).handoffs.find((h) => h.id === id)).toMatchObject({ status: "open", risk: "critical", reason: "emergency", channel: "telegram", language: "en", assignee: null });

    const sent = fake.sentMessages(p.chatId).length;
    const { messageId } = await agent.json<{ messageId: number }>(agent.post(`/handoffs/${id}/reply`, { text: "We are here. Are you safe now? $t(help.text) {{text}}" }), 202);
    expect(messageId).toBeGreaterThan(0);
    const [delivered] = await p.waitFor(1);
    expect(delivered).toBe("Reply: We are here. Are you safe now? $t(help.text) {{text}}");
    expect(fake.sentMessages(p.chatId)[sent]!.payload.disable_notification).toBe(true);

    // The person answers: staff get it, the bot stays quiet.
    await p.say("yes, for now", 0);
    const detail = await vi.waitFor(async () => {
      const d = await agent.json<Detail>(agent.get(`/handoffs/${id}`));
      expect(d.transcript.find((i) => i.role === "staff")?.status).toBe("sent");
      return d;
    });
    expect(detail.handoff).toMatchObject({ status: "in_progress", assignee: { id: accounts.agent, email: "agent@example.org" } });
    expect(detail.person).toEqual({ channel: "telegram", platformUserId: null, masked: true });
    expect(detail.location).toMatchObject({ latitude: 11.5564, longitude: 104.9282, mapUrl: expect.stringContaining("mlat=11.5564") });
    const roles = detail.transcript.map((i) => i.role);
    expect(roles.slice(0, 2)).toEqual(["user", "bot"]);
    expect(roles).toContain("system");
    expect(detail.transcript.find((i) => i.role === "staff")).toMatchObject({ author: "agent@example.org", text: delivered });
    expect(detail.transcript.at(-1)).toMatchObject({ role: "user", text: "yes, for now" });
    expect(fake.sentMessages(p.chatId)).toHaveLength(sent + 1);

    const supervisor = await signedIn("supervisor");
    const seen = await supervisor.json<Detail>(supervisor.get(`/handoffs/${id}`));
    expect(seen.person).toEqual({ channel: "telegram", platformUserId: String(p.chatId), masked: false });

    const admin = await signedIn("admin");
    const { entries } = await admin.json<{ entries: { action: string; actor: string; targetId: string; detail: unknown }[] }>(admin.get("/audit?limit=200"));
    const mine = entries.filter((e) => e.actor === "agent@example.org").map((e) => e.action);
    expect(mine).toEqual(expect.arrayContaining(["login", "reply", "transcript.view"]));
    // The audit log holds ids and statuses, never what was written.
    expect(JSON.stringify(entries)).not.toContain("We are here");
  });

  it("keeps notes internal, and closing tells the person and returns them to the menu", async () => {
    const p = person();
    await p.toHandoff();
    const agent = await signedIn("agent");
    const { id, risk } = await handoffOf(p, agent);
    expect(risk).toBe("medium");
    const sent = fake.sentMessages(p.chatId).length;
    await agent.json(agent.post(`/handoffs/${id}/notes`, { text: "Called the embassy, waiting for a callback." }), 201);
    await agent.json(agent.post(`/handoffs/${id}/status`, { status: "in_progress" }));
    await agent.json(agent.post(`/handoffs/${id}/status`, { status: "resolved" }));
    expect(fake.sentMessages(p.chatId)).toHaveLength(sent);

    const closed = await agent.json<{ handoff: Summary }>(agent.post(`/handoffs/${id}/status`, { status: "closed" }));
    expect(closed.handoff.status).toBe("closed");
    expect(await p.waitFor(2)).toEqual([CLOSED_TEXT, MENU_TEXT]);
    // Back with the bot: a menu choice gets the bot's answer.
    expect((await p.tap("job"))[0]).toMatch(/^Is the pay very high/);

    expect(await agent.json(agent.post(`/handoffs/${id}/status`, { status: "in_progress" }), 409)).toEqual({ error: "conflict" });
    expect(await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "late" }), 409)).toEqual({ error: "conflict" });
    expect(onlyThese((await queue(agent)).handoffs, [id])).toEqual([]);
    expect(onlyThese((await queue(agent, "?status=closed")).handoffs, [id]).map((h) => h.id)).toEqual([id]);

    const detail = await agent.json<Detail>(agent.get(`/handoffs/${id}`));
    expect(detail.transcript.find((i) => i.role === "note")).toMatchObject({ text: "Called the embassy, waiting for a callback.", author: "agent@example.org", status: "internal" });
    expect(detail.transcript.filter((i) => i.role === "system" && i.kind === "handoff.status").map((i) => i.detail?.to)).toEqual(["in_progress", "resolved", "closed"]);
  });

  it("lets each role do what it may: agents their own and unassigned handoffs, supervisors all, admins the audit log and accounts", async () => {
    const [p1, p2] = [person(), person()];
    await p1.toHandoff();
    await p2.toCriticalHandoff();
    const [agent, agent2, supervisor, admin] = [await signedIn("agent"), await signedIn("agent2"), await signedIn("supervisor"), await signedIn("admin")];
    const h1 = (await handoffOf(p1, supervisor)).id;
    const h2 = (await handoffOf(p2, supervisor)).id;
    const ids = async (client: StaffClient) => onlyThese((await queue(client)).handoffs, [h1, h2]).map((h) => h.id);
    // The queue: critical first.
    expect(await ids(supervisor)).toEqual([h2, h1]);
    // agent2 takes h2; then it is theirs alone among agents.
    await agent2.json(agent2.post(`/handoffs/${h2}/assign`, { staffId: accounts.agent2 }));

    const status = async (res: Promise<Response>) => (await res).status;
    const matrix: [string, StaffClient, () => Promise<Response>, number][] = [
      ["agent lists only unassigned and own", agent, () => agent.get("/handoffs"), 200],
      ["agent views an unassigned handoff", agent, () => agent.get(`/handoffs/${h1}`), 200],
      ["agent views another agent's handoff", agent, () => agent.get(`/handoffs/${h2}`), 403],
      ["agent replies on another agent's handoff", agent, () => agent.post(`/handoffs/${h2}/reply`, { text: "hi" }), 403],
      ["agent notes on another agent's handoff", agent, () => agent.post(`/handoffs/${h2}/notes`, { text: "hi" }), 403],
      ["agent closes another agent's handoff", agent, () => agent.post(`/handoffs/${h2}/status`, { status: "closed" }), 403],
      ["agent exports another agent's handoff", agent, () => agent.get(`/handoffs/${h2}/export`), 403],
      ["agent takes another agent's handoff", agent, () => agent.post(`/handoffs/${h2}/assign`, { staffId: accounts.agent }), 403],
      ["agent assigns an unassigned handoff to someone else", agent, () => agent.post(`/handoffs/${h1}/assign`, { staffId: accounts.agent2 }), 403],
      ["agent reads the audit log", agent, () => agent.get("/audit"), 403],
      ["agent lists accounts", agent, () => agent.get("/accounts"), 403],
      ["agent creates an account", agent, () => agent.post("/accounts", { email: "x@example.org", role: "admin", password: PASSWORD }), 403],
      ["supervisor views any handoff", supervisor, () => supervisor.get(`/handoffs/${h2}`), 200],
      ["supervisor exports any handoff", supervisor, () => supervisor.get(`/handoffs/${h2}/export`), 200],
      ["supervisor reads the audit log", supervisor, () => supervisor.get("/audit"), 403],
      ["supervisor creates an account", supervisor, () => supervisor.post("/accounts", { email: "x@example.org", role: "admin", password: PASSWORD }), 403],
      ["admin reads the audit log", admin, () => admin.get("/audit"), 200],
      ["admin lists accounts", admin, () => admin.get("/accounts"), 200],
      ["unknown handoff", supervisor, () => supervisor.get("/handoffs/no-such-id"), 404],
      ["unknown handoff reply", agent, () => agent.post("/handoffs/no-such-id/reply", { text: "hi" }), 404],
      ["unknown account", admin, () => admin.post("/accounts/no-such-id", { active: false }), 404],
    ];
    const results = [];
    for (const [name, , call, expected] of matrix) results.push({ name, expected, got: await status(call()) });
    expect(results.filter((r) => r.got !== r.expected)).toEqual([]);

    expect(await ids(agent)).toEqual([h1]);
    expect((await queue(agent)).staff).toEqual([]);
    expect((await queue(supervisor)).staff.map((s) => s.email)).toEqual(expect.arrayContaining(["agent@example.org", "agent2@example.org"]));
    // A supervisor reassigns; then the first agent may work on it.
    const moved = await supervisor.json<{ handoff: Summary }>(supervisor.post(`/handoffs/${h2}/assign`, { staffId: accounts.agent }));
    expect(moved.handoff.assignee).toEqual({ id: accounts.agent, email: "agent@example.org" });
    expect((await agent.get(`/handoffs/${h2}`)).status).toBe(200);
    expect((await agent2.get(`/handoffs/${h2}`)).status).toBe(403);
    // Agents release their own.
    await agent.json(agent.post(`/handoffs/${h2}/assign`, { staffId: null }));
    expect(await ids(agent2)).toEqual([h2, h1]);
  });

  it("filters the queue by status, risk, channel and language", async () => {
    const [p1, p2] = [person(), person()];
    await p1.toHandoff();
    await p2.toCriticalHandoff();
    const supervisor = await signedIn("supervisor");
    const mine = [(await handoffOf(p1, supervisor)).id, (await handoffOf(p2, supervisor)).id];
    const ids = async (params: string) => onlyThese((await queue(supervisor, params)).handoffs, mine).map((h) => h.risk);
    expect(await ids("?risk=critical")).toEqual(["critical"]);
    expect(await ids("?risk=medium")).toEqual(["medium"]);
    expect(await ids("?channel=telegram")).toEqual(["critical", "medium"]);
    expect(await ids("?channel=line")).toEqual([]);
    expect(await ids("?language=en")).toEqual(["critical", "medium"]);
    expect(await ids("?language=ko")).toEqual([]);
    expect(await ids("?status=closed")).toEqual([]);
    expect(await supervisor.json(supervisor.get("/handoffs?status=nonsense"), 400)).toMatchObject({ error: "invalid" });
    expect(await supervisor.json(supervisor.get("/handoffs?risk=<script>"), 400)).toMatchObject({ error: "invalid" });
  });

  it("rejects bad input with a clear error and stores nothing", async () => {
    const p = person();
    await p.toHandoff();
    const agent = await signedIn("agent");
    const { id } = await handoffOf(p, agent);
    const before = await count(db.url, `SELECT COUNT(*) AS n FROM "Message"`);
    const bad: [unknown, number][] = [
      [{}, 400],
      [{ text: "" }, 400],
      [{ text: "   " }, 400],
      [{ text: 42 }, 400],
      [{ text: "x".repeat(3501) }, 400],
      [[1, 2], 400],
    ];
    for (const [body, code] of bad) expect((await agent.post(`/handoffs/${id}/reply`, body)).status).toBe(code);
    const raw = await fetch(`${base}/staff/api/handoffs/${id}/reply`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: agent.setCookie!.split(";")[0]!, "x-csrf-token": agent.csrf! },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    const huge = await agent.post(`/handoffs/${id}/notes`, { text: "x".repeat(300_000) });
    expect(huge.status).toBe(413);
    expect(await agent.json(agent.post(`/handoffs/${id}/status`, { status: "archived" }), 400)).toMatchObject({ error: "invalid" });
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "Message"`)).toBe(before);
    // A very long but allowed reply goes out whole.
    await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "y".repeat(3500) }), 202);
    expect((await p.waitFor(1))[0]).toBe(`Reply: ${"y".repeat(3500)}`);
  });

  it("exports a conversation as a JSON download, audited", async () => {
    const p = person();
    await p.toCriticalHandoff();
    const agent = await signedIn("agent");
    const { id } = await handoffOf(p, agent);
    const res = await agent.get(`/handoffs/${id}/export?lang=ko`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="safeline-handoff-${id}.json"`);
    const exported = (await res.json()) as Detail & { exportedAt: string; exportedBy: string };
    expect(exported.exportedBy).toBe("agent@example.org");
    expect(exported.handoff.id).toBe(id);
    expect(exported.transcript.length).toBeGreaterThan(5);
    const admin = await signedIn("admin");
    const { entries } = await admin.json<{ entries: { action: string; targetId: string }[] }>(admin.get("/audit"));
    expect(entries).toContainEqual(expect.objectContaining({ action: "export", targetId: id }));
  });

  it("shows a report's answers with the questions as asked, in the console language", async () => {
    const p = person();
    await p.say("/start");
    await p.tap("en");
    await p.tap("yes");
    await p.tap("other");
    await p.tap("child");
    await p.say("Kim Minsu");
    await p.tap("skip");
    await p.tap("skip");
    await p.tap("week");
    await p.say("Sihanoukville", 1);
    await p.tap("ad");
    await p.tap("no", 3);
    await p.tap("person");
    const supervisor = await signedIn("supervisor");
    const { id } = await handoffOf(p, supervisor);
    const en = await supervisor.json<Detail>(supervisor.get(`/handoffs/${id}?lang=en`));
    expect(en.reports).toHaveLength(1);
    expect(en.reports[0]!.code).toMatch(/^[A-Z0-9-]{6,}$/);
    const answers = Object.fromEntries(en.reports[0]!.answers.map((a) => [a.key, a.answer]));
    expect(answers).toMatchObject({ "family.relationship": "My child", "family.name": "Kim Minsu", "family.lastPlace": "Sihanoukville", "family.ransom": "No" });
    const ko = await supervisor.json<Detail>(supervisor.get(`/handoffs/${id}?lang=ko`));
    expect(ko.reports[0]!.answers.find((a) => a.key === "family.ransom")).toMatchObject({ answer: "아니요" });
  });

  it("pushes a change event to live consoles when a handoff arrives", async () => {
    const agent = await signedIn("agent");
    const controller = new AbortController();
    const res = await fetch(`${base}/staff/api/events`, { headers: { cookie: agent.setCookie!.split(";")[0]! }, signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.getReader();
    let received = "";
    const changed = (async () => {
      while (!received.includes("event: change")) {
        const { value, done } = await reader.read();
        if (done) break;
        received += new TextDecoder().decode(value);
      }
    })();
    changed.catch(() => {}); // observed now; awaited below
    await person().toCriticalHandoff();
    await changed;
    expect(received).toContain("event: change");
    controller.abort();
    expect((await fetch(`${base}/staff/api/events`)).status).toBe(401);
  });

  // Security finding 6: the event stream kept sending for ~24 s after sign-out, and agents got
  // change events for hand-offs they cannot open.
  it("tells agents only of changes to hand-offs they may open, and ends the event stream at sign-out", async () => {
    const p = person();
    await p.toCriticalHandoff();
    const agent2 = await signedIn("agent2");
    const { id } = await handoffOf(p, agent2);
    await agent2.json(agent2.post(`/handoffs/${id}/assign`, { staffId: accounts.agent2 }));
    // The agent's stream asks what the agent may see (changeMarkFor) when it opens and after
    // changes; the test notes when, to know once the last of agent2's changes has been looked at.
    let clock = 0;
    const checks: { at: number; mark: Promise<string> }[] = [];
    const markFor = app.staff.changeMarkFor.bind(app.staff);
    vi.spyOn(app.staff, "changeMarkFor").mockImplementation((accountId) => {
      const mark = markFor(accountId);
      if (accountId === accounts.agent) checks.push({ at: ++clock, mark });
      return mark;
    });
    let notedAt = Infinity;
    const note = app.staff.note.bind(app.staff);
    vi.spyOn(app.staff, "note").mockImplementation(async (...args) => {
      const noted = await note(...args);
      notedAt = ++clock;
      return noted;
    });

    // A session of its own: it signs out below.
    const agent = await signIn("agent");
    const { received, ended } = openEvents(agent);
    await vi.waitUntil(() => received().includes(": connected"));
    // agent2's own hand-off: a reply, the person's answer (and its receipt), and a note are none of the agent's business.
    await agent2.json(agent2.post(`/handoffs/${id}/reply`, { text: "hello from agent2" }), 202);
    await p.waitFor(1);
    await p.say("thank you", 1);
    await agent2.json(agent2.post(`/handoffs/${id}/notes`, { text: "only for agent2" }), 201);
    await (await vi.waitUntil(() => checks.find((c) => c.at > notedAt))).mark;
    expect(new Set(await Promise.all(checks.map((c) => c.mark))).size).toBe(1);

    const signedOut = Date.now();
    expect((await agent.post("/logout")).status).toBe(204);
    expect((await ended) - signedOut).toBeLessThan(2000);
    expect(received()).toContain("event: expired");
    expect(received()).not.toContain("event: change");

    // A new unassigned hand-off is the agent's business.
    const again = openEvents(await signedIn("agent"));
    await vi.waitUntil(() => again.received().includes(": connected"));
    await person().toCriticalHandoff();
    await vi.waitUntil(() => again.received().includes("event: change"));
    again.close();
  });

  it("after the person erases their data, staff see tombstones and can no longer reply", async () => {
    const p = person();
    await p.toHandoff();
    const agent = await signedIn("agent");
    const { id } = await handoffOf(p, agent);
    await p.say("/delete");
    await p.tap("erase", 1);
    expect(await agent.json(agent.post(`/handoffs/${id}/reply`, { text: "hello?" }), 409)).toEqual({ error: "erased" });
    const supervisor = await signedIn("supervisor");
    const detail = await supervisor.json<Detail>(supervisor.get(`/handoffs/${id}`));
    expect(detail.handoff.status).toBe("erased");
    expect(detail.person.platformUserId).toMatch(/^erased:/);
    expect(detail.transcript.filter((i) => i.role === "user").every((i) => i.kind === "erased" && i.text === null)).toBe(true);
  });

  // Security finding 5: "aaaaaaaaaaaa" was accepted for an admin.
  it("refuses easily guessed passwords for new accounts with a clear message", async () => {
    const admin = await signedIn("admin");
    const before = await count(db.url, `SELECT COUNT(*) AS n FROM "StaffAccount"`);
    for (const [password, why] of [
      ["aaaaaaaaaaaa", "repeated characters"],
      ["password1234", "common password"],
      ["qwertyuiop123", ""],
      ["weak.officer@example.org", "e-mail"],
    ] as const) {
      const { issues } = await admin.json<{ issues: string[] }>(admin.post("/accounts", { email: "weak.officer@example.org", role: "admin", password }), 400);
      expect(issues).toEqual([expect.stringMatching(new RegExp(`^password: too easy to guess \\(.*${why}.*\\); use four or more unrelated words`))]);
    }
    expect(await count(db.url, `SELECT COUNT(*) AS n FROM "StaffAccount"`)).toBe(before);
    await admin.json(admin.post("/accounts", { email: "weak.officer@example.org", role: "admin", password: "tulip orbit canyon pencil" }), 201);
  });

  it("lets admins create, disable and re-enable accounts; a disabled account's sessions end", async () => {
    const admin = await signedIn("admin");
    const created = await admin.json<{ account: { id: string; role: string } }>(
      admin.post("/accounts", { email: "New.Officer@Example.org", role: "agent", password: PASSWORD }),
      201,
    );
    expect(await admin.json(admin.post("/accounts", { email: "new.officer@example.org", role: "agent", password: PASSWORD }), 409)).toEqual({ error: "exists" });
    expect(await admin.json(admin.post("/accounts", { email: "short@example.org", role: "agent", password: "short" }), 400)).toMatchObject({ error: "invalid" });
    expect(await admin.json(admin.post("/accounts", { email: "not an email", role: "agent", password: PASSWORD }), 400)).toMatchObject({ error: "invalid" });
    const officer = await signIn("new.officer");
    expect((await officer.get("/me")).status).toBe(200);
    await admin.json(admin.post(`/accounts/${created.account.id}`, { active: false }));
    expect((await officer.get("/me")).status).toBe(401);
    expect((await new StaffClient(base).login("new.officer@example.org", PASSWORD)).status).toBe(401);
    await admin.json(admin.post(`/accounts/${created.account.id}`, { active: true, role: "supervisor" }));
    const again = await signIn("new.officer");
    expect((await again.json<{ account: { role: string } }>(again.get("/me"))).account.role).toBe("supervisor");
    // An admin cannot disable or demote themselves.
    expect(await admin.json(admin.post(`/accounts/${accounts.admin}`, { active: false }), 409)).toEqual({ error: "self" });
    const { entries } = await admin.json<{ entries: { action: string; targetId: string }[] }>(admin.get("/audit?limit=200"));
    const onNewOfficer = entries.filter((e) => e.targetId === created.account.id).map((e) => e.action);
    expect(onNewOfficer.filter((a) => a === "account.update")).toHaveLength(2);
    expect(onNewOfficer.filter((a) => a === "account.create")).toHaveLength(1);
  });

  it("serves the console with strict security headers", async () => {
    const page = await fetch(`${base}/staff`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("strict-transport-security")).toMatch(/^max-age=31536000/);
    expect(page.headers.get("cache-control")).toBe("no-store");
    // The CSP allows no inline code, so the page must have none: no inline script or style,
    // no style attributes, no inline event handlers.
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    // The page loads its entry module; the modules it imports are served the same way.
    expect(html).toContain('<script type="module" src="/staff/assets/js/main.js"></script>');
    for (const module of ["js/main.js", "js/views/queue.js"]) {
      const res = await fetch(`${base}/staff/assets/${module}`);
      expect(res.headers.get("content-type")).toMatch(/javascript/);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    for (const notAsset of ["tsconfig.json", "js/types.d.ts", "index.html"]) expect((await fetch(`${base}/staff/assets/${notAsset}`)).status, notAsset).toBe(404);
    expect((await fetch(`${base}/staff/assets/console.css`)).headers.get("content-type")).toMatch(/css/);
    const me = await fetch(`${base}/staff/api/me`);
    expect(me.status).toBe(401);
    expect(me.headers.get("cache-control")).toBe("no-store");
    const texts = await fetch(`${base}/staff/api/texts/ko`);
    expect(texts.status).toBe(200);
    expect((await fetch(`${base}/staff/api/texts/fr`)).status).toBe(400);
    expect((await fetch(`${base}/staff/assets/../../config.ts`)).status).toBe(404);
  });

  it("sends safe headers outside the console too: webhook, health check, unknown paths", async () => {
    const answers = [
      await fetch(`${base}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      await fetch(`${base}/healthz`),
      await fetch(`${base}/no-such-page`),
    ];
    expect(answers.map((r) => r.status)).toEqual([401, 200, 404]);
    for (const res of answers) {
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("clears the session cookie on sign-out with the same flags", async () => {
    const client = await signIn("agent");
    const res = await client.post("/logout");
    expect(res.status).toBe(204);
    const cleared = res.headers.get("set-cookie") ?? "";
    expect(cleared).toMatch(/^safeline_staff=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect(cleared).toMatch(/Path=\/staff/);
    expect(cleared).toMatch(/HttpOnly/);
    expect(cleared).toMatch(/SameSite=Strict/);
    expect(cleared).toMatch(/Secure/);
  });
});
