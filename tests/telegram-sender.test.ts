// The Telegram sender against the fake Bot API over real HTTP: a call that hangs is given up
// within the sender's deadline (so its outbox claim cannot run out mid-send) and is retryable;
// so is an answer that is not the Bot API's.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BotApiClient } from "../src/channels/telegram/bot-api-client.ts";
import { TelegramSender } from "../src/channels/telegram/sender.ts";
import { DeliveryError } from "../src/outbox/delivery-error.ts";
import { SendRateLimiter } from "../src/outbox/send-rate-limiter.ts";
import type { OutboxItem } from "../src/store/types.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { BOT_TOKEN } from "./helpers/telegram-env.ts";

const CHAT = 4_440_001;
const item = (id: number): OutboxItem => ({ id, conversationId: "c1", kind: "text", channel: "telegram", chatId: String(CHAT), text: "Hello", payload: null, attempts: 0 });

describe("Telegram sender", () => {
  let fake: FakeTelegramBotApi;
  beforeEach(async () => {
    fake = await FakeTelegramBotApi.start({ token: BOT_TOKEN });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("gives up a Bot API call that does not answer within its deadline, as a retryable failure", async () => {
    const sender = new TelegramSender(new BotApiClient(BOT_TOKEN, fake.url), new SendRateLimiter(), 300);
    const release = fake.hold("sendMessage", CHAT);
    const started = Date.now();
    const failure = await sender.send([item(1)]).then(() => null, (e: unknown) => e);
    const waited = Date.now() - started;
    release();
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).retryable).toBe(true);
    expect(waited).toBeLessThan(5_000);

    expect(await sender.send([item(2)])).toEqual([[expect.stringMatching(/^\d+$/)]]);
  });

  it("an answer that is not the Bot API's JSON (a proxy's error page) is a retryable failure", async () => {
    const proxy = createServer((_req, res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad Gateway</html>"));
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const client = new BotApiClient(BOT_TOKEN, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      const failure = await new TelegramSender(client).send([item(3)]).then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(DeliveryError);
      expect(failure).toMatchObject({ retryable: true, message: "telegram network error" });
    } finally {
      await client.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
