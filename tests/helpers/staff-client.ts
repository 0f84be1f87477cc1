// A staff console client over real HTTP: keeps the session cookie and sends the CSRF token,
// like the browser page does.
export class StaffClient {
  readonly base: string;
  private readonly headers: Record<string, string>;
  private cookie: string | undefined;
  csrf: string | undefined;
  /** The raw Set-Cookie header of the last sign-in. */
  setCookie: string | undefined;

  /** `headers`: sent with the sign-in too (e.g. X-Forwarded-For, as a proxy would add). */
  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  async login(email: string, password: string): Promise<Response> {
    const res = await fetch(`${this.base}/staff/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.headers },
      body: JSON.stringify({ email, password }),
    });
    if (res.ok) {
      this.setCookie = res.headers.get("set-cookie") ?? undefined;
      this.cookie = this.setCookie?.split(";")[0];
      this.csrf = ((await res.clone().json()) as { csrf: string }).csrf;
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return fetch(`${this.base}/staff/api${path}`, { headers: this.cookie ? { cookie: this.cookie } : {} });
  }

  /** POST JSON; `csrf: false` leaves the token out, a string sends that one instead. */
  post(path: string, body: unknown = {}, { csrf }: { csrf?: boolean | string } = {}): Promise<Response> {
    const token = typeof csrf === "string" ? csrf : csrf === false ? undefined : this.csrf;
    return fetch(`${this.base}/staff/api${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(token ? { "x-csrf-token": token } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  async json<T = Record<string, unknown>>(response: Promise<Response> | Response, status = 200): Promise<T> {
    const res = await response;
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}
