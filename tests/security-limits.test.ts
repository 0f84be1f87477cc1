// The in-memory limits behind the security fixes, on a fake clock: the sign-in throttle's
// doubling waits, the security events' counting, the test chat's per-address buckets.
import { describe, expect, it } from "vitest";
import { WebChatLimiter } from "../src/channels/web/web-chat-limiter.ts";
import { SecurityEvents } from "../src/http/security-events.ts";
import { LoginThrottle } from "../src/staff/login-throttle.ts";

const clock = () => {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

describe("sign-in throttle", () => {
  it("lets 5 failures pass, then doubles the wait from 30 s up to 15 min, per e-mail and address", () => {
    const time = clock();
    const throttle = new LoginThrottle(undefined, time.now);
    for (let i = 0; i < 4; i++) throttle.failed("a@example.org", "192.0.2.1");
    expect(throttle.waitMs("a@example.org", "192.0.2.1")).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      throttle.failed("a@example.org", "192.0.2.1");
      waits.push(throttle.waitMs("a@example.org", "192.0.2.1") / 1000);
      time.advance(throttle.waitMs("a@example.org", "192.0.2.1"));
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    throttle.failed("a@example.org", "192.0.2.1");
    // Other addresses and other e-mails are not held up; a success clears the pair.
    expect(throttle.waitMs("a@example.org", "192.0.2.2")).toBe(0);
    expect(throttle.waitMs("b@example.org", "192.0.2.1")).toBe(0);
    throttle.succeeded("a@example.org", "192.0.2.1");
    expect(throttle.waitMs("a@example.org", "192.0.2.1")).toBe(0);
  });

  it("forgets a pair after an hour without failures", () => {
    const time = clock();
    const throttle = new LoginThrottle(undefined, time.now);
    for (let i = 0; i < 5; i++) throttle.failed("a@example.org", "192.0.2.1");
    time.advance(61 * 60_000);
    throttle.failed("a@example.org", "192.0.2.1");
    expect(throttle.waitMs("a@example.org", "192.0.2.1")).toBe(0);
  });
});

describe("security events", () => {
  it("records the first event per kind and address, and counts those held back in the next record", () => {
    const time = clock();
    const events = new SecurityEvents(60_000, time.now);
    const records: string[] = [];
    const report = (kind: string, address: string) => events.report(kind, address, (count) => records.push(`${kind} ${count}`));
    for (let i = 0; i < 4; i++) report("bad_secret", "192.0.2.1");
    report("bad_secret", "192.0.2.2");
    report("bad_signature", "192.0.2.1");
    time.advance(60_000);
    report("bad_secret", "192.0.2.1");
    expect(records).toEqual(["bad_secret 1", "bad_secret 1", "bad_signature 1", "bad_secret 4"]);
  });
});

describe("test chat limiter", () => {
  it("refills per address over time and says how long to wait", () => {
    const time = clock();
    const one = { burst: 1, perSecond: 0.1 };
    const limiter = new WebChatLimiter({ sessionsPerAddress: one, messagesPerAddress: { burst: 2, perSecond: 1 }, sessionsOverall: { burst: 10, perSecond: 1 }, messagesOverall: { burst: 10, perSecond: 1 } }, time.now);
    expect(limiter.admit("192.0.2.1", "session-1")).toEqual({ ok: true });
    expect(limiter.admit("192.0.2.1", "session-2")).toEqual({ ok: false, limit: "sessions", retryAfterSeconds: 10 });
    expect(limiter.admit("192.0.2.1", "session-1")).toEqual({ ok: true });
    expect(limiter.admit("192.0.2.1", "session-1")).toEqual({ ok: false, limit: "messages", retryAfterSeconds: 1 });
    time.advance(10_000);
    expect(limiter.admit("192.0.2.1", "session-2")).toEqual({ ok: true });
  });
});
