// Reads a response body up to a size limit: a file larger than the limit is refused as soon as
// it is known to be (Content-Length, or while reading), never held in memory whole.
import { EvidenceTooLargeError } from "./fetch-errors.ts";

export async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new EvidenceTooLargeError(declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new EvidenceTooLargeError(Number.isFinite(declared) ? declared : null);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}
