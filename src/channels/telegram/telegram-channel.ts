// Telegram through grammY: webhook (POST /webhooks/telegram, secret token checked) when
// PUBLIC_URL is set, long polling otherwise. Every update goes through the engine and is
// acknowledged only after its step is committed.
import { timingSafeEqual } from "node:crypto";
import { Bot, type Context } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { FastifyInstance } from "fastify";
import type { i18n as I18n } from "i18next";
import type { Engine } from "../../engine/engine.ts";
import { FALLBACK_LANGUAGE, supportedLanguage } from "../../i18n.ts";
import type { Logger } from "../../log.ts";
import { securityEventLog } from "../../http/security-events.ts";
import { fromTelegramUpdate } from "./inbound.ts";
import { SendRateLimiter, type SendLimits } from "../../outbox/send-rate-limiter.ts";
import { BotApiClient } from "./bot-api-client.ts";
import { TelegramSender } from "./sender.ts";
import { parseUpdate } from "./update-schema.ts";

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  /** Set for webhook mode: `${publicUrl}/webhooks/telegram`. */
  publicUrl?: string;
  webhookSecret?: string;
  botInfo?: UserFromGetMe;
  /** Outbound pacing (Telegram's rate limits); unset: only 429s pause sending. */
  sendLimits?: SendLimits;
  /** How long one Bot API send may take before it is given up (default SEND_TIMEOUT_MS). */
  sendTimeoutMs?: number;
}

export const WEBHOOK_PATH = "/webhooks/telegram";
const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class TelegramChannel {
  private readonly options: TelegramOptions;
  private readonly engine: Engine;
  private readonly i18n: I18n;
  private readonly log: Logger;
  readonly bot: Bot;
  readonly sender: TelegramSender;
  /** The delivery path's client; grammY's `bot.api` serves every other call. */
  private readonly api: BotApiClient;
  private polling: Promise<void> | undefined;

  constructor(options: TelegramOptions, engine: Engine, i18n: I18n, log: Logger) {
    this.options = options;
    this.engine = engine;
    this.i18n = i18n;
    this.log = log;
    this.bot = new Bot(options.token, {
      client: { apiRoot: options.apiRoot },
      ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    });
    this.api = new BotApiClient(options.token, options.apiRoot);
    this.sender = new TelegramSender(this.api, new SendRateLimiter(options.sendLimits), options.sendTimeoutMs);
    this.bot.use((ctx) => this.onUpdate(ctx));
    // Only long polling reaches this handler (webhook errors answer 500 so Telegram
    // redelivers). Polling moves on past a failed update: use webhook mode in production.
    this.bot.catch((err) => {
      this.log.error({ err: err.error instanceof Error ? err.error.message : "unknown" }, "telegram update failed");
    });
  }

  get webhookMode(): boolean {
    return Boolean(this.options.publicUrl);
  }

  /** Long polling: the update runs through the engine, then its button's spinner is stopped. */
  private async onUpdate(ctx: Context): Promise<void> {
    // Webhook bodies were checked already; long polling's updates are checked here.
    const update = parseUpdate(ctx.update);
    if (!update) return this.log.warn("telegram update not readable: skipped");
    const callbackQueryId = await this.process(update);
    if (callbackQueryId) {
      // After the commit: stops the button's spinner. Losing this call loses nothing.
      this.bot.api.answerCallbackQuery(callbackQueryId).catch(() => {
        this.log.warn("answerCallbackQuery failed");
      });
    }
  }

  /** Runs one update through the engine (committed on return); the callback query to answer, if any. */
  private async process(update: Update): Promise<string | undefined> {
    const translated = fromTelegramUpdate(update);
    if (translated.kind === "ignored") return;
    if (translated.kind === "group") {
      if (translated.shouldAnswer) this.answerGroup(translated.chatId, translated.languageHint);
      return;
    }
    await this.engine.handle(translated.inbound);
    return translated.callbackQueryId;
  }

  private answerGroup(chatId: number, languageHint?: string): void {
    const t = this.i18n.getFixedT(supportedLanguage(languageHint) ?? FALLBACK_LANGUAGE);
    this.bot.api.sendMessage(chatId, t("common.privateOnly"), { disable_notification: true }).catch(() => {
      this.log.warn("group notice failed");
    });
  }

  /** Registers the webhook route (webhook mode only). */
  registerRoutes(app: FastifyInstance): void {
    if (!this.webhookMode) return;
    const secret = this.options.webhookSecret!;
    const securityEvent = securityEventLog(this.log);
    app.post(WEBHOOK_PATH, {
      onRequest: async (request, reply) => {
        if (!sameSecret(request.headers["x-telegram-bot-api-secret-token"], secret)) {
          securityEvent("webhook.telegram.bad_secret", request.ip);
          return reply.code(401).send({ error: "invalid_secret" });
        }
      },
      handler: async (request, reply) => {
        const update = parseUpdate(request.body);
        if (!update) return reply.code(400).send({ error: "not_an_update" });
        const callbackQueryId = await this.process(update);
        // Telegram runs a method given in the webhook's answer (no result comes back): the
        // button's spinner stops without a Bot API call of our own.
        if (callbackQueryId) return reply.code(200).send({ method: "answerCallbackQuery", callback_query_id: callbackQueryId });
        return reply.code(200).send({ ok: true });
      },
    });
  }

  /** Fetches the bot's identity (getMe); must finish before webhook updates are accepted. */
  init(): Promise<void> {
    return this.bot.init();
  }

  /** Registers the webhook with Telegram, or starts long polling. */
  async start(): Promise<void> {
    if (this.webhookMode) {
      await this.bot.api.setWebhook(`${this.options.publicUrl!.replace(/\/$/, "")}${WEBHOOK_PATH}`, {
        secret_token: this.options.webhookSecret!,
        allowed_updates: [...ALLOWED_UPDATES],
      });
      this.log.info({ mode: "webhook" }, "telegram ready");
    } else {
      this.polling = this.bot
        .start({ allowed_updates: [...ALLOWED_UPDATES], onStart: () => this.log.info({ mode: "polling" }, "telegram ready") })
        .catch((error: Error) => this.log.error({ err: error.message }, "telegram polling stopped"));
    }
  }

  /** Stops polling and waits for the update in progress, so its step commits before the store closes. */
  async stop(): Promise<void> {
    if (this.bot.isRunning()) await this.bot.stop();
    await this.polling;
  }

  /** Closes the delivery client's connections; after the deliverer has stopped. */
  close(): Promise<void> {
    return this.api.close();
  }
}
