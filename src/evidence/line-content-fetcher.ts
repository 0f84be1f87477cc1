// LINE: the content of a photo, video, audio or file message, from the data API
// (GET https://api-data.line.me/v2/bot/message/{messageId}/content with the channel access
// token). A video or audio still being prepared answers 202: tried again later. LINE keeps
// content only for a limited time, so it is fetched as soon as the message is stored.
import { readCapped } from "./capped-body.ts";
import { EvidenceFetchError, EvidenceTooLargeError, networkError, statusError } from "./fetch-errors.ts";
import type { FetchedFile, FileFetcher } from "./file-fetcher.ts";

export interface LineContentFetcherOptions {
  dataApiBaseUrl: string;
  channelAccessToken: string;
  timeoutMs: number;
}

export class LineContentFetcher implements FileFetcher {
  private readonly options: LineContentFetcherOptions;
  private readonly root: string;

  constructor(options: LineContentFetcherOptions) {
    this.options = options;
    this.root = options.dataApiBaseUrl.replace(/\/$/, "");
  }

  async fetch(job: { ref: string; size: number | null }, maxBytes: number, stop?: AbortSignal): Promise<FetchedFile> {
    const signal = stop ? AbortSignal.any([stop, AbortSignal.timeout(this.options.timeoutMs)]) : AbortSignal.timeout(this.options.timeoutMs);
    if (job.size !== null && job.size > maxBytes) throw new EvidenceTooLargeError(job.size);
    let response: Response;
    try {
      response = await fetch(`${this.root}/v2/bot/message/${encodeURIComponent(job.ref)}/content`, {
        headers: { authorization: `Bearer ${this.options.channelAccessToken}` },
        signal,
      });
    } catch (error) {
      throw networkError("LINE content", error);
    }
    if (response.status === 202) {
      await response.body?.cancel().catch(() => {});
      throw new EvidenceFetchError("LINE content is still being prepared", true);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const retryAfter = Number(response.headers.get("retry-after") ?? NaN);
      throw statusError("LINE content", response.status, Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
    }
    try {
      return { content: await readCapped(response, maxBytes), contentType: response.headers.get("content-type") };
    } catch (error) {
      if (error instanceof EvidenceTooLargeError) throw error;
      throw networkError("LINE content", error);
    }
  }
}
