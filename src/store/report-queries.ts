// The Reports view as the database answers it. Only reports the person agreed to share
// (every family report, self-reports with consent) are ever read here: a report saved
// without consent does not exist for staff. Most urgent first, then newest, in keyset pages.
import type { Db, Prisma } from "./prisma.ts";
import { riskRank } from "./risk-rank.ts";
import type { SealedFields } from "./sealed-fields.ts";
import { keysetPage } from "./keyset-page.ts";
import type { HandoffStatus, KeysetCursor, Page, ReportFilter, ReportListRow, ReportRow } from "./staff-types.ts";
import type { Channel } from "./types.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;

const reportSelect = {
  id: true,
  code: true,
  kind: true,
  risk: true,
  riskRank: true,
  createdAt: true,
  conversationId: true,
  conversation: {
    select: {
      channel: true,
      language: true,
      contact: { select: { language: true } },
      handoffs: {
        where: { status: { not: "erased" } },
        orderBy: { createdAt: "desc" },
        take: 1,
        select: { id: true, status: true, assignee: { select: { id: true, email: true } } },
      },
    },
  },
} as const satisfies Prisma.ReportSelect;

type ReportSelected = Prisma.ReportGetPayload<{ select: typeof reportSelect }>;

function toListRow(row: ReportSelected): ReportListRow {
  const c = row.conversation;
  const handoff = c.handoffs[0];
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    risk: row.risk,
    riskRank: row.riskRank,
    createdAt: row.createdAt,
    conversationId: row.conversationId,
    channel: c.channel as Channel,
    language: c.language ?? c.contact.language,
    handoff: handoff ? { id: handoff.id, status: handoff.status as HandoffStatus, assignee: handoff.assignee } : null,
  };
}

/** Agents do not see reports of conversations another account has (or had) taken. */
const visibleTo = (accountId: string): Prisma.ReportWhereInput => ({
  conversation: { handoffs: { none: { AND: [{ assigneeId: { not: null } }, { NOT: { assigneeId: accountId } }] } } },
});

function filterWhere(filter: ReportFilter): Prisma.ReportWhereInput {
  return {
    consent: true,
    ...(filter.risk ? { riskRank: riskRank(filter.risk === "none" ? null : filter.risk) } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.code ? { code: filter.code } : {}),
    ...(filter.visibleTo ? visibleTo(filter.visibleTo) : {}),
  };
}

/** Rows after `cursor` in the order riskRank ascending, then createdAt and id descending (newest first). */
function after(cursor: KeysetCursor): Prisma.ReportWhereInput {
  return {
    OR: [
      { riskRank: { gt: cursor.rank } },
      { riskRank: cursor.rank, createdAt: { lt: cursor.at } },
      { riskRank: cursor.rank, createdAt: cursor.at, id: { lt: cursor.id } },
    ],
  };
}

export async function reportPage(db: Db, run: Run, filter: ReportFilter, from: KeysetCursor | undefined, limit: number): Promise<Page<ReportListRow>> {
  const rows = await run(() =>
    db.report.findMany({
      where: from ? { AND: [filterWhere(filter), after(from)] } : filterWhere(filter),
      orderBy: [{ riskRank: "asc" }, { createdAt: "desc" }, { id: "desc" }],
      take: limit + 1,
      select: reportSelect,
    }),
  );
  return keysetPage(rows, limit, toListRow);
}

/**
 * One shared report with its answers, if it exists; `visible` says whether `filter` (the
 * viewer's visibility) allows it, so "not allowed" and "not found" stay apart.
 */
export async function sharedReport(
  db: Db,
  run: Run,
  fields: SealedFields,
  id: string,
  filter: Pick<ReportFilter, "visibleTo">,
): Promise<{ summary: ReportListRow; report: ReportRow; visible: boolean } | null> {
  const [row, visible] = await run(() =>
    Promise.all([
      db.report.findFirst({ where: { id, consent: true }, select: { ...reportSelect, answers: true, consent: true } }),
      filter.visibleTo ? db.report.count({ where: { id, ...filterWhere(filter) } }) : Promise.resolve(1),
    ]),
  );
  if (!row) return null;
  return {
    summary: toListRow(row),
    report: { code: row.code, kind: row.kind, consent: row.consent, risk: row.risk, answers: fields.openAnswers(row.answers), createdAt: row.createdAt },
    visible: visible > 0,
  };
}
