import { describe, expect, it } from 'vitest';
import { simulateYear } from './simulated-year.ts';

describe('a simulated year, the Americas and Europe (US and EU daylight-saving rules)', () => {
  it('gives every subscriber exactly one edition per day and per week, at the right local time', async () => {
    const { checked, runs } = await simulateYear([
      // US: 02:00 → 03:00 in March (02:30 is skipped), 02:00 → 01:00 in November (01:30 twice).
      {
        timezone: 'America/New_York',
        times: [
          [2, 30],
          [1, 30],
        ],
      },
      {
        timezone: 'America/Chicago',
        times: [
          [2, 30],
          [1, 30],
        ],
      },
      {
        timezone: 'America/Denver',
        times: [
          [2, 30],
          [1, 30],
        ],
      },
      {
        timezone: 'America/Los_Angeles',
        times: [
          [2, 30],
          [1, 30],
        ],
      },
      {
        timezone: 'America/Anchorage',
        times: [
          [2, 30],
          [1, 30],
        ],
      },
      // Newfoundland: half-hour offset (−3:30 / −2:30), US rules.
      {
        timezone: 'America/St_Johns',
        times: [
          [2, 30],
          [1, 30],
        ],
      },
      // No DST.
      { timezone: 'America/Phoenix', times: [[8, 0]] },
      // EU: clocks move at 01:00 UTC; these local times are skipped in March and repeat in October.
      { timezone: 'Europe/London', times: [[1, 30]] },
      { timezone: 'Europe/Lisbon', times: [[1, 30]] },
      { timezone: 'Europe/Berlin', times: [[2, 30]] },
      { timezone: 'Europe/Helsinki', times: [[3, 30]] },
    ]);
    expect(runs).toBeGreaterThan(365);
    // 17 schedules × (365 days + 53 weeks)
    expect(checked).toBe(17 * (365 + 53));
  }, 400_000);
});
