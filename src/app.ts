// Wires SafeLine together: store -> engine -> outbox -> channels -> HTTP server.
import type { FastifyInstance } from "fastify";
import type { UserFromGetMe } from "grammy/types";
import { registerWebChat, webSender } from "./channels/web/web-channel.ts";
import { WebChatLimiter, type WebChatLimits } from "./channels/web/web-chat-limiter.ts";
import { TelegramChannel } from "./channels/telegram/telegram-channel.ts";
import { LineChannel } from "./channels/line/line-channel.ts";
import type { Config } from "./config.ts";
import { Engine } from "./engine/engine.ts";
import type { DeciderOptions } from "./engine/decider.ts";
import { InboundLimiter } from "./engine/inbound-limiter.ts";
import { parseStaffHours } from "./engine/staff-hours.ts";
import { createI18n } from "./i18n.ts";
import { createLogger, type Logger } from "./log.ts";
import { configuredAlerts } from "./alerts/configured-alerts.ts";
import type { StaffAlerts, StaffAlertsOptions } from "./alerts/staff-alerts.ts";
import { configuredEvidence } from "./evidence/configured-evidence.ts";
import type { EvidenceFetcher, EvidenceFetcherOptions } from "./evidence/evidence-fetcher.ts";
import { Deliverer, type ChannelSender, type DelivererOptions } from "./outbox/deliverer.ts";
import { PurgeJob, type PurgeJobOptions } from "./retention/purge-job.ts";
import { AutoClearJob, type AutoClearJobOptions } from "./auto-clear/auto-clear-job.ts";
import { createServer } from "./http/server.ts";
import { releaseConnectionsOnClose } from "./http/connection-drain.ts";
import { migrate } from "./store/migrate.ts";
import { Store, type Channel } from "./store/store.ts";
import { ChangeFeed } from "./staff/change-feed.ts";
import { Sessions, type SessionPolicy } from "./staff/sessions.ts";
import { SecurityAudit } from "./staff/security-audit.ts";
import { registerStaffConsole } from "./staff/staff-routes.ts";
import { StaffService } from "./staff/staff-service.ts";

export interface AppOptions {
  logger?: Logger;
  delivery?: Partial<DelivererOptions>;
  /** Skip outbox delivery (tests that simulate a crash between commit and send). */
  deliver?: boolean;
  telegramBotInfo?: UserFromGetMe;
  /** Staff console session and lockout timing (tests shorten them). */
  staffSessions?: SessionPolicy;
  staffLoginRateLimit?: { max: number; timeWindowMs: number };
  /** Test chat limits per client address and overall (tests that post a lot loosen them). */
  webChatLimits?: WebChatLimits;
  /** Auto-clear checks (tests pass a clock). */
  autoClear?: AutoClearJobOptions;
  /** Retention purge schedule and batch size (tests use small batches). */
  retention?: Pick<PurgeJobOptions, "intervalMs" | "batchSize">;
  /** Staff alert timing (tests poll faster and use short backoff). */
  alerts?: Partial<StaffAlertsOptions>;
  /** The per-person inbound limit's clock (tests move it on instead of waiting out a cooldown). */
  inboundClock?: () => number;
  /** Evidence fetching timing (tests poll faster and use short backoff). */
  evidence?: Partial<EvidenceFetcherOptions>;
}

