// LINE rendering limits and the reply/push split, against the fake Messaging API over HTTP.
import { messagingApi } from "@line/bot-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LINE_LABEL_MAX, LINE_QUICK_REPLY_MAX, LINE_TEXT_LIMIT, toLineMessages } from "../src/channels/line/outbound.ts";
import { LineSender, retryKey } from "../src/channels/line/sender.ts";
import type { OutboxItem } from "../src/store/store.ts";
import { FakeLineApi } from "./fakes/line-api.ts";

const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, label: `Choice number ${i + 1} with a long label` }));

describe("LINE rendering", () => {
  it("keeps every choice reachable when there are more than 13", () => {
    const [message] = toLineMessages("Pick one", { key: "k", choices: choices(15) });
    expect(message!.quickReply!.items).toHaveLength(LINE_QUICK_REPLY_MAX);
    for (let i = 1; i <= 15; i++) expect(message!.text).toContain(`${i}. Choice number ${i} with a long label`);
  });

  it("shortens button labels to 20 characters and shows the full label when tapped", () => {
    const [message] = toLineMessages("Pick", { key: "k", choices: choices(2) });
    for (const item of message!.quickReply!.items!) {
      const action = item.action as messagingApi.PostbackAction;
      expect([...action.label!].length).toBeLessThanOrEqual(LINE_LABEL_MAX);
      expect(action.displayText).toMatch(/^Choice number \d with a long label$/);
    }
  });

  it("puts the location action first and splits long text below 5,000 characters", () => {
    const long = "가".repeat(12_000);
    const parts = toLineMessages(long, { key: "k", requestLocation: { label: "Share my location" }, choices: [{ id: "skip", label: "Skip" }] });
    expect(parts).toHaveLength(3);
    expect(parts.every((p) => p.text.length <= LINE_TEXT_LIMIT)).toBe(true);
    expect(parts.map((p) => p.text).join("")).toBe(long);
    expect(parts[2]!.quickReply!.items![0]!.action).toEqual({ type: "location", label: "Share my location" });
    expect(parts[0]!.quickReply).toBeUndefined();
  });

  it("derives a stable UUID-shaped retry key per row and chunk", () => {
    expect(retryKey(7, 0)).toBe(retryKey(7, 0));
    expect(retryKey(7, 0)).not.toBe(retryKey(7, 1));
    expect(retryKey(7, 0)).not.toBe(retryKey(8, 0));
  });
});

describe("LINE sender", () => {
  let fake: FakeLineApi;
  let sender: LineSender;
  beforeEach(async () => {
    fake = await new FakeLineApi("token").start();
    sender = new LineSender(new messagingApi.MessagingApiClient({ channelAccessToken: "token", baseURL: fake.url }));
  });
  afterEach(() => fake.stop());

  const rows = (n: number, token: string, until = Date.now() + 30_000): OutboxItem[] =>
    Array.from({ length: n }, (_, i) => ({
      id: 100 + i,
      conversationId: "c",
      kind: "text",
      channel: "line",
      chatId: "U1",
      text: `message ${i}`,
      payload: { key: "k", reply: { token, until: new Date(until).toISOString() } },
      attempts: 0,
    }));

  it("replies with at most 5 messages in one call and leaves the rest", async () => {
    const items = rows(7, fake.issueReplyToken());
    const sent = await sender.send(items);
    expect(sent).toHaveLength(5);
    expect(fake.callsTo("/v2/bot/message/reply")[0]!.body.messages.map((m: any) => m.text)).toEqual(items.slice(0, 5).map((i) => i.text));
    // The remaining two carry the now used token: LINE refuses it and they are pushed one by one.
    expect(await sender.send(items.slice(5))).toHaveLength(1);
    expect(await sender.send(items.slice(6))).toHaveLength(1);
    expect(fake.callsTo("/v2/bot/message/push").map((c) => c.body.messages[0].text)).toEqual(["message 5", "message 6"]);
  });

  it("pushes a row longer than 5 bubbles in chunks, each with its own retry key", async () => {
    const [item] = rows(1, "expired", Date.now() - 1);
    item!.text = "x".repeat(LINE_TEXT_LIMIT * 6);
    const [ids] = await sender.send([item!]);
    expect(ids).toHaveLength(6);
    const pushes = fake.callsTo("/v2/bot/message/push");
    expect(pushes.map((p) => p.body.messages.length)).toEqual([5, 1]);
    expect(pushes.map((p) => p.retryKey)).toEqual([retryKey(100, 0), retryKey(100, 1)]);
    expect(fake.callsTo("/v2/bot/message/reply")).toHaveLength(0);
  });

  it("reports 429 and 5xx as retryable and other 4xx as permanent", async () => {
    const item = rows(1, "expired", Date.now() - 1);
    fake.failNext("/v2/bot/message/push", { status: 429, body: {}, headers: { "retry-after": "2" } });
    await expect(sender.send(item)).rejects.toMatchObject({ retryable: true, retryAfterMs: 2000, rateLimited: true });
    // Until LINE's wait is over, sends are held back without calling LINE.
    const calls = fake.calls.length;
    expect(sender.readyIn(item[0]!)).toBeGreaterThan(1500);
    await expect(sender.send(item)).rejects.toMatchObject({ rateLimited: true });
    expect(fake.calls).toHaveLength(calls);
    sender = new LineSender(new messagingApi.MessagingApiClient({ channelAccessToken: "token", baseURL: fake.url }));
    fake.failNext("/v2/bot/message/push", { status: 503, body: {} });
    await expect(sender.send(item)).rejects.toMatchObject({ retryable: true });
    fake.failNext("/v2/bot/message/push", { status: 403, body: {} });
    await expect(sender.send(item)).rejects.toMatchObject({ retryable: false });
  });
});
