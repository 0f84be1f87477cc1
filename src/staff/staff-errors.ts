// Failures the console API answers with a status code and a short machine-readable code.
export class StaffError extends Error {
  readonly statusCode: 400 | 401 | 403 | 404 | 409 | 429;
  readonly code: string;
  readonly extra: Record<string, unknown>;

  constructor(statusCode: 400 | 401 | 403 | 404 | 409 | 429, code: string, extra: Record<string, unknown> = {}) {
    super(code);
    this.statusCode = statusCode;
    this.code = code;
    this.extra = extra;
  }
}

export const notFound = () => new StaffError(404, "not_found");
export const forbidden = () => new StaffError(403, "forbidden");
export const conflict = (code = "conflict") => new StaffError(409, code);
