/**
 * When an edition is due. Pure time-zone math over `Intl` (no hand-written offsets, no node:
 * imports), so the same code plans on Node and on Workers.
 *
 * Daylight-saving rules (documented in README "How it works"):
 * - A delivery time that does not exist on a spring-forward day (02:30 in Europe/Berlin on the
 *   last Sunday of March) is delivered at the first instant after the gap: 03:00 local, the
 *   moment the clocks jump.
 * - A delivery time that exists twice on a fall-back day (02:30 in Europe/Berlin on the last
 *   Sunday of October) is delivered at its first occurrence (02:30 summer time); the edition
 *   key (one per local day or ISO week) stops the repeat.
 * Either way the day or week gets exactly one edition.
 */

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

/** One scheduled delivery: the instant it is due and the period it belongs to. */
export interface Occurrence {
  /** Epoch milliseconds. */
  at: number;
  /** The local period: '2026-11-24' (daily) or '2026-W48' (weekly). */
  key: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

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
    });
    formatters.set(tz, fmt);
  }
  // format() is several times faster than formatToParts(); en-US numeric is "M/D/YYYY, HH:MM".
  const m = LOCAL_FORMAT.exec(fmt.format(instant));
  if (!m) throw new Error(`editions: unexpected date format from Intl for ${tz}`);
  const year = Number(m[3]);
  const month = Number(m[1]);
  const day = Number(m[2]);
  return {
    year,
    month,
    day,
    hour: Number(m[4]),
    minute: Number(m[5]),
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() || 7,
  };
}

const LOCAL_FORMAT = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+)/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The wall clock at `instant`, read as if it were UTC (minute precision): instant + offset. */
function wallAsUtc(instant: number, tz: string): number {
  const t = localTime(instant, tz);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
}

/**
 * The instant of local date y-m-d at h:mi in `tz`, by the DST rules above: the first
 * occurrence when the wall time repeats, the end of the gap when it does not exist.
 */
export function zonedInstant(tz: string, y: number, m: number, d: number, h: number, mi: number): number {
  const cacheKey = `${tz}|${y}-${m}-${d}|${h}:${mi}`;
  let at = instantCache.get(cacheKey);
  if (at === undefined) {
    // Bounded: a planner asks about a few dates × zones × delivery times at a time.
    if (instantCache.size >= 100_000) instantCache.clear();
    instantCache.set(cacheKey, (at = computeZonedInstant(tz, y, m, d, h, mi)));
  }
  return at;
}

const instantCache = new Map<string, number>();

