// Exponential backoff with jitter; a platform's own retry-after wins when it is longer.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function nextDelayMs(attempt: number, { baseMs, maxMs }: BackoffOptions, retryAfterMs = 0, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + (exponential / 2) * random();
  return Math.max(Math.round(jittered), retryAfterMs);
}
