// What a platform's file fetcher does: fetch one file a person sent, within a size limit.
import type { EvidenceJob } from "../store/evidence-store.ts";

export interface FetchedFile {
  content: Buffer;
  /** The type the platform served it with, if any. */
  contentType: string | null;
}

export interface FileFetcher {
  /**
   * Throws EvidenceTooLargeError over `maxBytes`, EvidenceFetchError for other failures
   * (also when `signal` aborts it: the server is stopping).
   */
  fetch(job: Pick<EvidenceJob, "ref" | "size">, maxBytes: number, signal?: AbortSignal): Promise<FetchedFile>;
}
