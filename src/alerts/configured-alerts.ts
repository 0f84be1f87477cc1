// Staff alerts as the configuration asks for them: a staff Telegram chat, e-mail, both, or
// none (then no alert job runs at all).
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { AlertTarget } from "../store/alert-store.ts";
import type { Store } from "../store/store.ts";
import { EmailAlertSender } from "./email-alert-sender.ts";
import { StaffAlerts, type StaffAlertsOptions } from "./staff-alerts.ts";
import { TelegramAlertSender, type AlertSender } from "./telegram-alert-sender.ts";

const SEND_TIMEOUT_MS = 15_000;

export function configuredAlerts(config: Config, store: Store, log: Logger, options: Partial<StaffAlertsOptions> = {}): StaffAlerts | undefined {
  const senders: Partial<Record<AlertTarget, AlertSender>> = {};
  if (config.STAFF_ALERT_TELEGRAM_CHAT_ID && config.TELEGRAM_BOT_TOKEN) {
    senders.telegram = new TelegramAlertSender({ apiRoot: config.TELEGRAM_API_ROOT, token: config.TELEGRAM_BOT_TOKEN, chatId: config.STAFF_ALERT_TELEGRAM_CHAT_ID, timeoutMs: SEND_TIMEOUT_MS });
  }
  if (config.SMTP_URL && config.STAFF_ALERT_EMAILS.length > 0) {
    senders.email = new EmailAlertSender({ smtpUrl: config.SMTP_URL, from: config.STAFF_ALERT_EMAIL_FROM, to: config.STAFF_ALERT_EMAILS, timeoutMs: SEND_TIMEOUT_MS });
  }
  if (Object.keys(senders).length === 0) return undefined;
  const base = config.PUBLIC_URL ?? `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  return new StaffAlerts(store.alerts, senders, log, {
    consoleUrl: `${base.replace(/\/$/, "")}/staff`,
    repeatMs: config.STAFF_ALERT_REPEAT_MINUTES * 60_000,
    leaseMs: config.OUTBOX_LEASE_SECONDS * 1000,
    ...options,
  });
}
