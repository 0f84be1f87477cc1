// Taps in the transcript read as the question the bot asked and the label chosen, in the
// console's language, with what the person saw in theirs (Telegram webhook, SQLite, real HTTP).
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { FakeTelegramBotApi } from "./fakes/telegram-bot-api.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.ts";
import { query } from "./helpers/db-query.ts";
import { addStaffAccounts, signedInClient } from "./helpers/staff-accounts.ts";
import { BOT_TOKEN, telegramWebhookEnv, TEST_DELIVERY } from "./helpers/telegram-env.ts";
import { TelegramPerson } from "./helpers/telegram-person.ts";

type Bundle = Record<string, unknown>;
const bundle = (lang: string) => JSON.parse(readFileSync(`locales/${lang}.json`, "utf8")) as Bundle;
const text = (b: Bundle, key: string) => String(key.split(".").reduce<unknown>((node, k) => (node as Bundle)[k], b));

interface Item {
  role: string;
  kind: string;
  tap?: { question: string; answer: string; asked: { question: string; answer: string; language: string | null } };
}

describe("taps in the transcript", () => {
  let db: TestDatabase;
  let fake: FakeTelegramBotApi;
  let app: App;

  beforeEach(async () => {
    [db, fake] = await Promise.all([createTestDatabase("sqlite"), FakeTelegramBotApi.start({ token: BOT_TOKEN })]);
    app = await createApp(loadConfig(telegramWebhookEnv(db.url, fake.url)), {
      delivery: TEST_DELIVERY,
    });
  });

  afterEach(async () => {
    await app.stop().catch(() => {});
    await fake.stop();
    await db.drop();
  });

  it("show the question and the label chosen in the console's language, and as the person saw them", async () => {
    const base = await app.start();
    await addStaffAccounts(app.store, ["supervisor"]);
    const p = new TelegramPerson(base, fake, 6_660_001);
    await p.say("/start");
    await p.tap("vi");
    await p.tap("yes");
    await p.tap("person");
    const { id } = (await query<{ id: string }>(db.url, `SELECT id FROM "HandoffRequest"`))[0]!;
    const supervisor = await signedInClient(base, "supervisor");
    const detail = await supervisor.json<{ transcript: Item[] }>(supervisor.get(`/handoffs/${id}?lang=en`));
    const taps = detail.transcript.filter((i) => i.role === "user" && i.kind === "choice").map((i) => i.tap);
    const [en, vi] = [bundle("en"), bundle("vi")];
    expect(taps).toHaveLength(3);
    // "Is it safe to chat?" answered "yes": readable in English, and as asked in Vietnamese.
    expect(taps[1]).toEqual({
      question: text(en, "safety.prompt"),
      answer: text(en, "common.yes"),
      asked: { question: text(vi, "safety.prompt"), answer: text(vi, "common.yes"), language: "vi" },
    });
    expect(taps[2]).toMatchObject({ question: text(en, "menu.prompt"), answer: text(en, "common.talkToPerson"), asked: { answer: text(vi, "common.talkToPerson") } });
    // In Korean for a Korean console.
    const ko = bundle("ko");
    const inKorean = await supervisor.json<{ transcript: Item[] }>(supervisor.get(`/handoffs/${id}?lang=ko`));
    expect(inKorean.transcript.filter((i) => i.kind === "choice")[1]!.tap).toMatchObject({ question: text(ko, "safety.prompt"), answer: text(ko, "common.yes") });
  });
});
