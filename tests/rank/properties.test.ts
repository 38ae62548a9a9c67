import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRanker } from '../../src/rank/index.ts';
import type { RankItem } from '../../src/rank/types.ts';
import { prefs } from './helpers.ts';

// A small vocabulary so interests, mutes and item words collide often.
const WORDS = [
  'hockey',
  'NHL',
  'oilers',
  'flames',
  'goal',
  'art',
  'party',
  'cup',
  'stanley',
  'rain',
  'city',
  'vote',
];
const word = fc.constantFrom(...WORDS);
const text = (max: number) => fc.array(word, { minLength: 1, maxLength: max }).map((w) => w.join(' '));
const phrase = fc.array(word, { minLength: 1, maxLength: 2 }).map((w) => w.join(' '));

const itemsArb = fc
  .array(
    fc.record({
      title: text(6),
      summary: text(12),
      source: fc.constantFrom('Rink Gazette', 'Art Weekly', 'City Desk'),
      author: fc.option(fc.constantFrom('Jo Cup', 'Ann Vote'), { nil: undefined }),
    }),
    { minLength: 0, maxLength: 40 },
  )
  .map((rows): RankItem[] => rows.map((r, i) => ({ id: `p${i}`, ...r })));

const prefsArb = fc.record({
  interests: fc.array(phrase, { minLength: 0, maxLength: 4 }),
  mutes: fc.array(phrase, { minLength: 0, maxLength: 3 }),
  maxItems: fc.integer({ min: 1, max: 12 }),
  perSourceCap: fc.integer({ min: 1, max: 5 }),
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const mentions = (it: RankItem, mute: string) =>
  new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRe(mute)}($|[^\\p{L}\\p{N}])`, 'iu').test(
    [it.title, it.summary, it.source, it.author].join(' | '),
  );

describe('ranking invariants', () => {
  it('no muted word or phrase ever appears in a picked item', () => {
    fc.assert(
      fc.property(itemsArb, prefsArb, (items, p) => {
        const picks = createRanker(items).rank(prefs(p), { minScore: 0 });
        const byId = new Map(items.map((it) => [it.id, it]));
        for (const pick of picks)
          for (const m of p.mutes) expect(mentions(byId.get(pick.id)!, m)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('output length ≤ maxItems, ids unique, per-source cap held, reasons on every pick', () => {
    fc.assert(
      fc.property(itemsArb, prefsArb, (items, p) => {
        const picks = createRanker(items).rank(prefs(p), { minScore: 0 });
        expect(picks.length).toBeLessThanOrEqual(p.maxItems);
        expect(new Set(picks.map((x) => x.id)).size).toBe(picks.length);
        const perSource = new Map<string, number>();
        for (const pick of picks) {
          const src = items.find((it) => it.id === pick.id)!.source!;
          perSource.set(src, (perSource.get(src) ?? 0) + 1);
          expect(pick.reasons.length).toBeGreaterThan(0);
        }
        for (const count of perSource.values()) expect(count).toBeLessThanOrEqual(p.perSourceCap);
      }),
      { numRuns: 200 },
    );
  });

  it('picks come best first', () => {
    fc.assert(
      fc.property(itemsArb, prefsArb, (items, p) => {
        const scores = createRanker(items)
          .rank(prefs(p), { minScore: 0 })
          .map((x) => x.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
      }),
      { numRuns: 100 },
    );
  });
});
