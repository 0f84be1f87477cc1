// Sign-in throttle per (e-mail, client address), the same for known and unknown e-mails, so
// it tells nobody which accounts exist and a stranger's wrong passwords slow down only the
// stranger. After `freeFailures` wrong tries that pair waits `baseDelayMs`, doubling with
// each further failure up to `maxDelayMs`; a success or `forgetMs` without failures clears
// it. Kept in memory per process (a restart forgets it); the account lock after many
// failures from anywhere (Sessions) is kept in the database.
export interface LoginThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};

const MAX_ENTRIES = 100_000;

interface Entry {
  failures: number;
  lastAt: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly policy: LoginThrottlePolicy;
  private readonly clock: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE, clock: () => number = Date.now) {
    this.policy = policy;
    this.clock = clock;
  }

  /** Milliseconds this pair must still wait before its next try (0: it may try now). */
  waitMs(email: string, address: string): number {
    const entry = this.current(email, address);
    return entry ? Math.max(0, entry.blockedUntil - this.clock()) : 0;
  }

  failed(email: string, address: string): void {
    const now = this.clock();
    const key = keyOf(email, address);
    const entry = this.current(email, address) ?? { failures: 0, lastAt: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastAt = now;
    const over = entry.failures - this.policy.freeFailures;
    if (over >= 0) entry.blockedUntil = now + Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.min(over, 30));
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }

  succeeded(email: string, address: string): void {
    this.entries.delete(keyOf(email, address));
  }

  private current(email: string, address: string): Entry | undefined {
    const key = keyOf(email, address);
    const entry = this.entries.get(key);
    if (entry && this.clock() - entry.lastAt > this.policy.forgetMs && this.clock() >= entry.blockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

const keyOf = (email: string, address: string) => `${address} ${email}`;
