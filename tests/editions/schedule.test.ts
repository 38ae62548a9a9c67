import { describe, expect, it } from 'vitest';
import {
  createOccurrenceFinder,
  decide,
  editionKey,
  isDue,
  isoWeek,
  latestOccurrence,
  localTime,
  nextOccurrence,
  type PlanSubject,
  type Schedule,
  zonedInstant,
} from '../../src/editions/schedule.ts';

const berlin8: Schedule = {
  timezone: 'Europe/Berlin',
  frequency: 'daily',
  weekday: 1,
  deliveryHour: 8,
  deliveryMinute: 0,
};
const HOUR = 3_600_000;

describe('schedule', () => {
  it('is due from the local delivery time on, on both sides of a DST change', () => {
    // Winter: Berlin is UTC+1, so 08:00 local is 07:00 UTC.
    expect(isDue(berlin8, Date.UTC(2026, 0, 15, 6, 59))).toBe(false);
    expect(isDue(berlin8, Date.UTC(2026, 0, 15, 7, 0))).toBe(true);
    // Summer: UTC+2, so 08:00 local is 06:00 UTC.
    expect(isDue(berlin8, Date.UTC(2026, 6, 15, 5, 59))).toBe(false);
    expect(isDue(berlin8, Date.UTC(2026, 6, 15, 6, 0))).toBe(true);
  });

  it('keys editions by the local date, not the UTC date', () => {
    const tokyo = { ...berlin8, timezone: 'Asia/Tokyo' };
    expect(editionKey(tokyo, Date.UTC(2026, 10, 24, 20, 0))).toBe('2026-11-25');
    expect(editionKey(berlin8, Date.UTC(2026, 10, 24, 20, 0))).toBe('2026-11-24');
  });

  it('keys weekly editions by ISO week and is due from the chosen weekday', () => {
    const weekly: Schedule = { ...berlin8, frequency: 'weekly', weekday: 3 };
    expect(editionKey(weekly, Date.UTC(2026, 10, 24, 12))).toBe('2026-W48');
    expect(isDue(weekly, Date.UTC(2026, 10, 24, 12))).toBe(false); // Tuesday
    expect(isDue(weekly, Date.UTC(2026, 10, 25, 12))).toBe(true); // Wednesday
    expect(isoWeek(2027, 1, 1)).toEqual({ year: 2026, week: 53 });
  });
});

describe('zonedInstant: local wall time → instant, by Intl', () => {
  it('maps an ordinary local time with the offset of that day', () => {
    expect(zonedInstant('Europe/Berlin', 2026, 1, 15, 8, 0)).toBe(Date.UTC(2026, 0, 15, 7, 0));
    expect(zonedInstant('Europe/Berlin', 2026, 7, 15, 8, 0)).toBe(Date.UTC(2026, 6, 15, 6, 0));
    expect(zonedInstant('Asia/Kolkata', 2026, 3, 1, 8, 0)).toBe(Date.UTC(2026, 2, 1, 2, 30));
    expect(zonedInstant('Asia/Kathmandu', 2026, 3, 1, 8, 0)).toBe(Date.UTC(2026, 2, 1, 2, 15));
  });

  it('delivers a time skipped by spring-forward at the end of the gap (the moment clocks jump)', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC; 02:30 does not exist.
    expect(zonedInstant('Europe/Berlin', 2026, 3, 29, 2, 30)).toBe(Date.UTC(2026, 2, 29, 1, 0));
    expect(localTime(Date.UTC(2026, 2, 29, 1, 0), 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 0 });
    // New York, 8 March 2026: 02:00 EST → 03:00 EDT at 07:00 UTC.
    expect(zonedInstant('America/New_York', 2026, 3, 8, 2, 15)).toBe(Date.UTC(2026, 2, 8, 7, 0));
    // Chatham, 27 September 2026: 02:45 +1245 → 03:45 +1345 (at 14:00 UTC the day before).
    expect(zonedInstant('Pacific/Chatham', 2026, 9, 27, 3, 0)).toBe(Date.UTC(2026, 8, 26, 14, 0));
  });

  it('delivers a time repeated by fall-back at its first occurrence (summer time)', () => {
    // Berlin, 25 October 2026: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    expect(zonedInstant('Europe/Berlin', 2026, 10, 25, 2, 30)).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // Sydney, 5 April 2026: 02:30 at 15:30 UTC (AEDT, +11) the day before, and at 16:30 (AEST).
    expect(zonedInstant('Australia/Sydney', 2026, 4, 5, 2, 30)).toBe(Date.UTC(2026, 3, 4, 15, 30));
    // Lord Howe's clocks move half an hour: 01:45 repeats on 5 April 2026 (+11 then +10:30).
    expect(zonedInstant('Australia/Lord_Howe', 2026, 4, 5, 1, 45)).toBe(Date.UTC(2026, 3, 4, 14, 45));
  });
});

