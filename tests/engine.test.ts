import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Deliverer, type ChannelSender } from "../src/outbox/deliverer.ts";
import { DeliveryError } from "../src/outbox/delivery-error.ts";
import type { OutboxItem, Store } from "../src/store/store.ts";
import type { Engine } from "../src/engine/engine.ts";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "./helpers/databases.ts";
import { execute } from "./helpers/db-query.ts";
import { openEngine, silentLog, webEvent } from "./helpers/engine-harness.ts";
import { helplineFlow } from "../flows/registry.ts";
import { LANGUAGES } from "../flows/data/languages.ts";

class RecordingSender implements ChannelSender {
  readonly batchSize: number;
  sent: OutboxItem[] = [];
  calls: number[][] = [];
  failures: DeliveryError[] = [];
  /** How many of the offered messages each call sends (default: all). */
  take = Infinity;
  constructor(batchSize = 1) {
    this.batchSize = batchSize;
  }
  async send(items: OutboxItem[]): Promise<string[][]> {
    this.calls.push(items.map((i) => i.id));
    const failure = this.failures.shift();
    if (failure) throw failure;
    const taken = items.slice(0, this.take);
    this.sent.push(...taken);
    return taken.map((_, i) => [String(this.sent.length - taken.length + i + 1)]);
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DB_KINDS)("engine on %s", (kind) => {
  let db: TestDatabase;
  let store: Store;
  let engine: Engine;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    ({ store, engine } = await openEngine(db.url));
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it("stores the inbound message, the snapshot and the replies of a step", async () => {
    const result = await engine.handle(webEvent("chat-a", { type: "COMMAND", command: "start" }));
    expect(result).toMatchObject({ duplicate: false, outboundCount: 1 });
    const transcript = await store.transcript("web", "chat-a");
    expect(transcript.map((m) => [m.direction, m.kind, m.status])).toEqual([
      ["in", "command", "received"],
      ["out", "text", "pending"],
    ]);
    expect(transcript[1]!.payload).toMatchObject({ key: "language.prompt" });
    expect((transcript[1]!.payload as { choices: { id: string }[] }).choices.map((c) => c.id)).toEqual([...LANGUAGES]);
  });

  it("processes a repeated platform event once, also after a restart", async () => {
    const event = webEvent("chat-b", { type: "COMMAND", command: "start" }, "same-id");
    expect((await engine.handle(event)).duplicate).toBe(false);
    expect((await engine.handle(event)).duplicate).toBe(true);
    await store.close();
    ({ store, engine } = await openEngine(db.url));
    expect((await engine.handle(event)).duplicate).toBe(true);
    const transcript = await store.transcript("web", "chat-b");
    expect(transcript.filter((m) => m.direction === "in")).toHaveLength(1);
    expect(transcript.filter((m) => m.direction === "out")).toHaveLength(1);
  });

  it("treats concurrent copies of one event as one", async () => {
    const event = webEvent("chat-c", { type: "COMMAND", command: "start" }, "racing-id");
    const results = await Promise.all(Array.from({ length: 5 }, () => engine.handle(event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await store.transcript("web", "chat-c")).toHaveLength(2);
  });

  it("keeps one chat's events in arrival order while other chats run concurrently", async () => {
    const texts = Array.from({ length: 25 }, (_, i) => `message ${i}`);
    await Promise.all([
      ...texts.map((text) => engine.handle(webEvent("ordered", { type: "TEXT", text }))),
      ...Array.from({ length: 10 }, (_, i) => engine.handle(webEvent(`other-${i}`, { type: "COMMAND", command: "start" }))),
    ]);
    const inbound = (await store.transcript("web", "ordered")).filter((m) => m.direction === "in");
    expect(inbound.map((m) => m.text)).toEqual(texts);
    for (let i = 0; i < 10; i++) expect(await store.transcript("web", `other-${i}`)).toHaveLength(2);
  });

  it("matches a typed number or label to the offered choices", async () => {
    await engine.handle(webEvent("typed", { type: "COMMAND", command: "start" }));
    await engine.handle(webEvent("typed", { type: "TEXT", text: "2" })); // English
    await engine.handle(webEvent("typed", { type: "TEXT", text: "yes" }));
    const out = (await store.transcript("web", "typed")).filter((m) => m.direction === "out");
    expect(out.map((m) => (m.payload as { key: string }).key)).toEqual(["language.prompt", "safety.prompt", "menu.prompt"]);
    expect(out[2]!.text).toBe("How can I help?");
  });

  it("creates a handoff request when the person asks for a person", async () => {
    for (const event of [
      { type: "COMMAND", command: "start" },
      { type: "CHOICE", id: "ko" },
      { type: "CHOICE", id: "yes" },
      { type: "CHOICE", id: "person" },
    ] as const) {
      await engine.handle(webEvent("handoff", event));
    }
    const out = (await store.transcript("web", "handoff")).filter((m) => m.direction === "out");
    // The card with the numbers, then a neutral line, so the chat list shows no number.
    expect(out.at(-2)!.text).toContain("사람이 이 대화를 읽고");
    expect(out.at(-2)!.text).toContain("+82-2-3210-0404");
    expect(out.at(-1)!.text).toBe("언제든 여기에 쓰셔도 됩니다.");
    // Staff have it now: the first message gets one short receipt, the next one (within the interval) nothing.
    const received = await engine.handle(webEvent("handoff", { type: "TEXT", text: "they took my passport" }));
    expect(received).toMatchObject({ duplicate: false, outboundCount: 1 });
    const quiet = await engine.handle(webEvent("handoff", { type: "TEXT", text: "I was beaten" }));
    expect(quiet).toMatchObject({ duplicate: false, outboundCount: 0 });
  });

  it("restarts a conversation stored by an older flow version with an apology, never crashing", async () => {
    await engine.handle(webEvent("old", { type: "COMMAND", command: "start" }));
    await engine.handle(webEvent("old", { type: "CHOICE", id: "en" }));
    // As if stored by the flow's previous version.
    await execute(db.url, `UPDATE "Conversation" SET "machineVersion" = ${helplineFlow.version - 1} WHERE "chatId" = 'old'`);
    await engine.handle(webEvent("old", { type: "CHOICE", id: "yes" }));
    const out = (await store.transcript("web", "old")).filter((m) => m.direction === "out");
    expect(out.slice(-2).map((m) => m.text)).toEqual([
      "Sorry, this service was updated. Let's start again.",
      "Hello. Which language would you like?",
    ]);
  });

  describe("outbox", () => {
    const due = (now: Date, perConversation = 1) => store.outbox.due(now, perConversation, 500);
    const claimOne = async (id: number, now: Date, leaseUntil: Date, holder: string | null = null) => (await store.outbox.claim([id], now, leaseUntil, holder)).has(id);

    it("delivers committed replies after a crash before delivery (restart resumes)", async () => {
      await engine.handle(webEvent("crash", { type: "COMMAND", command: "start" }));
      // "crash": the process stops with the reply committed but never sent
      await store.close();
      ({ store, engine } = await openEngine(db.url));
      const sender = new RecordingSender();
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20 });
      deliverer.start();
      await until(() => sender.sent.length === 1);
      await deliverer.stop();
      const [out] = (await store.transcript("web", "crash")).filter((m) => m.direction === "out");
      expect(out!.status).toBe("sent");
    });

    it("retries transient failures with backoff, in order, and gives up on permanent ones", async () => {
      await engine.handle(webEvent("retry", { type: "COMMAND", command: "start" }));
      await engine.handle(webEvent("retry", { type: "CHOICE", id: "en" }));
      const sender = new RecordingSender();
      sender.failures.push(new DeliveryError("telegram 429", true, 200), new DeliveryError("telegram 502", true));
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20, backoff: { baseMs: 30, maxMs: 100 } });
      const started = Date.now();
      deliverer.start();
      await until(() => sender.sent.length === 2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(sender.sent.map((m) => (m.payload as { key: string }).key)).toEqual(["language.prompt", "safety.prompt"]);
      // A send is recorded right after the sender returns: wait for the record, then check it.
      const outbound = async () => (await store.transcript("web", "retry")).filter((m) => m.direction === "out");
      await until(async () => (await outbound()).every((m) => m.status !== "pending" && m.status !== "sending"));
      expect((await outbound()).map((m) => m.status)).toEqual(["sent", "sent"]);

      sender.failures.push(new DeliveryError("telegram 403: blocked", false));
      await engine.handle(webEvent("retry", { type: "CHOICE", id: "yes" }));
      deliverer.wake();
      await until(async () => (await store.transcript("web", "retry")).at(-1)!.status === "failed");
      await deliverer.stop();
      expect(sender.sent).toHaveLength(2);
    });

    it("re-sends a message whose sending claim expired (a deliverer died mid-send)", async () => {
      await engine.handle(webEvent("lease", { type: "COMMAND", command: "start" }));
      const claimedAt = Date.now();
      const [[item]] = (await due(new Date(claimedAt))) as [[OutboxItem]];
      expect(await claimOne(item.id, new Date(claimedAt), new Date(claimedAt + 60_000))).toBe(true);
      expect(await due(new Date(claimedAt + 59_000))).toHaveLength(0);
      const sender = new RecordingSender();
      // The deliverer starts after the claim's lease ran out.
      const now = () => Date.now() + 61_000;
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20, now });
      deliverer.start();
      await until(() => sender.sent.length === 1);
      await deliverer.stop();
      const [out] = (await store.transcript("web", "lease")).filter((m) => m.direction === "out");
      expect(out!.status).toBe("sent");
    });

    it("does not send a message again while its own slow send is still under way", async () => {
      await engine.handle(webEvent("slow", { type: "COMMAND", command: "start" }));
      const sender = new RecordingSender();
      const waiting: (() => void)[] = [];
      const send = sender.send.bind(sender);
      sender.send = async (items) => {
        await new Promise<void>((resolve) => waiting.push(resolve));
        return send(items);
      };
      // The send outlasts the lease several times over; the deliverer polls all the while.
      let now = Date.now();
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20, leaseMs: 100, now: () => now });
      deliverer.start();
      await until(() => waiting.length === 1);
      for (let i = 0; i < 5; i++) {
        now += 150;
        await deliverer.afterPasses(1, { sends: false });
      }
      for (const finish of waiting) finish();
      await until(() => sender.sent.length >= 1);
      await deliverer.stop();
      expect(sender.calls).toHaveLength(1);
      const [out] = (await store.transcript("web", "slow")).filter((m) => m.direction === "out");
      expect(out!.status).toBe("sent");
    });

    it("keeps delivering to other chats while its own slow sends outlive their lease", async () => {
      for (const chat of ["slow-a", "slow-b"]) await engine.handle(webEvent(chat, { type: "COMMAND", command: "start" }));
      const sender = new RecordingSender();
      const send = sender.send.bind(sender);
      const held: (() => void)[] = [];
      sender.send = async (items) => {
        if (items[0]!.chatId.startsWith("slow")) await new Promise<void>((resolve) => held.push(resolve));
        return send(items);
      };
      // Room for three chats: two go to the slow sends, whose claims run out while they are still under way.
      let now = Date.now();
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20, leaseMs: 100, concurrency: 3, now: () => now });
      deliverer.start();
      await until(() => held.length === 2);
      now += 300;
      await deliverer.afterPasses(2, { sends: false });
      await engine.handle(webEvent("quick", { type: "COMMAND", command: "start" }));
      await until(() => sender.sent.some((m) => m.chatId === "quick"));
      expect(held).toHaveLength(2);
      for (const finish of held) finish();
      await until(() => sender.sent.length === 3);
      await deliverer.stop();
      expect(sender.calls).toHaveLength(3);
    });

    it("releases at once the claims of a process whose heartbeat stopped, never those of a live one", async () => {
      for (const chat of ["orphaned", "alive"]) await engine.handle(webEvent(chat, { type: "COMMAND", command: "start" }));
      let now = Date.now();
      const [[orphaned], [alive]] = (await due(new Date(now))) as [[OutboxItem], [OutboxItem]];
      // Two other processes joined; each claimed one reply with a long lease.
      for (const [process, item] of [["crashed", orphaned], ["live", alive]] as const) {
        await store.presence.join(process, new Date(now), false);
        expect(await claimOne(item.id, new Date(now), new Date(now + 60_000), process)).toBe(true);
      }
      const beatOf = (process: string) =>
        store.presence.beat(process, new Date(now), { renew: [], leaseUntil: new Date(now + 60_000), staleBefore: new Date(now - 3000) });
      const statusOf = async (chat: string) => (await store.transcript("web", chat)).find((m) => m.direction === "out")!.status;
      const sender = new RecordingSender();
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20, heartbeatTimeoutMs: 3000, now: () => now });
      deliverer.start();

      now += 2000; // "crashed" has been silent for 2 s: not yet taken for dead
      await beatOf("live");
      expect(await deliverer.presence.beat()).toMatchObject({ released: 0, gone: 0, known: true });
      expect([await statusOf("orphaned"), await statusOf("alive")]).toEqual(["sending", "sending"]);

      now += 1500; // 3.5 s: taken for dead; "live" beat 1.5 s ago
      await deliverer.presence.beat();
      await until(() => sender.sent.length === 1);
      await deliverer.stop();
      expect(sender.sent.map((m) => m.chatId)).toEqual(["orphaned"]);
      expect([await statusOf("orphaned"), await statusOf("alive")]).toEqual(["sent", "sending"]);
      // Were "crashed" only stalled, its next beat would learn that it was taken for dead (and join again).
      expect(await beatOf("crashed")).toMatchObject({ known: false });
      expect(await beatOf("crashed")).toMatchObject({ known: true });
    });

    it("renews the lease of its own send while it lasts, so no other deliverer takes it", async () => {
      await engine.handle(webEvent("renewed", { type: "COMMAND", command: "start" }));
      let now = Date.now();
      const sender = new RecordingSender();
      const send = sender.send.bind(sender);
      let finish = () => {};
      const started = new Promise<void>((resolve) => {
        sender.send = async (items) => {
          resolve();
          await new Promise<void>((r) => (finish = r));
          return send(items);
        };
      });
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 20, leaseMs: 1000, heartbeatTimeoutMs: 1000, now: () => now });
      deliverer.start();
      await started;
      const claimedAt = now;
      // Past the first lease, another deliverer would take the message, were it not renewed.
      now += 600;
      await deliverer.presence.beat();
      expect(await due(new Date(claimedAt + 1200))).toEqual([]);
      expect(await claimOne((await store.transcript("web", "renewed")).at(-1)!.id, new Date(claimedAt + 1200), new Date(claimedAt + 9000))).toBe(false);
      finish();
      await until(() => sender.sent.length === 1);
      await deliverer.stop();
      expect(sender.calls).toHaveLength(1);
    });

    it("takes over at start every claim an earlier process left when it is the only process (as on SQLite)", async () => {
      await engine.handle(webEvent("left", { type: "COMMAND", command: "start" }));
      const now = Date.now();
      const [[item]] = (await due(new Date(now))) as [[OutboxItem]];
      // The earlier process beat a moment ago and claimed the reply for a long lease, then was killed.
      await store.presence.join("before-restart", new Date(now), false);
      expect(await claimOne(item.id, new Date(now), new Date(now + 60_000), "before-restart")).toBe(true);
      const sender = new RecordingSender();
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 60_000, heartbeatTimeoutMs: 60_000, takeOverAll: true });
      deliverer.start();
      await until(() => sender.sent.length === 1);
      await deliverer.stop();
      expect(sender.sent.map((m) => m.id)).toEqual([item.id]);
    });

    it("lets only one of two deliverers claim a message", async () => {
      await engine.handle(webEvent("claim", { type: "COMMAND", command: "start" }));
      const [[item]] = (await due(new Date())) as [[OutboxItem]];
      const lease = new Date(Date.now() + 30_000);
      const claims = await Promise.all([claimOne(item.id, new Date(), lease), claimOne(item.id, new Date(), lease)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it("never offers a message past an earlier one of its chat that cannot go with it", async () => {
      await engine.handle(webEvent("gap", { type: "COMMAND", command: "start" }));
      await engine.handle(webEvent("gap", { type: "CHOICE", id: "en" }));
      await engine.handle(webEvent("gap", { type: "TEXT", text: "what?" }));
      const ids = (await store.transcript("web", "gap")).filter((m) => m.direction === "out").map((m) => m.id);
      expect(ids).toHaveLength(4);
      // The second message is out with another deliverer: the first may go, nothing behind the second.
      expect(await claimOne(ids[1]!, new Date(), new Date(Date.now() + 30_000))).toBe(true);
      expect((await due(new Date(), 5)).map((group) => group.map((item) => item.id))).toEqual([[ids[0]]]);
    });

    it("sends a chat's queued messages in one claim, one call at a time, each recorded before the next call", async () => {
      await engine.handle(webEvent("queued", { type: "COMMAND", command: "start" }));
      await engine.handle(webEvent("queued", { type: "CHOICE", id: "en" }));
      await engine.handle(webEvent("queued", { type: "TEXT", text: "what?" }));
      const ids = (await store.transcript("web", "queued")).filter((m) => m.direction === "out").map((m) => m.id);
      const statusesAtEachCall: string[][] = [];
      const sender = new RecordingSender();
      const send = sender.send.bind(sender);
      sender.send = async (items) => {
        statusesAtEachCall.push((await store.transcript("web", "queued")).filter((m) => m.direction === "out").map((m) => m.status));
        return send(items);
      };
      const deliverer = new Deliverer(store, { web: sender }, silentLog, { pollMs: 60_000 });
      deliverer.start();
      await until(() => sender.sent.length === 4);
      await deliverer.stop();
      expect(sender.calls).toEqual(ids.map((id) => [id]));
      expect(statusesAtEachCall).toEqual([
        ["sending", "sending", "sending", "sending"],
        ["sent", "sending", "sending", "sending"],
        ["sent", "sent", "sending", "sending"],
        ["sent", "sent", "sent", "sending"],
      ]);
    });

    it("offers a batching sender a conversation's consecutive messages, and keeps the ones it did not send", async () => {
      await engine.handle(webEvent("batch", { type: "COMMAND", command: "start" }));
      await engine.handle(webEvent("batch", { type: "CHOICE", id: "en" }));
      await engine.handle(webEvent("batch", { type: "TEXT", text: "what?" })); // pickOne + safety.prompt again
      const ids = (await store.transcript("web", "batch")).filter((m) => m.direction === "out").map((m) => m.id);
      expect(ids).toHaveLength(4);
      const sender = new RecordingSender(3);
      sender.take = 2;
      const releases: number[][] = [];
      const outbox = new Proxy(store.outbox, {
        get: (target, name) => (name === "release" ? (ids: number[]) => (releases.push(ids), target.release(ids)) : Reflect.get(target, name)),
      });
      const deliverer = new Deliverer({ outbox, presence: store.presence }, { web: sender }, silentLog, { pollMs: 20 });
      deliverer.start();
      await until(() => sender.sent.length === 4);
      await deliverer.stop();
      // What the first call did not send goes back at once: given back in parts, a pass between them could offer the third alone.
      expect(releases[0]).toEqual(ids.slice(2, 4));
      expect(sender.calls).toEqual([ids.slice(0, 3), ids.slice(2, 4)]);
      const out = (await store.transcript("web", "batch")).filter((m) => m.direction === "out");
      expect(out.map((m) => m.status)).toEqual(["sent", "sent", "sent", "sent"]);
    });
  });
});
