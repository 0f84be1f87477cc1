// LINE through @line/bot-sdk: POST /webhooks/line with the X-Line-Signature checked over
// the raw body. Events of one request run through the engine (one person's in order) and
// the request is answered 200 only after all of them are committed.
import { messagingApi, validateSignature, type webhook } from "@line/bot-sdk";
import type { FastifyInstance } from "fastify";
import type { i18n as I18n } from "i18next";
import type { Engine, Inbound } from "../../engine/engine.ts";
import { FALLBACK_LANGUAGE, supportedLanguage } from "../../i18n.ts";
import type { Logger } from "../../log.ts";
import { securityEventLog } from "../../http/security-events.ts";
import type { Store } from "../../store/store.ts";
import { fromLineEvent } from "./inbound.ts";
import { LineSender } from "./sender.ts";
import { parseWebhookBody } from "./webhook-schema.ts";

export interface LineOptions {
  channelSecret: string;
  channelAccessToken: string;
  apiBaseUrl: string;
}

export const LINE_WEBHOOK_PATH = "/webhooks/line";
const PROFILE_TIMEOUT_MS = 800;
const LOADING_SECONDS = 5;

export class LineChannel {
  private readonly options: LineOptions;
  private readonly engine: Engine;
  private readonly store: Store;
  private readonly i18n: I18n;
  private readonly log: Logger;
  readonly client: messagingApi.MessagingApiClient;
  readonly sender: LineSender;

  constructor(options: LineOptions, engine: Engine, store: Store, i18n: I18n, log: Logger) {
    this.options = options;
    this.engine = engine;
    this.store = store;
    this.i18n = i18n;
    this.log = log;
    this.client = new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: options.apiBaseUrl });
    this.sender = new LineSender(this.client);
  }

  registerRoutes(app: FastifyInstance): void {
    // The signature covers the exact bytes LINE sent, so this route keeps the body raw.
    const securityEvent = securityEventLog(this.log);
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
      scope.post(LINE_WEBHOOK_PATH, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const signature = request.headers["x-line-signature"];
        if (typeof signature !== "string" || !validateSignature(raw, this.options.channelSecret, signature)) {
          securityEvent("webhook.line.bad_signature", request.ip);
          return reply.code(401).send({ error: "invalid_signature" });
        }
        let json: unknown;
        try {
          json = JSON.parse(raw.toString("utf8"));
        } catch {
          return reply.code(400).send({ error: "not_json" });
        }
        const events = parseWebhookBody(json);
        if (!events) return reply.code(400).send({ error: "not_a_webhook_body" });
        await Promise.all(events.map((event) => this.onEvent(event)));
        return reply.code(200).send({ ok: true });
      });
    });
  }

  private async onEvent(event: webhook.Event): Promise<void> {
    const action = fromLineEvent(event);
    switch (action.kind) {
      case "ignored":
        return;
      case "group":
        if (action.replyToken) this.noticeGroup(action.replyToken);
        return;
      case "unfollow":
        await this.store.conversations.setContactActive("line", action.userId, false);
        return;
      case "unsend":
        await this.store.conversations.markUnsent("line", action.userId, action.messageId);
        return;
      case "step": {
        const inbound: Inbound = { ...action.inbound };
        if (event.type === "follow") await this.store.conversations.setContactActive("line", inbound.platformUserId, true);
        const hint = await this.languageHint(inbound.platformUserId);
        if (hint) inbound.languageHint = hint;
        // Shown until the reply arrives (or 5 s): requested before the step, so it reaches
        // LINE before the reply the outbox sends after the commit.
        if (event.type === "message" || event.type === "postback") this.showLoading(inbound.chatId);
        await this.engine.handle(inbound);
        return;
      }
    }
  }

  /** The LINE profile's language, asked once for a person SafeLine does not know yet. */
  private async languageHint(userId: string): Promise<string | undefined> {
    if (await this.store.knownContact("line", userId)) return undefined;
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), PROFILE_TIMEOUT_MS).unref());
    const profile = this.client.getProfile(userId).then(
      (p) => p.language,
      () => undefined,
    );
    return Promise.race([profile, timeout]);
  }

  private showLoading(chatId: string): void {
    this.client.showLoadingAnimation({ chatId, loadingSeconds: LOADING_SECONDS }).catch(() => {
      this.log.debug("loading animation not shown");
    });
  }

  private noticeGroup(replyToken: string): void {
    const t = this.i18n.getFixedT(supportedLanguage(undefined) ?? FALLBACK_LANGUAGE);
    this.client
      .replyMessage({ replyToken, messages: [{ type: "text", text: t("common.privateOnly") }], notificationDisabled: true })
      .catch(() => this.log.warn("group notice failed"));
  }
}
