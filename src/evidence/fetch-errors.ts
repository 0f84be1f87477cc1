// How a file fetcher reports what went wrong, so the evidence fetcher knows what to do next.

/** A fetch that failed: worth trying again later (server error, rate limit, network), or not. */
export class EvidenceFetchError extends Error {
  readonly retryable: boolean;
  /** Wait at least this long before the next try (Telegram retry_after, LINE Retry-After). */
  readonly retryAfterMs?: number;

  constructor(message: string, retryable: boolean, retryAfterMs?: number) {
    super(message);
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
    this.name = "EvidenceFetchError";
  }
}

/** The file is over the configured maximum: recorded as too large, not fetched (further). */
export class EvidenceTooLargeError extends Error {
  readonly size: number | null;

  constructor(size: number | null) {
    super("file over EVIDENCE_MAX_BYTES");
    this.size = size;
    this.name = "EvidenceTooLargeError";
  }
}

/** A response status as a fetch error: rate limits, server errors and timeouts are retried; other refusals are final. */
export function statusError(what: string, status: number, retryAfterMs?: number): EvidenceFetchError {
  const retryable = status === 408 || status === 429 || status >= 500;
  return new EvidenceFetchError(`${what} answered ${status}`, retryable, retryAfterMs);
}

/** A network failure (refused, reset, timed out, or cut short because the server stops): retried. */
export function networkError(what: string, error: unknown): EvidenceFetchError {
  const name = (error as Error).name;
  return new EvidenceFetchError(`${what}: ${name === "TimeoutError" ? "timed out" : name === "AbortError" ? "stopped" : "network error"}`, true);
}
