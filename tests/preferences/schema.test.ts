import { describe, expect, it } from 'vitest';
import { parsePreferences } from '../../src/preferences/schema.ts';

describe('preferences document', () => {
  it('accepts the minimal offline-evaluation shape with plain-string interests', () => {
    const p = parsePreferences({ interests: ['hockey', { term: 'NHL', weight: 2 }], mutes: ['betting'] });
    expect(p.interests).toEqual([
      { term: 'hockey', weight: 1 },
      { term: 'NHL', weight: 2 },
    ]);
    expect(p.mutes).toEqual(['betting']);
  });

  it('fills defaults, so an empty or old document stays valid', () => {
    const p = parsePreferences(undefined);
    expect(p).toMatchObject({
      maxItems: 10,
      perSourceCap: 3,
      freshnessHours: 72,
      halfLifeHours: 24,
      topics: [],
    });
  });

  it('rejects bad values and names the field', () => {
    expect(() => parsePreferences({ maxItems: 0 })).toThrow(/maxItems/);
    expect(() => parsePreferences({ interests: [{ term: 'x', weight: 9 }] })).toThrow(/weight/);
    expect(() => parsePreferences({ interests: [''] })).toThrow();
  });
});