function computeZonedInstant(tz: string, y: number, m: number, d: number, h: number, mi: number): number {
  const wall = Date.UTC(y, m - 1, d, h, mi);
  // The offsets a day either side; a zone changes offset at most once in between.
  const before = wallAsUtc(wall - DAY, tz) - Math.floor((wall - DAY) / MINUTE) * MINUTE;
  const after = wallAsUtc(wall + DAY, tz) - Math.floor((wall + DAY) / MINUTE) * MINUTE;
  const candidates = [...new Set([wall - before, wall - after])].sort((a, b) => a - b);
  for (const c of candidates) if (wallAsUtc(c, tz) === wall) return c;
  // Spring forward: the wall time is skipped. Find the first minute whose wall time is later.
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (wallAsUtc(mid, tz) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Calendar date `days` after y-m-d (negative goes back). */
function addDays(y: number, m: number, d: number, days: number): { y: number; m: number; d: number } {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

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

function periodKey(frequency: Schedule['frequency'], y: number, m: number, d: number): string {
  if (frequency === 'daily') return `${y}-${pad(m)}-${pad(d)}`;
  const w = isoWeek(y, m, d);
  return `${w.year}-W${pad(w.week)}`;
}

/** The local period an instant falls in: '2026-11-24' (daily) or '2026-W48' (weekly). */
export function editionKey(schedule: Schedule, instant: number): string {
  const t = localTime(instant, schedule.timezone);
  return periodKey(schedule.frequency, t.year, t.month, t.day);
}

/**
 * Finds occurrences for many subscribers at one instant. Subscribers share time zones and
 * delivery times, so local "now" is computed once per zone and each scheduled instant once
 * per (zone, date, time) (zonedInstant is memoised): a run over 100,000 subscribers makes a
 * few hundred Intl calls.
 */
export function createOccurrenceFinder(now: number) {
  const today = new Map<string, LocalTime>();
  const localNow = (tz: string) => {
    let t = today.get(tz);
    if (!t) today.set(tz, (t = localTime(now, tz)));
    return t;
  };
  const at = (s: Schedule, date: { y: number; m: number; d: number }) =>
    zonedInstant(s.timezone, date.y, date.m, date.d, s.deliveryHour, s.deliveryMinute);
  const occurrence = (s: Schedule, date: { y: number; m: number; d: number }): Occurrence => ({
    at: at(s, date),
    key: periodKey(s.frequency, date.y, date.m, date.d),
  });
  return {
    /** The latest scheduled delivery at or before `now`. */
    latest(s: Schedule): Occurrence {
      const t = localNow(s.timezone);
      const back = s.frequency === 'daily' ? 0 : (t.weekday - s.weekday + 7) % 7;
      const date = addDays(t.year, t.month, t.day, -back);
      const o = occurrence(s, date);
      if (o.at <= now) return o;
      return occurrence(s, addDays(date.y, date.m, date.d, s.frequency === 'daily' ? -1 : -7));
    },
    /** The first scheduled delivery strictly after `now`. */
    next(s: Schedule): Occurrence {
      const t = localNow(s.timezone);
      const ahead = s.frequency === 'daily' ? 0 : (s.weekday - t.weekday + 7) % 7;
      const date = addDays(t.year, t.month, t.day, ahead);
      const o = occurrence(s, date);
      if (o.at > now) return o;
      return occurrence(s, addDays(date.y, date.m, date.d, s.frequency === 'daily' ? 1 : 7));
    },
  };
}

/** The latest scheduled delivery of `schedule` at or before `now`. */
export function latestOccurrence(schedule: Schedule, now: number): Occurrence {
  return createOccurrenceFinder(now).latest(schedule);
}

/** The first scheduled delivery of `schedule` after `now` (e.g. "your next edition"). */
export function nextOccurrence(schedule: Schedule, now: number): Occurrence {
  return createOccurrenceFinder(now).next(schedule);
}

/**
 * Whether the delivery of the current local period (today, or this ISO week) has come, by the
 * DST rules above. The planner uses `decide`, which also catches up on a missed period.
 */
export function isDue(schedule: Schedule, instant: number): boolean {
  return latestOccurrence(schedule, instant).key === editionKey(schedule, instant);
}

/** What the planner should do about one subscriber now. */
export type Decision =
  | { kind: 'due'; occurrence: Occurrence }
  /** Missed by more than the catch-up window (downtime): skipped, logged, never sent late. */
  | { kind: 'late'; occurrence: Occurrence }
  /** The latest occurrence fell in a pause: nothing to do until the next one. */
  | { kind: 'paused'; occurrence: Occurrence };

/** A plannable subscriber's schedule plus what decides lateness and pauses. */
export interface PlanSubject extends Schedule {
  /** When the subscriber started (confirmedAt, else createdAt). */
  since: number;
  pausedUntil: number | null;
}

/**
 * Decides about the latest occurrence. Catch-up: an occurrence missed by downtime is sent once
 * (the edition key makes every later tick a no-op) if it is at most `catchUpMs` late, and
 * skipped otherwise. A subscriber who joined after the occurrence gets it right away as their
 * first edition, however late: nothing was missed. An occurrence before `pausedUntil` belongs
 * to the pause.
 */
export function decide(
  finder: ReturnType<typeof createOccurrenceFinder>,
  now: number,
  subject: PlanSubject,
  catchUpMs: number,
): Decision {
  const occurrence = finder.latest(subject);
  if (subject.pausedUntil !== null && occurrence.at < subject.pausedUntil)
    return { kind: 'paused', occurrence };
  if (occurrence.at < subject.since) return { kind: 'due', occurrence };
  return { kind: now - occurrence.at > catchUpMs ? 'late' : 'due', occurrence };
}
