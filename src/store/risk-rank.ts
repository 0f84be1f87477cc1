// Risk levels as the numbers the staff queue and the Reports view sort by, in the database:
// 0 critical, 1 high, 2 medium, 3 low, 4 not assessed. Stored beside the level itself
// (HandoffRequest.riskRank, Report.riskRank) so ordering and keyset pages use an index.
export const RISK_LEVELS = ["critical", "high", "medium", "low"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The rank of a level nobody assessed (a family report, an old row). */
export const UNRANKED = RISK_LEVELS.length;

export function riskRank(risk: string | null | undefined): number {
  const i = RISK_LEVELS.indexOf(risk as RiskLevel);
  return i === -1 ? UNRANKED : i;
}
