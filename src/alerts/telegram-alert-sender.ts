// Posts staff alerts to a Telegram chat of on-call staff (STAFF_ALERT_TELEGRAM_CHAT_ID) through
// the bot's own token. Failures say whether trying again could help (429, 5xx, network).
import { DeliveryError } from "../outbox/delivery-error.ts";
import type { AlertText } from "./alert-text.ts";

export interface AlertSender {
  send(alert: AlertText): Promise<void>;
  /** Lets go of connections (at shutdown). */
  close?(): void;
}

export class TelegramAlertSender implements AlertSender {
  private readonly options: { apiRoot: string; token: string; chatId: string; timeoutMs: number };

  constructor(options: { apiRoot: string; token: string; chatId: string; timeoutMs: number }) {
    this.options = options;
  }

  async send(alert: AlertText): Promise<void> {
    const { apiRoot, token, chatId, timeoutMs } = this.options;
    let res: Response;
    try {
      res = await fetch(`${apiRoot.replace(/\/$/, "")}/bot${token}/sendMessage`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // Not silent: unlike messages to people, an alert is meant to wake someone.
        body: JSON.stringify({ chat_id: chatId, text: alert.text, link_preview_options: { is_disabled: true } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DeliveryError(`telegram alert: ${(error as Error).name}`, true);
    }
    if (res.ok) return;
    const body = (await res.json().catch(() => ({}))) as { parameters?: { retry_after?: number } };
    const retryAfter = body.parameters?.retry_after;
    throw new DeliveryError(`telegram alert: HTTP ${res.status}`, res.status === 429 || res.status >= 500, retryAfter ? retryAfter * 1000 : undefined);
  }
}
