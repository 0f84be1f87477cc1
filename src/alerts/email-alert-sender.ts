// Sends staff alerts by e-mail over SMTP (SMTP_URL) to STAFF_ALERT_EMAILS, with nodemailer.
// A 5xx answer from the server is final; anything else (4xx, network) is tried again.
import { createTransport } from "nodemailer";
import { DeliveryError } from "../outbox/delivery-error.ts";
import type { AlertText } from "./alert-text.ts";
import type { AlertSender } from "./telegram-alert-sender.ts";

export class EmailAlertSender implements AlertSender {
  private readonly options: { smtpUrl: string; from: string; to: string[]; timeoutMs: number };
  private readonly transport;

  constructor(options: { smtpUrl: string; from: string; to: string[]; timeoutMs: number }) {
    this.options = options;
    const { smtpUrl: url, timeoutMs } = options;
    this.transport = createTransport({ url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  }

  async send(alert: AlertText): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: this.options.to,
        subject: alert.subject,
        text: alert.text,
        // Keep the mail small and plain: no tracking, no HTML.
        disableUrlAccess: true,
        disableFileAccess: true,
      });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      throw new DeliveryError(`email alert: ${code ? `SMTP ${code}` : ((error as { code?: string }).code ?? "error")}`, !(code !== undefined && code >= 500));
    }
  }

  close(): void {
    this.transport.close();
  }
}
