// The pure rules behind the flows: risk level, job-offer verdict, staff hours, codes.
import { describe, expect, it } from "vitest";
import { riskLevel, type TriageAnswers } from "../flows/data/risk.ts";
import { jobVerdict } from "../flows/data/job-offer.ts";
import { parseStaffHours, staffAvailable, staffHoursText } from "../src/engine/staff-hours.ts";
import { referenceCode } from "../src/engine/reference-code.ts";

describe("risk level", () => {
  const cases: [string, TriageAnswers, string][] = [
    ["in danger now", { danger: "yes" }, "critical"],
    ["in danger, everything else skipped", { danger: "yes", injured: "skip", leave: "skip" }, "critical"],
    ["injured and cannot leave", { danger: "no", injured: "yes", leave: "no" }, "critical"],
    ["cannot leave", { danger: "no", injured: "no", leave: "no" }, "high"],
    ["injured but can leave", { danger: "no", injured: "yes", leave: "yes" }, "high"],
    ["passport and phone taken", { danger: "no", leave: "yes", documents: "both" }, "high"],
    ["passport taken and phone watched", { danger: "no", documents: "passport", watched: "yes" }, "high"],
    ["others held and phone watched", { others: "yes", watched: "yes" }, "high"],
    ["only passport taken", { danger: "no", injured: "no", leave: "yes", documents: "passport" }, "medium"],
    ["only phone watched", { danger: "no", leave: "yes", watched: "yes", others: "no" }, "medium"],
    ["only others held", { others: "yes" }, "medium"],
    ["not sure the phone is watched", { danger: "no", leave: "yes", watched: "unsure" }, "low"],
    ["nothing answered", {}, "medium"],
    ["everything skipped", { danger: "skip", injured: "skip", leave: "skip", documents: "skip", watched: "skip", others: "skip" }, "medium"],
    ["answered, no indicator", { danger: "no", injured: "no", leave: "yes", documents: "no", watched: "no", others: "no" }, "low"],
  ];
  it.each(cases)("%s -> %o -> %s", (_name, answers, level) => {
    expect(riskLevel(answers)).toBe(level);
  });
});

describe("job-offer verdict", () => {
  it.each([
    [[], "noFlags"],
    [["highPay"], "caution"],
    [["highPay", "noVisa"], "caution"],
    [["highPay", "noVisa", "accounts"], "likelyScam"],
    [["highPay", "travelPaid", "chatRecruit", "noVisa", "unverifiable", "accounts", "thirdCountry"], "likelyScam"],
  ] as const)("%o -> %s", (flags, verdict) => {
    expect(jobVerdict(flags)).toBe(verdict);
  });
});

describe("staff hours", () => {
  const hours = parseStaffHours("Mon-Fri 09:00-18:00 Asia/Seoul")!;
  it.each([
    ["2026-11-25T00:00:00Z", true], // Wed 09:00 KST
    ["2026-11-25T08:59:00Z", true], // Wed 17:59 KST
    ["2026-11-25T09:00:00Z", false], // Wed 18:00 KST
    ["2026-11-24T23:59:00Z", false], // Wed 08:59 KST
    ["2026-11-28T03:00:00Z", false], // Sat 12:00 KST
    ["2026-11-30T01:00:00Z", true], // Mon 10:00 KST
  ])("%s -> %s", (iso, open) => {
    expect(staffAvailable(hours, new Date(iso))).toBe(open);
  });

  it("wraps day ranges over the weekend and rejects nonsense", () => {
    const weekend = parseStaffHours("Fri-Mon 10:00-12:00 UTC")!;
    expect([...weekend.days].sort()).toEqual([0, 1, 5, 6]);
    for (const bad of ["9-5", "Mon-Fri 18:00-09:00 Asia/Seoul", "Mon-Fri 09:00-18:00 Mars/Olympus", "Mon-Fri 25:00-26:00 UTC"]) {
      expect(parseStaffHours(bad), bad).toBeUndefined();
    }
  });
});

describe("staff hours as a person reads them", () => {
  const now = new Date("2026-12-03T02:00:00Z");
  it("names the days in the person's language and converts the times to Cambodia's", () => {
    const seoul = parseStaffHours("Mon-Fri 09:00-18:00 Asia/Seoul")!;
    expect(staffHoursText(seoul, "ko", now)).toEqual({ days: "월–금", from: "07:00", to: "16:00", cambodia: true, utcOffset: "UTC+09:00" });
    expect(staffHoursText(seoul, "en", now)).toMatchObject({ days: "Mon–Fri", from: "07:00", to: "16:00" });
    expect(staffHoursText(seoul, "th", now).days).toBe("จันทร์–ศุกร์");
    // Hours that fall wholly on the day before in Cambodia move to that day.
    const early = parseStaffHours("Mon-Fri 00:30-01:30 Asia/Seoul")!;
    expect(staffHoursText(early, "en", now)).toMatchObject({ days: "Sun–Thu", from: "22:30", to: "23:30", cambodia: true });
    const single = parseStaffHours("Sat 10:00-12:00 UTC")!;
    expect(staffHoursText(single, "en", now)).toMatchObject({ days: "Sat", from: "17:00", to: "19:00", cambodia: true });
    // A range that would cross midnight in Cambodia stays in its own zone, named by its offset.
    const across = parseStaffHours("Mon-Fri 01:00-05:00 Asia/Seoul")!;
    expect(staffHoursText(across, "en", now)).toEqual({ days: "Mon–Fri", from: "01:00", to: "05:00", cambodia: false, utcOffset: "UTC+09:00" });
  });
});

describe("reference codes", () => {
  it("are short, unambiguous and varied", () => {
    const codes = Array.from({ length: 2000 }, referenceCode);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
