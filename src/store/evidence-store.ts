// Photos and files people sent, as rows: the fetch queue (claims with a lease, retries,
// outcomes) and what staff may see of them. The row is written with the person's message
// (conversation-writes.ts); the fetcher (src/evidence) fills it in. Source reference, file name and
// content are sealed (sealed-fields.ts).
import type { Db } from "./prisma.ts";
import type { SealedFields } from "./sealed-fields.ts";
import type { AttachmentKind, Channel } from "./types.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;

export type EvidenceStatus = "pending" | "fetching" | "stored" | "failed" | "too_large";

/** A file claimed for fetching. */
export interface EvidenceJob {
  id: string;
  channel: Channel;
  kind: AttachmentKind;
  /** Telegram's file_id or LINE's message id. */
  ref: string;
  /** The size the platform announced, if it did. */
  size: number | null;
  contentType: string | null;
  /** Tries so far, this one included. */
  attempts: number;
}

/** What staff see of a file, without its content. */
export interface EvidenceInfo {
  id: string;
  messageId: number;
  kind: AttachmentKind;
  status: EvidenceStatus;
  size: number | null;
  contentType: string | null;
  fileName: string | null;
  attempts: number;
  fetchedAt: Date | null;
}

export interface EvidenceContent {
  id: string;
  kind: AttachmentKind;
  contentType: string;
  fileName: string | null;
  content: Buffer;
}

export type EvidenceOutcome =
  | { stored: { content: Buffer; contentType: string } }
  | { retryAt: Date; error: string }
  | { failed: string }
  | { tooLarge: number | null };

const infoFields = { id: true, messageId: true, kind: true, status: true, size: true, contentType: true, fileName: true, attempts: true, fetchedAt: true } as const;

export class EvidenceStore {
  private readonly db: Db;
  private readonly run: Run;
  private readonly fields: SealedFields;

  constructor(db: Db, run: Run, fields: SealedFields) {
    this.db = db;
    this.run = run;
    this.fields = fields;
  }

  /**
   * Claims up to `limit` files that are due for `holder`: pending ones whose time has come, and
   * ones left "fetching" by a process that stopped (their lease ran out). A claim holds for `leaseMs`.
   */
  async claimDue(now: Date, leaseMs: number, limit: number, holder: string): Promise<EvidenceJob[]> {
    const due = await this.run(() =>
      this.db.evidenceFile.findMany({
        where: { status: { in: ["pending", "fetching"] }, nextAttemptAt: { lte: now } },
        orderBy: { nextAttemptAt: "asc" },
        take: limit,
        select: { id: true, status: true, nextAttemptAt: true },
      }),
    );
    const claimed: string[] = [];
    for (const row of due) {
      // Only if nobody claimed it since it was read.
      const { count } = await this.run(() =>
        this.db.evidenceFile.updateMany({
          where: { id: row.id, status: row.status, nextAttemptAt: row.nextAttemptAt },
          data: { status: "fetching", nextAttemptAt: new Date(now.getTime() + leaseMs), attempts: { increment: 1 }, claimedBy: holder },
        }),
      );
      if (count === 1) claimed.push(row.id);
    }
    if (claimed.length === 0) return [];
    const rows = await this.run(() =>
      this.db.evidenceFile.findMany({
        where: { id: { in: claimed }, claimedBy: holder },
        select: { id: true, channel: true, kind: true, source: true, size: true, contentType: true, attempts: true },
      }),
    );
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel as Channel,
      kind: r.kind as AttachmentKind,
      ref: this.fields.openEvidenceSource(r.source),
      size: r.size,
      contentType: r.contentType,
      attempts: r.attempts,
    }));
  }

  /**
   * The outcome of a claimed fetch, recorded only while the claim is still `holder`'s (a file
   * erased meanwhile is gone, and stays gone). Answers whether it was recorded.
   */
  async settle(id: string, holder: string, outcome: EvidenceOutcome): Promise<boolean> {
    const data =
      "stored" in outcome
        ? {
            status: "stored",
            content: new Uint8Array(this.fields.evidenceContent(outcome.stored.content)),
            size: outcome.stored.content.length,
            contentType: outcome.stored.contentType,
            fetchedAt: new Date(),
            lastError: null,
          }
      : "retryAt" in outcome ? { status: "pending", nextAttemptAt: outcome.retryAt, lastError: outcome.error }
      : "failed" in outcome ? { status: "failed", lastError: outcome.failed }
      : { status: "too_large", ...(outcome.tooLarge !== null ? { size: outcome.tooLarge } : {}), lastError: null };
    const { count } = await this.run(() =>
      this.db.evidenceFile.updateMany({ where: { id, status: "fetching", claimedBy: holder }, data: { ...data, settledAt: new Date() } }),
    );
    return count === 1;
  }

  /** The files of a conversation, without content. */
  async ofConversation(conversationId: string): Promise<EvidenceInfo[]> {
    const rows = await this.run(() => this.db.evidenceFile.findMany({ where: { conversationId }, orderBy: { messageId: "asc" }, select: infoFields }));
    return rows.map((r) => ({ ...r, kind: r.kind as AttachmentKind, status: r.status as EvidenceStatus, fileName: this.fields.openEvidenceFileName(r.fileName) }));
  }

  /** A stored file of the conversation, opened; null when there is none (or not fetched yet). */
  async content(conversationId: string, id: string): Promise<EvidenceContent | null> {
    const row = await this.run(() =>
      this.db.evidenceFile.findFirst({
        where: { id, conversationId, status: "stored" },
        select: { id: true, kind: true, contentType: true, fileName: true, content: true },
      }),
    );
    if (!row?.content) return null;
    return {
      id: row.id,
      kind: row.kind as AttachmentKind,
      contentType: row.contentType ?? "application/octet-stream",
      fileName: this.fields.openEvidenceFileName(row.fileName),
      content: this.fields.openEvidenceContent(Buffer.from(row.content)),
    };
  }
}
