// What the Reports view shows of a shared report: the list row, and the report opened with
// its answers as the bot asked them and the case (handoff) it belongs to.
import type { TFunction } from "i18next";
import type { ReportListRow, ReportRow } from "../store/staff-types.ts";
import { reportView } from "./handoff-view.ts";

export function reportSummary(row: ReportListRow) {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    risk: row.risk,
    createdAt: row.createdAt.toISOString(),
    channel: row.channel,
    language: row.language,
    handoff: row.handoff,
  };
}

export function reportDetail(row: ReportListRow, report: ReportRow, t: TFunction) {
  const { consent, answers } = reportView(report, t);
  return { report: { ...reportSummary(row), consent, answers } };
}
