import { describe, expect, it } from 'vitest';
import { editionKey, isDue, isoWeek, type Schedule } from '../../src/editions/schedule.ts';

const berlin8: Schedule = {
  timezone: 'Europe/Berlin',
  frequency: 'daily',
  weekday: 1,
  deliveryHour: 8,
  deliveryMinute: 0,
};

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
