// What a person may see of their own conversation: what they sent and what was sent to them.
// Internal notes, system events (assignment, status, risk) and delete orders belong to staff
// and the system. The test chat reads its transcript through this filter; Telegram and LINE
// only ever receive outbound messages from the outbox, which holds nothing else a person may
// not see (notes and events are never outbound, delete orders are not shown).

/** The rule, as a Prisma `where` fragment on Message: the only place it is decided. */
export const personVisibleWhere = { direction: { in: ["in", "out"] }, kind: { not: "delete" } };
