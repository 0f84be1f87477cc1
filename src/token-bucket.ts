// A token bucket: up to `burst` events at once, then `perSecond` on average. Time is passed
// in (milliseconds), so callers and tests decide the clock.
export interface BucketLimits {
  burst: number;
  perSecond: number;
}

export class TokenBucket {
  private readonly limits: BucketLimits;
  private tokens: number;
  private at: number;

  constructor(limits: BucketLimits, now: number) {
    this.limits = limits;
    this.tokens = limits.burst;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.at) * this.limits.perSecond) / 1000);
      this.at = now;
    }
  }

  /** Milliseconds until one token is available (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.limits.perSecond);
  }

  /** Takes a token if one is available. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Back to a full burst: nothing to remember about it. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limits.burst;
  }
}