describe('occurrences', () => {
  it('finds the latest delivery at or before now, and the next one after it', () => {
    const now = Date.UTC(2026, 10, 24, 9, 0); // Tuesday 10:00 in Berlin
    expect(latestOccurrence(berlin8, now)).toEqual({ at: Date.UTC(2026, 10, 24, 7, 0), key: '2026-11-24' });
    expect(nextOccurrence(berlin8, now)).toEqual({ at: Date.UTC(2026, 10, 25, 7, 0), key: '2026-11-25' });
    const early = Date.UTC(2026, 10, 24, 6, 0); // 07:00 in Berlin: today's is still ahead
    expect(latestOccurrence(berlin8, early).key).toBe('2026-11-23');
  });

  it('keeps a 23:30 edition on its own local day when found after midnight (catch-up)', () => {
    const late: Schedule = { ...berlin8, deliveryHour: 23, deliveryMinute: 30 };
    const justAfterMidnight = Date.UTC(2026, 10, 24, 23, 10); // 00:10 on the 25th in Berlin
    expect(latestOccurrence(late, justAfterMidnight)).toEqual({
      at: Date.UTC(2026, 10, 24, 22, 30),
      key: '2026-11-24',
    });
  });

  it('finds weekly occurrences on the chosen weekday, keyed by the ISO week of that day', () => {
    const sunday: Schedule = { ...berlin8, frequency: 'weekly', weekday: 7, deliveryHour: 18 };
    const tuesday = Date.UTC(2026, 10, 24, 12);
    expect(latestOccurrence(sunday, tuesday)).toEqual({ at: Date.UTC(2026, 10, 22, 17), key: '2026-W47' });
    expect(nextOccurrence(sunday, tuesday)).toEqual({ at: Date.UTC(2026, 10, 29, 17), key: '2026-W48' });
  });
});

describe('decide: catch-up window, first editions and pauses', () => {
  const subject = (over: Partial<PlanSubject> = {}): PlanSubject => ({
    ...berlin8,
    since: Date.UTC(2026, 0, 1),
    pausedUntil: null,
    ...over,
  });
  const decideAt = (now: number, s: PlanSubject, catchUpHours = 12) =>
    decide(createOccurrenceFinder(now), now, s, catchUpHours * HOUR);

  it('sends a missed edition once it is found, if within the window', () => {
    const d = decideAt(Date.UTC(2026, 10, 24, 15, 0), subject()); // 8 h late
    expect(d).toEqual({ kind: 'due', occurrence: { at: Date.UTC(2026, 10, 24, 7), key: '2026-11-24' } });
  });

  it('skips one that is more than the window late', () => {
    const d = decideAt(Date.UTC(2026, 10, 24, 19, 1), subject()); // 12 h 1 min late
    expect(d.kind).toBe('late');
    expect(d.occurrence.key).toBe('2026-11-24');
    expect(decideAt(Date.UTC(2026, 10, 24, 19, 1), subject(), 24).kind).toBe('due');
  });

  it('gives a new subscriber the current period right away, however late in the day they join', () => {
    const now = Date.UTC(2026, 10, 24, 22, 0);
    expect(decideAt(now, subject({ since: Date.UTC(2026, 10, 24, 21, 0) })).kind).toBe('due');
  });

  it('leaves an occurrence that fell inside a pause', () => {
    const now = Date.UTC(2026, 10, 24, 12, 0);
    const d = decideAt(now, subject({ pausedUntil: Date.UTC(2026, 10, 24, 10, 0) }));
    expect(d.kind).toBe('paused');
    expect(decideAt(now, subject({ pausedUntil: Date.UTC(2026, 10, 24, 6, 0) })).kind).toBe('due');
  });
});
