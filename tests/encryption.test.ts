// Encryption at rest: with DATA_ENCRYPTION_KEYS set, nothing a person or staff wrote is
// readable in the database, while the bot and the console work as before; keys rotate
// with `db:reseal`; a production start without a key refuses to run.
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { createStaffAccount } from "../src/staff/accounts.ts";
import { FieldCipher, FieldCipherError, parseKeys } from "../src/store/field-cipher.ts";
import { SealedFields } from "../src/store/sealed-fields.ts";
import { Store } from "../src/store/store.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { query } from "./helpers/db-query.ts";
import { StaffClient } from "./helpers/staff-client.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";
import { messageUpdate } from "./helpers/telegram-updates.ts";
import { TEST_HASH_COST } from "./helpers/staff-accounts.ts";
import { startTelegramApp } from "./helpers/test-app.ts";

const SECRET_TEXT = "they took my passport M1234567 at building 7";
const STAFF_TEXT = "We have your location; stay where you are.";
const NOTE_TEXT = "Embassy duty officer informed.";
const key = (id: string) => `${id}:${randomBytes(32).toString("base64")}`;

describe("field cipher", () => {
  it("round-trips, binds the column, and refuses a tampered value or an unknown key", () => {
    const cipher = new FieldCipher(parseKeys(key("k1")));
    const sealed = cipher.seal("Message.text", "héllo 👋 \u202Eabc");
    expect(sealed).toMatch(/^enc:v1:k1:/);
    expect(sealed).not.toContain("llo");
    expect(cipher.open("Message.text", sealed)).toBe("héllo 👋 \u202Eabc");
    expect(cipher.seal("Message.text", "same")).not.toBe(cipher.seal("Message.text", "same"));
    expect(() => cipher.open("Report.answers", sealed)).toThrow(FieldCipherError);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA");
    expect(() => cipher.open("Message.text", tampered)).toThrow(FieldCipherError);
    expect(() => new FieldCipher(parseKeys(key("k2"))).open("Message.text", sealed)).toThrow(/not in DATA_ENCRYPTION_KEYS/);
    expect(cipher.open("Message.text", "plain, from before encryption")).toBe("plain, from before encryption");
  });

  it("gives every value its own IV, also across the refills of the IV pool", () => {
    const cipher = new FieldCipher(parseKeys(key("k1")));
    const ivs = Array.from({ length: 3000 }, () => cipher.seal("Message.text", "same").split(":")[3]!);
    expect(ivs.every((iv) => Buffer.from(iv, "base64url").length === 12)).toBe(true);
    expect(new Set(ivs).size).toBe(ivs.length);
  });

  it.each([
    ["k1", /<id>:<base64/],
    [`k1:${randomBytes(16).toString("base64")}`, /16 bytes; AES-256 needs 32/],
    [`${key("k1")},${key("k1")}`, /unique/],
  ])("rejects the key list %s", (spec, message) => {
    expect(() => parseKeys(spec)).toThrow(message);
    expect(() => loadConfig({ DATA_ENCRYPTION_KEYS: spec })).toThrow(/DATA_ENCRYPTION_KEYS:/);
  });

  it("opens a reply it sealed itself without decrypting it again, once; older and foreign values are decrypted", () => {
    const cipher = new FieldCipher(parseKeys(key("k1")));
    const fields = new SealedFields(cipher);
    const opened: string[] = [];
    const open = cipher.open.bind(cipher);
    cipher.open = ((column: string, stored: string | null) => (opened.push(column), open(column, stored))) as typeof cipher.open;
    const reply = (n: number) => ({ kind: "text", text: `reply ${n}`, payload: { choices: [{ id: "a", label: `choice ${n}` }] } });
    const rows = fields.outboxRows("c1", "telegram", Array.from({ length: 2100 }, (_, n) => reply(n)));
    expect(rows[0]!.text).toMatch(/^enc:v1:k1:/);

    // The newest 2,048 are remembered: opened without AES.
    expect(fields.openText(rows[2099]!.text)).toBe("reply 2099");
    expect(fields.openPayload(rows[2099]!.payload)).toEqual(reply(2099).payload);
    expect(opened).toEqual([]);
    // Once opened, or too old, or sealed elsewhere: decrypted, with the same result.
    expect(fields.openText(rows[2099]!.text)).toBe("reply 2099");
    expect(fields.openText(rows[0]!.text)).toBe("reply 0");
    expect(fields.openText(cipher.seal("Message.text", "from the database"))).toBe("from the database");
    expect(opened).toEqual(["Message.text", "Message.text", "Message.text"]);
    // A remembered value is bound to its column like any other.
    expect(() => fields.openText(rows[2098]!.payload)).toThrow(FieldCipherError);
  });

  it("refuses a production start without a key", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/DATA_ENCRYPTION_KEYS: is required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: "production", DATA_ENCRYPTION_KEYS: key("k1") }).dataKeys).toHaveLength(1);
  });
});

