/** The schedule fields of a subscriber that decide when their edition is due. */
export interface Schedule {
  timezone: string;
  frequency: 'daily' | 'weekly';
  /** ISO weekday 1 (Monday) … 7 (Sunday), for weekly. */
  weekday: number;
  deliveryHour: number;
  deliveryMinute: number;
}

/** Wall-clock parts of an instant in a time zone. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday 1 (Monday) … 7 (Sunday). */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at `instant` in `tz`, computed by Intl (no hand-written offsets). */
export function localTime(instant: number, tz: string): LocalTime {
  let fmt = formatters.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday!]!,
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 week-numbering year and week of a calendar date. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const dow = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - dow); // the Thursday of this week decides its year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return {
    year: date.getUTCFullYear(),
    week: Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7),
  };
}

/** The local period an instant falls in: '2026-11-24' (daily) or '2026-W48' (weekly). */
export function editionKey(schedule: Schedule, instant: number): string {
  const t = localTime(instant, schedule.timezone);
  if (schedule.frequency === 'daily') return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  const w = isoWeek(t.year, t.month, t.day);
  return `${w.year}-W${pad(w.week)}`;
}

/**
 * Whether the subscriber's delivery time in the current local period has passed. Comparing
 * wall-clock parts makes daylight-saving changes come out right: a time skipped by
 * spring-forward is due at the first minute after the gap; a time repeated by fall-back is
 * due at its first occurrence, and the edition key stops the second.
 */
export function isDue(schedule: Schedule, instant: number): boolean {
  const t = localTime(instant, schedule.timezone);
  const nowMinutes = t.hour * 60 + t.minute;
  const atMinutes = schedule.deliveryHour * 60 + schedule.deliveryMinute;
  if (schedule.frequency === 'daily') return nowMinutes >= atMinutes;
  return t.weekday > schedule.weekday || (t.weekday === schedule.weekday && nowMinutes >= atMinutes);
}
