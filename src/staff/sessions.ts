// Console sign-in: password check with a throttle per (e-mail, address) and a lockout,
// session cookies (only a hash of the token is stored), and the CSRF token every
// state-changing request must echo in a header.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../store/store.ts";
import type { StaffAccount } from "../store/staff-types.ts";
import { dummyHash, verifyPassword } from "./password.ts";
import { LoginThrottle } from "./login-throttle.ts";
import type { SecurityAudit } from "./security-audit.ts";
import { StaffError } from "./staff-errors.ts";

export const SESSION_COOKIE = "safeline_staff";
export const CSRF_HEADER = "x-csrf-token";

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** Wrong passwords in a row, from any address, that lock the account (a sustained attack). */
  lockAfterFailures: number;
  lockMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 2 * 60 * 60 * 1000,
  absoluteMs: 12 * 60 * 60 * 1000,
  lockAfterFailures: 50,
  lockMs: 15 * 60 * 1000,
};

const token = () => randomBytes(32).toString("base64url");
const sessionIdOf = (cookieToken: string) => createHash("sha256").update(cookieToken).digest("hex");

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Signedin {
  account: StaffAccount;
  csrf: string;
  sessionId: string;
}

export class Sessions {
  private readonly store: Store;
  private readonly secureCookie: boolean;
  private readonly security: SecurityAudit;
  private readonly policy: SessionPolicy;
  private readonly throttle: LoginThrottle;

  constructor(store: Store, secureCookie: boolean, security: SecurityAudit, policy: SessionPolicy = DEFAULT_SESSION_POLICY, throttle = new LoginThrottle()) {
    this.store = store;
    this.secureCookie = secureCookie;
    this.security = security;
    this.policy = policy;
    this.throttle = throttle;
  }

  /**
   * Known and unknown e-mails get the same answers: 401 `invalid` for a wrong password (or a
   * locked or disabled account), 429 `rate_limited` once this e-mail has failed too often
   * from this address (LoginThrottle). Failures from anywhere also count on the account: after
   * `lockAfterFailures` in a row it is locked for `lockMs`, which admins see and can lift.
   */
  async login(email: string, password: string, address: string, reply: FastifyReply): Promise<{ account: StaffAccount; csrf: string }> {
    const waitMs = this.throttle.waitMs(email, address);
    if (waitMs > 0) {
      await this.security.record("login.throttled", address);
      throw new StaffError(429, "rate_limited", { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    }
    const now = new Date();
    const found = await this.store.staff.credentials(email);
    const ok = await verifyPassword(password, found?.passwordHash ?? (await dummyHash()));
    const locked = Boolean(found?.lockedUntil && found.lockedUntil > now);
    if (!found || !ok || !found.active || locked) {
      this.throttle.failed(email, address);
      if (!found) await this.security.record("login.unknown", address);
      else if (locked) await this.security.record("login.locked", address, { id: found.id, email: found.email });
      else if (found.active) {
        const lockedUntil = await this.store.staff.loginFailed(found.id, this.policy.lockAfterFailures, this.policy.lockMs, now);
        await this.store.staff.audit({ actor: { id: found.id, email: found.email }, action: "login.failed", ...(lockedUntil ? { detail: { locked: true } } : {}) });
      }
      throw new StaffError(401, "invalid");
    }
    this.throttle.succeeded(email, address);
    const cookieToken = token();
    const csrf = token();
    const { passwordHash: _, failedLogins: __, ...account } = found;
    await this.store.staff.createSession(
      { id: sessionIdOf(cookieToken), accountId: account.id, csrfToken: csrf, expiresAt: new Date(now.getTime() + this.policy.absoluteMs) },
      { actor: { id: account.id, email: account.email }, action: "login" },
    );
    reply.setCookie(SESSION_COOKIE, cookieToken, { ...this.cookieFlags(), maxAge: Math.floor(this.policy.absoluteMs / 1000) });
    return { account: { ...account, lockedUntil: null }, csrf };
  }

  /** Ends the session; returns its id (undefined when there was none). */
  async logout(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const signedin = await this.current(request);
    if (signedin) await this.store.staff.deleteSession(signedin.sessionId, { actor: { id: signedin.account.id, email: signedin.account.email }, action: "logout" });
    reply.clearCookie(SESSION_COOKIE, this.cookieFlags());
    return signedin?.sessionId;
  }

  private cookieFlags() {
    return { path: "/staff", httpOnly: true, sameSite: "strict", secure: this.secureCookie } as const;
  }

  /** The signed-in account; for state-changing requests also checks the CSRF header. */
  async require(request: FastifyRequest, { csrf }: { csrf: boolean }): Promise<Signedin> {
    const signedin = await this.current(request);
    if (!signedin) throw new StaffError(401, "unauthenticated");
    if (csrf) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || !sameToken(sent, signedin.csrf)) throw new StaffError(403, "csrf");
    }
    return signedin;
  }

  async current(request: FastifyRequest): Promise<Signedin | null> {
    const cookieToken = request.cookies[SESSION_COOKIE];
    if (!cookieToken) return null;
    const now = new Date();
    const sessionId = sessionIdOf(cookieToken);
    const found = await this.store.staff.session(sessionId, now, new Date(now.getTime() - this.policy.idleMs));
    return found && { account: found.account, csrf: found.csrfToken, sessionId };
  }
}
