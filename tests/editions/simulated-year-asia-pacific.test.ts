import { describe, expect, it } from 'vitest';
import { simulateYear } from './simulated-year.ts';

describe('a simulated year, Asia and the Pacific (Australian and Chatham rules, odd offsets)', () => {
  it('gives every subscriber exactly one edition per day and per week, at the right local time', async () => {
    const { checked, runs } = await simulateYear([
      // Australia: 02:00 → 03:00 in October (02:30 skipped), 03:00 → 02:00 in April (02:30 twice).
      { timezone: 'Australia/Sydney', times: [[2, 30]] },
      { timezone: 'Australia/Melbourne', times: [[2, 30]] },
      // Half-hour offset with DST (+9:30 / +10:30).
      { timezone: 'Australia/Adelaide', times: [[2, 30]] },
      // DST of half an hour: 02:00 → 02:30 in October, 02:00 → 01:30 in April.
      {
        timezone: 'Australia/Lord_Howe',
        times: [
          [2, 15],
          [1, 45],
        ],
      },
      // +12:45 / +13:45: 02:45 → 03:45 in September, back in April (03:00 both skipped and repeated).
      { timezone: 'Pacific/Chatham', times: [[3, 0]] },
      // No DST; half-hour and 45-minute offsets; a time near midnight.
      { timezone: 'Asia/Kolkata', times: [[8, 0]] },
      { timezone: 'Asia/Kathmandu', times: [[23, 45]] },
      { timezone: 'Pacific/Honolulu', times: [[0, 0]] },
      { timezone: 'UTC', times: [[7, 0]] },
    ]);
    expect(runs).toBeGreaterThan(365);
    // 10 schedules × (365 days + 53 weeks)
    expect(checked).toBe(10 * (365 + 53));
  }, 400_000);
});
