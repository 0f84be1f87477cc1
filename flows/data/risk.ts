// The triage risk rule, from the ILO forced-labour indicators in CONTENT.md §6.
// Answers are what the person chose; a skipped question ("skip" or absent) counts as
// unknown, never as "fine".
//
// critical: in danger right now, or injured and not able to leave.
// high:     not able to leave, or injured, or two or more of the other indicators.
// medium:   one indicator (documents or phone taken, phone watched, others held),
//           or nothing answered at all (we cannot rule anything out).
// low:      answered, and no indicator.

export type RiskLevel = "critical" | "high" | "medium" | "low";

export interface TriageAnswers {
  danger?: string; // yes | no
  injured?: string; // yes | no
  leave?: string; // yes (free to leave) | no
  documents?: string; // passport | phone | both | no
  watched?: string; // yes | no | unsure
  others?: string; // yes | no
}

export function riskLevel(a: TriageAnswers): RiskLevel {
  const injured = a.injured === "yes";
  const trapped = a.leave === "no";
  if (a.danger === "yes" || (injured && trapped)) return "critical";
  const indicators = [
    a.documents === "passport" || a.documents === "both",
    a.documents === "phone" || a.documents === "both",
    a.watched === "yes",
    a.others === "yes",
  ].filter(Boolean).length;
  if (trapped || injured || indicators >= 2) return "high";
  if (indicators === 1) return "medium";
  const answered = Object.values(a).some((v) => v !== undefined && v !== "skip");
  return answered ? "low" : "medium";
}
