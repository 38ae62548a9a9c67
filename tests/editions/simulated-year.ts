import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { buildEditions } from '../../src/editions/build-editions.ts';
import { createOccurrenceFinder } from '../../src/editions/schedule.ts';
import { fakeClock, testDeps } from '../helpers/deps.ts';
import { seedItems, seedSubscribers } from './seed.ts';

/**
 * A zone and the local delivery times that exercise its daylight-saving changes: a time in
 * the spring-forward gap and one in the fall-back repeat (one time is both in zones whose
 * clocks move at the same wall time each way), or ordinary times in zones without DST.
 */
export interface ZoneCase {
  timezone: string;
  times: [hour: number, minute: number][];
}

const TICK = 5 * 60_000;
const YEAR_START = Date.UTC(2026, 0, 1);

/** The local wall clock as 'YYYY-MM-DD HH:MM', by Intl directly (the oracle, not the code under test). */
function wall(instant: number, tz: string): string {
  let fmt = walls.get(tz);
  if (!fmt) walls.set(tz, (fmt = wallFormat(tz)));
  return fmt.format(instant);
}
const walls = new Map<string, Intl.DateTimeFormat>();
function wallFormat(tz: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Every local date of the year in `tz` from `from` (inclusive) to `to` (exclusive), as YYYY-MM-DD. */
function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00Z`); t < Date.parse(`${to}T00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Drives the real planner (libsql, fake clock) through 2026 on a five-minute tick for
 * subscribers in `zones` (daily at each time, and weekly on Sundays at each time), then checks
 * that every local day (and ISO week) got exactly one edition, delivered at the first tick at
 * which the local wall clock read the delivery time or later on that day: the local hour on
 * ordinary days, the end of the gap on spring-forward days, the first pass on fall-back days.
 * Ticks where nobody can be due are skipped (they plan nothing), so a year takes seconds.
 */
export async function simulateYear(zones: ZoneCase[]) {
  const clock = fakeClock(YEAR_START);
  const deps = await testDeps({ clock });
  try {
    const subs = zones.flatMap((z) =>
      z.times.flatMap(([h, m]) => [
        { timezone: z.timezone, frequency: 'daily' as const, weekday: 1, deliveryHour: h, deliveryMinute: m },
        {
          timezone: z.timezone,
          frequency: 'weekly' as const,
          weekday: 7,
          deliveryHour: h,
          deliveryMinute: m,
        },
      ]),
    );
    const ids = await seedSubscribers(deps.db, subs, YEAR_START - 30 * 86_400_000);
    const byId = new Map(ids.map((id, i) => [id, subs[i]!]));

    // Start on 31 December 2025 with no stories: that day's editions are skipped as empty, so
    // what follows is exactly 2026 (and ISO week 53, whose Sunday is 3 January 2027).
    let now = YEAR_START - 14 * 3_600_000;
    clock.set(now);
    await buildEditions(deps);
    let lastItems = Number.NEGATIVE_INFINITY;
    let runs = 0;
    const end = Date.UTC(2027, 0, 4, 14);
    while (now < end) {
      const finder = createOccurrenceFinder(now);
      let next = Number.POSITIVE_INFINITY;
      for (const s of subs) next = Math.min(next, finder.next(s).at);
      now = Math.ceil(next / TICK) * TICK;
      clock.set(now);
      // Fresh stories twice a day, so nobody's edition is empty.
      if (now - lastItems >= 12 * 3_600_000) {
        await seedItems(deps.db, now - 60_000, 2, 'hockey');
        lastItems = now;
      }
      await buildEditions(deps);
      runs++;
    }

    const editions = await deps.db.all<{ subscriber_id: number; edition_key: string; created_at: number }>(
      sql`SELECT subscriber_id, edition_key, created_at FROM editions ORDER BY id`,
    );
    const outboxRows = await deps.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM outbox`);
    expect(outboxRows[0]!.n).toBe(editions.length);

    let checked = 0;
    for (const id of ids) {
      const s = byId.get(id)!;
      const mine = editions.filter((e) => e.subscriber_id === id);
      const keys = mine.map((e) => e.edition_key);
      const label = `${s.timezone} ${s.frequency} ${pad(s.deliveryHour)}:${pad(s.deliveryMinute)}`;
      // Exactly one per period, none missing, none twice.
      if (s.frequency === 'daily') {
        const days = datesBetween('2026-01-01', '2027-01-01');
        expect(
          keys.filter((k) => k.startsWith('2026')),
          label,
        ).toEqual(days);
      } else {
        const weeks = Array.from({ length: 53 }, (_, i) => `2026-W${pad(i + 1)}`);
        expect(
          keys.filter((k) => k.startsWith('2026-W')),
          label,
        ).toEqual(weeks);
      }
      for (const e of mine.filter((x) => x.edition_key.startsWith('2026'))) {
        const target = `${pad(s.deliveryHour)}:${pad(s.deliveryMinute)}`;
        const at = wall(e.created_at, s.timezone);
        const before = wall(e.created_at - TICK, s.timezone);
        const day = at.slice(0, 10);
        if (s.frequency === 'daily') expect(day, `${label} key`).toBe(e.edition_key);
        else expect(new Date(`${day}T00:00Z`).getUTCDay(), `${label} on Sunday`).toBe(0);
        // The first tick of that local day whose wall clock reads the delivery time or later.
        expect(at.slice(11) >= target, `${label} ${e.edition_key}: ${at} not before ${target}`).toBe(true);
        const earlierTickQualified = before.slice(0, 10) === day && before.slice(11) >= target;
        expect(earlierTickQualified, `${label} ${e.edition_key}: ${at} is not the first tick`).toBe(false);
        checked++;
      }
    }
    return { runs, checked, editions };
  } finally {
    deps.close();
  }
}
