// How a channel sender reports a failed send to the deliverer.
export class DeliveryError extends Error {
  /** Worth trying again later (rate limit, server error, network). */
  readonly retryable: boolean;
  /** Wait at least this long before the next try (e.g. Telegram retry_after). */
  readonly retryAfterMs?: number;
  /**
   * The platform's rate limit refused the send, not the message: it goes back to the outbox
   * as it was, not counted as an attempt, and the sender holds the chat (its `readyIn`)
   * until the platform's wait is over.
   */
  readonly rateLimited: boolean;

  constructor(message: string, retryable: boolean, retryAfterMs?: number, rateLimited = false) {
    super(message);
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
    this.rateLimited = rateLimited;
    this.name = "DeliveryError";
  }
}
