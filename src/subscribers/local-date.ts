import { localTime } from '../editions/schedule.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar date ('YYYY-MM-DD') of an instant in a time zone. */
export function localDate(instant: number, tz: string): string {
  const t = localTime(instant, tz);
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

/**
 * The instant local midnight begins on `date` ('YYYY-MM-DD') in `tz`. Two correction rounds
 * with Intl cover every offset; a midnight that daylight saving skips becomes the first
 * instant of that day after the gap.
 */
export function startOfLocalDate(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, m - 1, d);
  let t = wanted;
  for (let i = 0; i < 2; i++) {
    const lt = localTime(t, tz);
    t += wanted - Date.UTC(lt.year, lt.month - 1, lt.day, lt.hour, lt.minute);
  }
  // Midnight skipped by a daylight-saving gap: the day starts at the first quarter hour that
  // exists (transitions fall on quarter hours), found by stepping forward.
  for (let i = 0; i < 16 && localDate(t, tz) < date; i++) t += 15 * 60_000;
  return t;
}
