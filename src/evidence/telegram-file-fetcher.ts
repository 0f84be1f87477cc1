// Telegram: getFile turns the file_id into a file_path (and the size), then the file is
// downloaded from `${apiRoot}/file/bot<token>/<file_path>` (the link is valid for at least an
// hour, so each try asks again). Bots can download files of up to 20 MB.
import { z } from "zod";
import { readCapped } from "./capped-body.ts";
import { EvidenceFetchError, EvidenceTooLargeError, networkError, statusError } from "./fetch-errors.ts";
import type { FetchedFile, FileFetcher } from "./file-fetcher.ts";

const getFileAnswer = z.union([
  z.object({ ok: z.literal(true), result: z.object({ file_id: z.string(), file_size: z.number().int().optional(), file_path: z.string().optional() }) }),
  z.object({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string().default(""),
    parameters: z.object({ retry_after: z.number().optional() }).optional(),
  }),
]);

export interface TelegramFileFetcherOptions {
  apiRoot: string;
  token: string;
  timeoutMs: number;
}

export class TelegramFileFetcher implements FileFetcher {
  private readonly options: TelegramFileFetcherOptions;
  private readonly root: string;

  constructor(options: TelegramFileFetcherOptions) {
    this.options = options;
    this.root = options.apiRoot.replace(/\/$/, "");
  }

  async fetch(job: { ref: string; size: number | null }, maxBytes: number, stop?: AbortSignal): Promise<FetchedFile> {
    const signal = stop ? AbortSignal.any([stop, AbortSignal.timeout(this.options.timeoutMs)]) : AbortSignal.timeout(this.options.timeoutMs);
    if (job.size !== null && job.size > maxBytes) throw new EvidenceTooLargeError(job.size);
    const file = await this.getFile(job.ref, signal);
    if (file.file_size !== undefined && file.file_size > maxBytes) throw new EvidenceTooLargeError(file.file_size);
    if (!file.file_path) throw new EvidenceFetchError("getFile gave no file_path", true);
    const path = file.file_path.split("/").map(encodeURIComponent).join("/");
    let response: Response;
    try {
      response = await fetch(`${this.root}/file/bot${this.options.token}/${path}`, { signal });
    } catch (error) {
      throw networkError("Telegram file download", error);
    }
    // The link can expire (404): the next try asks getFile again.
    if (response.status === 404) throw new EvidenceFetchError("Telegram file download answered 404", true);
    if (!response.ok) throw statusError("Telegram file download", response.status);
    try {
      return { content: await readCapped(response, maxBytes), contentType: response.headers.get("content-type") };
    } catch (error) {
      if (error instanceof EvidenceTooLargeError) throw error;
      throw networkError("Telegram file download", error);
    }
  }

  private async getFile(fileId: string, signal: AbortSignal) {
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(`${this.root}/bot${this.options.token}/getFile`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ file_id: fileId }),
        signal,
      });
      body = await response.json();
    } catch (error) {
      throw networkError("Telegram getFile", error);
    }
    const answer = getFileAnswer.safeParse(body);
    if (!answer.success) throw statusError("Telegram getFile", response.ok ? 502 : response.status);
    if (answer.data.ok) return answer.data.result;
    const { error_code, description, parameters } = answer.data;
    if (/file is too big/i.test(description)) throw new EvidenceTooLargeError(null);
    throw statusError("Telegram getFile", error_code, parameters?.retry_after !== undefined ? parameters.retry_after * 1000 : undefined);
  }
}
