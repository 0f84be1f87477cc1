// When staff answer handoffs, e.g. "Mon-Fri 09:00-18:00 Asia/Seoul" (STAFF_HOURS).
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

export interface StaffHours {
  days: Set<number>;
  /** The configured day range, 0 = Sunday. */
  firstDay: number;
  lastDay: number;
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
  return { days, firstDay: a, lastDay: b, startMinute, endMinute, timeZone: timeZone!, label: value.trim() };
}

export function staffAvailable(hours: StaffHours, now: Date): boolean {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: hours.timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = DAYS.indexOf(get("weekday") as (typeof DAYS)[number]);
  const minute = Number(get("hour")) * 60 + Number(get("minute"));
  return hours.days.has(day) && minute >= hours.startMinute && minute < hours.endMinute;
}

/** Where the people SafeLine serves are: hours are told in Cambodia's time. */
export const CAMBODIA_TIME_ZONE = "Asia/Phnom_Penh";

/** The zone's offset from UTC at `at`, in minutes. */
function offsetMinutes(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

export interface StaffHoursText {
  days: string;
  from: string;
  to: string;
  /** True when the times are Cambodia's; otherwise they are in the configured zone, named by `utcOffset`. */
  cambodia: boolean;
  utcOffset: string;
}

/**
 * The hours as a person in Cambodia reads them: weekday names in their language and the
 * times converted to Cambodia's time. A range that would cross midnight there stays in the
 * configured zone, named by its UTC offset.
 */
export function staffHoursText(hours: StaffHours, lang: string, now: Date): StaffHoursText {
  const offset = offsetMinutes(hours.timeZone, now);
  const delta = offset - offsetMinutes(CAMBODIA_TIME_ZONE, now);
  const start = hours.startMinute - delta;
  const end = hours.endMinute - delta;
  const shift = Math.floor(start / 1440);
  const cambodia = shift === Math.floor((end - 1) / 1440);
  const dayName = (day: number) => new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2023, 0, 1 + day)));
  const days = (d: number) => dayName((((d + (cambodia ? shift : 0)) % 7) + 7) % 7);
  const first = days(hours.firstDay);
  const last = days(hours.lastDay);
  return {
    days: first === last ? first : `${first}–${last}`,
    from: clock(cambodia ? start - shift * 1440 : hours.startMinute),
    to: clock(cambodia ? end - shift * 1440 : hours.endMinute),
    cambodia,
    utcOffset: `UTC${offset < 0 ? "-" : "+"}${clock(Math.abs(offset))}`,
  };
}
