// A person on Telegram, played through SafeLine's webhook, with what the fake Bot API
// delivered to their chat.
import type { FakeTelegramBotApi, RecordedCall } from "../fakes/telegram-bot-api.ts";
import { WEBHOOK_SECRET } from "./telegram-env.ts";
import { callbackUpdate, textUpdate } from "./telegram-updates.ts";

export class TelegramPerson {
  /** The server's base URL; a test that restarts the server on a new port updates it. */
  public base: string;
  private readonly fake: FakeTelegramBotApi;
  readonly chatId: number;
  private readonly secret: string;
  private received = 0;

  constructor(base: string, fake: FakeTelegramBotApi, chatId: number, secret = WEBHOOK_SECRET) {
    this.base = base;
    this.fake = fake;
    this.chatId = chatId;
    this.secret = secret;
  }

  /** Everything the bot (or staff through it) sent to this chat so far. */
  messages(): RecordedCall[] {
    return this.fake.sentMessages(this.chatId);
  }

  async post(update: unknown): Promise<void> {
    const res = await fetch(`${this.base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": this.secret },
      body: JSON.stringify(update),
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  }

  /** Sends a text and waits for `replies` new messages; returns their texts. */
  async say(text: string, replies = 1): Promise<string[]> {
    await this.post(textUpdate(this.chatId, text));
    return this.waitFor(replies);
  }

  /** Taps the button `data` on the last message that had buttons. */
  async tap(data: string, replies = 1): Promise<string[]> {
    const withButtons = this.messages().findLast((m) => m.payload.reply_markup);
    const messageId = (withButtons?.result as { message_id: number } | undefined)?.message_id ?? 1;
    await this.post(callbackUpdate(this.chatId, data, messageId));
    return this.waitFor(replies);
  }

  /** Waits until `count` more messages arrived; returns their texts. */
  async waitFor(count: number, timeoutMs?: number): Promise<string[]> {
    const all = await this.fake.waitForMessages(this.chatId, this.received + count, timeoutMs);
    const fresh = all.slice(this.received);
    this.received = all.length;
    return fresh.map((m) => String(m.payload.text));
  }

  /** /start, English, safe to chat, "I'm in danger", "talk to a person": a critical handoff. */
  async toCriticalHandoff(): Promise<void> {
    await this.say("/start");
    await this.tap("en");
    await this.tap("yes");
    await this.tap("danger", 2); // the emergency card, and one tap to give the nationality
    await this.tap("person", 2); // the hand-off card, and a neutral line for the chat list
  }

  /** /start, English, safe to chat, a family report about a child (name, last place), up to the saved report (shared: family reports always are). */
  async toFamilyReportSaved(name = "Kim Minsu", lastPlace = "Sihanoukville"): Promise<void> {
    await this.say("/start");
    await this.tap("en");
    await this.tap("yes");
    await this.tap("other");
    await this.tap("child");
    await this.say(name);
    await this.tap("skip");
    await this.tap("skip");
    await this.tap("week");
    await this.say(lastPlace, 1);
    await this.tap("ad");
    await this.tap("no", 3);
  }

  /** The family report (toFamilyReportSaved), then "talk to a person". */
  async toFamilyReport(name = "Kim Minsu", lastPlace = "Sihanoukville"): Promise<void> {
    await this.toFamilyReportSaved(name, lastPlace);
    await this.tap("person", 2);
  }

  /**
   * /start, English, safe to chat, "help for me": not in danger, not hurt, not able to leave
   * (high risk), passport taken, the rest skipped, no description; then `consent` to sharing.
   * Ends at the saved report, without asking for a person.
   */
  async toSelfReport(consent: "yes" | "no"): Promise<void> {
    await this.say("/start");
    await this.tap("en");
    await this.tap("yes");
    await this.tap("me");
    for (const answer of ["no", "no", "no", "passport", "no", "skip", "skip", "no", "done"]) await this.tap(answer);
    await this.tap(consent);
  }

  /** /start, English, safe to chat, "talk to a person" from the menu: a handoff with nothing answered (medium). */
  async toHandoff(): Promise<void> {
    await this.say("/start");
    await this.tap("en");
    await this.tap("yes");
    await this.tap("person", 2);
  }
}