export interface App {
  server: FastifyInstance;
  store: Store;
  staff: StaffService;
  engine: Engine;
  deliverer: Deliverer;
  telegram?: TelegramChannel;
  line?: LineChannel;
  /** Clears chats whose auto-clear is due. */
  autoClear: AutoClearJob;
  /** The retention purge (RETENTION_DAYS); absent when retention is off. */
  retention?: PurgeJob;
  /** Alerts to on-call staff (STAFF_ALERT_TELEGRAM_CHAT_ID, SMTP_URL); absent when none is configured. */
  alerts?: StaffAlerts;
  /** Fetches the photos and files people send (Telegram, LINE); absent when neither is on. */
  evidence?: EvidenceFetcher;
  /** Listens on config HOST:PORT and starts channels and delivery; returns the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.LOG_LEVEL);
  await migrate(config.DATABASE_URL);
  const staffHours = config.STAFF_HOURS ? parseStaffHours(config.STAFF_HOURS) : undefined;
  const decider: DeciderOptions = {
    ...(staffHours ? { staffHours } : {}),
    deletingChannels: new Set<Channel>(["telegram"]),
    receiptIntervalMs: config.HANDOFF_RECEIPT_MINUTES * 60_000,
  };
  const store = await Store.open(config.DATABASE_URL, { keys: config.dataKeys, decider, log });
  const i18n = await createI18n();
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  let wake = () => {};
  let wakeEvidence = () => {};
  const feed = new ChangeFeed(() => store.staff.changeMark());
  const engine = new Engine(store, log, {
    onCommitted: (outboundCount, withAttachment) => {
      if (outboundCount > 0) wake();
      if (withAttachment) wakeEvidence();
      feed.notify();
    },
    inboundLimiter: new InboundLimiter({
      burst: config.INBOUND_BURST,
      perSecond: config.INBOUND_PER_SECOND,
      noticeCooldownMs: config.INBOUND_NOTICE_COOLDOWN_SECONDS * 1000,
    }, options.inboundClock),
  });
  const server = createServer(store, log, config.TRUST_PROXY);
  releaseConnectionsOnClose(server);
  const staff = new StaffService(store, engine, i18n, () => feed.notify());
  const security = new SecurityAudit(store, log);
  await registerStaffConsole(server, {
    service: staff,
    sessions: new Sessions(store, Boolean(config.PUBLIC_URL), security, options.staffSessions),
    security,
    feed,
    log,
    https: Boolean(config.PUBLIC_URL),
    ...(config.PUBLIC_URL ? { publicOrigin: new URL(config.PUBLIC_URL).origin } : {}),
    ...(options.staffLoginRateLimit ? { loginRateLimit: options.staffLoginRateLimit } : {}),
  });

  let telegram: TelegramChannel | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = new TelegramChannel(
      {
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        sendLimits: {
          perSecond: config.TELEGRAM_SENDS_PER_SECOND,
          chat: { burst: config.TELEGRAM_CHAT_BURST, perSecond: config.TELEGRAM_CHAT_SENDS_PER_SECOND },
        },
        ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
        ...(config.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET } : {}),
        ...(options.telegramBotInfo ? { botInfo: options.telegramBotInfo } : {}),
      },
      engine,
      i18n,
      log,
    );
    telegram.registerRoutes(server);
    senders.telegram = telegram.sender;
  }
  let line: LineChannel | undefined;
  if (config.LINE_CHANNEL_SECRET && config.LINE_CHANNEL_ACCESS_TOKEN) {
    line = new LineChannel(
      { channelSecret: config.LINE_CHANNEL_SECRET, channelAccessToken: config.LINE_CHANNEL_ACCESS_TOKEN, apiBaseUrl: config.LINE_API_BASE_URL },
      engine,
      store,
      i18n,
      log,
    );
    line.registerRoutes(server);
    senders.line = line.sender;
  }
  if (config.webChatEnabled) {
    registerWebChat(server, engine, store, i18n, new WebChatLimiter(options.webChatLimits));
    senders.web = webSender;
  }
  const deliverer = new Deliverer(store, senders, log, {
    leaseMs: config.OUTBOX_LEASE_SECONDS * 1000,
    heartbeatTimeoutMs: config.OUTBOX_HEARTBEAT_TIMEOUT_SECONDS * 1000,
    // One process serves a SQLite file: whatever an earlier process left claimed is released at start.
    takeOverAll: store.provider === "sqlite",
    onDelivered: () => feed.notify(),
    ...options.delivery,
  });
  wake = () => deliverer.wake();
  const retention =
    config.RETENTION_DAYS > 0
      ? new PurgeJob(store, log, { days: config.RETENTION_DAYS, onPurged: () => feed.notify(), ...options.retention })
      : undefined;

  const alerts = configuredAlerts(config, store, log, options.alerts);
  const evidence = configuredEvidence(config, store, log, options.evidence, () => feed.notify());
  if (evidence) wakeEvidence = () => evidence.wake();
  const autoClear = new AutoClearJob(store, log, {
    intervalMs: config.AUTO_CLEAR_CHECK_SECONDS * 1000,
    onCleared: () => {
      wake();
      feed.notify();
    },
    ...options.autoClear,
  });

  return {
    server,
    store,
    staff,
    engine,
    deliverer,
    autoClear,
    ...(alerts ? { alerts } : {}),
    ...(evidence ? { evidence } : {}),
    ...(telegram ? { telegram } : {}),
    ...(line ? { line } : {}),
    ...(retention ? { retention } : {}),
    async start() {
      await telegram?.init();
      const address = await server.listen({ port: config.PORT, host: config.HOST });
      if (options.deliver !== false) deliverer.start();
      await telegram?.start();
      retention?.start();
      alerts?.start();
      evidence?.start();
      autoClear.start();
      return address;
    },
    /**
     * Graceful stop: no new update is taken (new requests get 503 or a refused connection),
     * requests in flight finish with their steps committed, sends under way finish and are
     * recorded; replies not sent yet stay in the outbox for the next start (or another instance).
     */
    async stop() {
      await telegram?.stop();
      feed.stop();
      await Promise.all([server.close(), deliverer.stop()]);
      await telegram?.close();
      await retention?.stop();
      await alerts?.stop();
      await evidence?.stop();
      await autoClear.stop();
      await store.close();
    },
  };
}