describe.each(DB_KINDS)("encryption at rest on %s", (kind) => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App | undefined;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase(kind), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
  });
  afterEach(async () => {
    await app?.stop().catch(() => {});
    app = undefined;
    await fake.stop();
    await db.drop();
  });

  async function start(keys?: string) {
    const started = await startTelegramApp(db.url, fake.url, {
      env: keys ? { DATA_ENCRYPTION_KEYS: keys } : {},
      options: { delivery: { pollMs: 50, backoff: { baseMs: 50, maxMs: 200 } } },
    });
    app = started.app;
    return started.base;
  }

  async function stop() {
    await app!.stop();
    app = undefined;
  }

  /** Every stored value that can hold what someone wrote. */
  async function storedValues(): Promise<string[]> {
    const messages = await query<{ text: string | null; payload: string | null }>(db.url, `SELECT text, payload FROM "Message"`);
    const conversations = await query<{ snapshot: string }>(db.url, `SELECT snapshot FROM "Conversation"`);
    const reports = await query<{ answers: string }>(db.url, `SELECT answers FROM "Report"`);
    return [...messages.flatMap((m) => [m.text, m.payload]), ...conversations.map((c) => c.snapshot), ...reports.map((r) => r.answers)].filter(
      (v): v is string => v !== null,
    );
  }

  it("stores only ciphertext, while the bot and the console read it as written; keys rotate", async () => {
    const k1 = key("k1");
    const base = await start(k1);
    await createStaffAccount(app!.store, { id: null, email: "test" }, { email: "officer@example.org", role: "supervisor", password: "a long test password" }, TEST_HASH_COST);
    const person = new TelegramPerson(base, fake, 4_240_001);
    await person.toCriticalHandoff();
    // While staff have the conversation, the person's first message gets one short receipt.
    expect(await person.say(SECRET_TEXT, 1)).toEqual(["Received. A person will answer here."]);
    await person.post(messageUpdate(person.chatId, { location: { latitude: 11.5564, longitude: 104.9282 } }));
    let staff = new StaffClient(base);
    expect((await staff.login("officer@example.org", "a long test password")).status).toBe(200);
    const { handoffs } = await staff.json<{ handoffs: { id: string }[] }>(staff.get("/handoffs"));
    const id = handoffs[0]!.id;
    await staff.json(staff.post(`/handoffs/${id}/reply`, { text: STAFF_TEXT }), 202);
    await staff.json(staff.post(`/handoffs/${id}/notes`, { text: NOTE_TEXT }), 201);
    expect(await person.waitFor(1)).toEqual([`Reply: ${STAFF_TEXT}`]);

    const values = await storedValues();
    expect(values.length).toBeGreaterThan(10);
    const plain = values.filter((v) => !v.startsWith("enc:v1:k1:"));
    expect(plain).toEqual([]);
    const everything = values.join("\n");
    for (const secret of [SECRET_TEXT, "M1234567", STAFF_TEXT, NOTE_TEXT, "11.5564", "critical", "Staff:"]) expect(everything).not.toContain(secret);

    const detail = async () => {
      const d = await staff.json<{ transcript: { text: string | null }[]; location: { latitude: number } | null }>(staff.get(`/handoffs/${id}`));
      return { texts: d.transcript.map((t) => t.text), location: d.location };
    };
    expect((await detail()).texts).toEqual(expect.arrayContaining([SECRET_TEXT, `Reply: ${STAFF_TEXT}`, NOTE_TEXT]));
    expect((await detail()).location).toMatchObject({ latitude: 11.5564 });

    // Rotation: a new first key encrypts; the old one still decrypts until db:reseal has run.
    await stop();
    const k2 = key("k2");
    staff = new StaffClient(await start(`${k2},${k1}`));
    expect((await staff.login("officer@example.org", "a long test password")).status).toBe(200);
    expect((await detail()).texts).toContain(SECRET_TEXT);
    const counts = await app!.store.reseal();
    expect(counts.messages).toBeGreaterThan(10);
    expect(counts.conversations).toBe(1);
    expect((await storedValues()).filter((v) => !v.startsWith("enc:v1:k2:"))).toEqual([]);
    expect(await app!.store.reseal()).toEqual({ messages: 0, conversations: 0, reports: 0, evidence: 0 });

    // Only the new key now: everything still reads, and the person's conversation goes on.
    await stop();
    staff = new StaffClient(await start(k2));
    person.base = staff.base;
    expect((await staff.login("officer@example.org", "a long test password")).status).toBe(200);
    expect((await detail()).texts).toContain(SECRET_TEXT);
    await staff.json(staff.post(`/handoffs/${id}/status`, { status: "closed" }));
    expect((await person.waitFor(2))[1]).toBe("How can I help?");

    // Without the key that sealed them, values cannot be read: a clear error, not garbage.
    await stop();
    const wrong = await Store.open(db.url, { keys: parseKeys(key("k3")) });
    await expect(wrong.transcript("telegram", String(person.chatId))).rejects.toThrow(/encrypted with key "k2"/);
    await wrong.close();
  });

  it("encrypts what was stored before encryption was turned on, with db:reseal", async () => {
    const base = await start();
    const person = new TelegramPerson(base, fake, 4_240_002);
    await person.toHandoff();
    await person.say(SECRET_TEXT, 0);
    expect((await storedValues()).join("\n")).toContain(SECRET_TEXT);
    await stop();
    const store = await Store.open(db.url, { keys: parseKeys(key("k1")) });
    await store.reseal();
    await store.close();
    const values = await storedValues();
    expect(values.filter((v) => !v.startsWith("enc:v1:k1:"))).toEqual([]);
    expect(values.join("\n")).not.toContain(SECRET_TEXT);
  });
});
