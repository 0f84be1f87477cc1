// Red flags in a job offer, from CONTENT.md §5 (0404.go.kr, worldjob.or.kr, INTERPOL 2023,
// UNODC 2024, OHCHR 2023; the passport (ILO indicator) and the debt-cancellation lure of the
// 2025 cases, items 9 and 10). Each question is answered yes / no / not sure; "yes" is a flag.
export const JOB_FLAGS = ["highPay", "travelPaid", "chatRecruit", "noVisa", "unverifiable", "accounts", "thirdCountry", "passport", "debt"] as const;
export type JobFlag = (typeof JOB_FLAGS)[number];

export type JobVerdict = "likelyScam" | "caution" | "noFlags";

/** Three or more flags: very likely a scam; one or two: stop and verify; none: still verify. */
export function jobVerdict(flags: readonly JobFlag[]): JobVerdict {
  if (flags.length >= 3) return "likelyScam";
  return flags.length > 0 ? "caution" : "noFlags";
}
