// When staff answer handoffs, e.g. "Mon-Fri 09:00-18:00 Asia/Seoul" (STAFF_HOURS).
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

export interface StaffHours {
  days: Set<number>;
  startMinute: number;
  endMinute: number;
  timeZone: string;
  /** As configured, for messages. */
  label: string;
}

const PATTERN = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat)(?:-(Sun|Mon|Tue|Wed|Thu|Fri|Sat))?\s+([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)\s+(\S+)$/;

export function parseStaffHours(value: string): StaffHours | undefined {
  const m = PATTERN.exec(value.trim());
  if (!m) return undefined;
  const [, from, to, sh, sm, eh, em, timeZone] = m as unknown as string[];
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    return undefined;
  }
  const a = DAYS.indexOf(from as (typeof DAYS)[number]);
  const b = to ? DAYS.indexOf(to as (typeof DAYS)[number]) : a;
  const days = new Set<number>();
  for (let d = a; ; d = (d + 1) % 7) {
    days.add(d);
    if (d === b) break;
  }
  const startMinute = Number(sh) * 60 + Number(sm);
  const endMinute = Number(eh) * 60 + Number(em);
  if (endMinute <= startMinute) return undefined;
  return { days, startMinute, endMinute, timeZone: timeZone!, label: value.trim() };
}

export function staffAvailable(hours: StaffHours, now: Date): boolean {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: hours.timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = DAYS.indexOf(get("weekday") as (typeof DAYS)[number]);
  const minute = Number(get("hour")) * 60 + Number(get("minute"));
  return hours.days.has(day) && minute >= hours.startMinute && minute < hours.endMinute;
}
