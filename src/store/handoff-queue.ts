// The staff queue as the database answers it: filters, the order (most urgent risk first,
// then longest waiting) and keyset pages all run in SQL, so no case can fall off the end of
// a fixed-size read. Counts per status and per risk come from one grouped query.
import type { Db, Prisma } from "./prisma.ts";
import { RISK_LEVELS, riskRank, UNRANKED } from "./risk-rank.ts";
import { keysetPage } from "./keyset-page.ts";
import type { HandoffCounts, HandoffFilter, HandoffRow, HandoffStatus, KeysetCursor, Page } from "./staff-types.ts";
import { HANDOFF_STATUSES } from "./staff-types.ts";
import type { Channel } from "./types.ts";

type Run = <T>(operation: () => Promise<T>) => Promise<T>;

export const handoffSelect = {
  id: true,
  conversationId: true,
  status: true,
  risk: true,
  riskRank: true,
  reason: true,
  createdAt: true,
  updatedAt: true,
  closedAt: true,
  assignee: { select: { id: true, email: true } },
  conversation: {
    select: {
      channel: true,
      chatId: true,
      language: true,
      nationality: true,
      contact: { select: { platformUserId: true, language: true } },
      messages: { where: { direction: "in" }, orderBy: { id: "desc" }, take: 1, select: { createdAt: true } },
      // Only reports the person agreed to share ever reach staff.
      reports: { where: { consent: true }, orderBy: { createdAt: "desc" }, take: 1, select: { code: true } },
    },
  },
} as const satisfies Prisma.HandoffRequestSelect;

type HandoffSelected = Prisma.HandoffRequestGetPayload<{ select: typeof handoffSelect }>;

export function toHandoff(row: HandoffSelected): HandoffRow {
  const c = row.conversation;
  return {
    id: row.id,
    conversationId: row.conversationId,
    status: row.status as HandoffStatus,
    risk: row.risk,
    riskRank: row.riskRank,
    reason: row.reason,
    channel: c.channel as Channel,
    language: c.language ?? c.contact.language,
    nationality: c.nationality,
    reportCode: c.reports[0]?.code ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    closedAt: row.closedAt,
    lastMessageAt: c.messages[0]?.createdAt ?? null,
    assignee: row.assignee,
    chatId: c.chatId,
    platformUserId: c.contact.platformUserId,
  };
}

/** Everything but status and risk: what the counts are taken over. */
function scopeWhere(filter: Omit<HandoffFilter, "statuses" | "risk">): Prisma.HandoffRequestWhereInput {
  const conversation: Prisma.ConversationWhereInput = {
    ...(filter.channel ? { channel: filter.channel } : {}),
    ...(filter.language ? { OR: [{ language: filter.language }, { language: null, contact: { language: filter.language } }] } : {}),
  };
  return {
    ...(filter.visibleTo ? { OR: [{ assigneeId: null }, { assigneeId: filter.visibleTo }] } : {}),
    // No join at all unless a filter needs the conversation.
    ...(Object.keys(conversation).length > 0 ? { conversation } : {}),
  };
}

function filterWhere(filter: HandoffFilter): Prisma.HandoffRequestWhereInput {
  return {
    ...scopeWhere(filter),
    status: { in: filter.statuses },
    ...(filter.risk ? { riskRank: riskRank(filter.risk === "none" ? null : filter.risk) } : {}),
  };
}

/** Rows after `after` in the order (riskRank, createdAt, id), all ascending. */
function after(cursor: KeysetCursor): Prisma.HandoffRequestWhereInput {
  return {
    OR: [
      { riskRank: { gt: cursor.rank } },
      { riskRank: cursor.rank, createdAt: { gt: cursor.at } },
      { riskRank: cursor.rank, createdAt: cursor.at, id: { gt: cursor.id } },
    ],
  };
}

export async function handoffPage(db: Db, run: Run, filter: HandoffFilter, from: KeysetCursor | undefined, limit: number): Promise<Page<HandoffRow>> {
  const rows = await run(() =>
    db.handoffRequest.findMany({
      where: from ? { AND: [filterWhere(filter), after(from)] } : filterWhere(filter),
      orderBy: [{ riskRank: "asc" }, { createdAt: "asc" }, { id: "asc" }],
      // One more than asked: whether there is a next page.
      take: limit + 1,
      select: handoffSelect,
    }),
  );
  return keysetPage(rows, limit, toHandoff);
}

/** How many handoffs per status (within the scope) and per risk (within the scope and the asked statuses). */
export async function handoffCounts(db: Db, run: Run, filter: HandoffFilter): Promise<HandoffCounts> {
  const groups = await run(() =>
    db.handoffRequest.groupBy({ by: ["status", "riskRank"], where: { ...scopeWhere(filter), status: { in: [...HANDOFF_STATUSES] } }, _count: { _all: true } }),
  );
  const status = Object.fromEntries(HANDOFF_STATUSES.map((s) => [s, 0])) as HandoffCounts["status"];
  const risk = Object.fromEntries([...RISK_LEVELS, "none"].map((r) => [r, 0])) as HandoffCounts["risk"];
  for (const g of groups) {
    status[g.status as keyof HandoffCounts["status"]] += g._count._all;
    if (filter.statuses.includes(g.status as HandoffStatus)) risk[g.riskRank >= UNRANKED ? "none" : RISK_LEVELS[g.riskRank]!] += g._count._all;
  }
  return { status, risk };
}
