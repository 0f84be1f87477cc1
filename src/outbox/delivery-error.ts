// How a channel sender reports a failed send to the deliverer.
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Worth trying again later (rate limit, server error, network). */
    readonly retryable: boolean,
    /** Wait at least this long before the next try (e.g. Telegram retry_after). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}
