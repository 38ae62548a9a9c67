import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from '../helpers/deps.ts';
import { sift } from './run.ts';

// `sift rank` as a real process with the real sentence encoder: vectors go to SIFT_CACHE_DIR.
const { dir, file } = tempFiles('sift-rank-sentences-');
const items = file(
  'items.jsonl',
  [
    { id: 'a', title: 'Oilers beat Flames in overtime', summary: 'The goalie made forty saves.' },
    {
      id: 'b',
      title: 'Hockey trade deadline: who moves',
      summary: 'https://example.com/x Teams weigh deals.',
    },
    { id: 'c', title: 'City council approves the new budget' },
    { id: 'd', title: 'Tennis: a five-set final' },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n'),
);
const prefs = file('prefs.json', JSON.stringify({ interests: ['hockey', 'NHL'], topics: ['Sport'] }));
const topics = file(
  'topics.json',
  JSON.stringify([{ name: 'Sport', terms: ['hockey', 'tennis', 'football'] }]),
);
const args = [
  'rank',
  '--items',
  items,
  '--prefs',
  prefs,
  '--topics',
  topics,
  '--top',
  '5',
  '--format',
  'json',
];

describe('sift rank with sentence vectors', { timeout: 120_000 }, () => {
  it('caches vectors in SIFT_CACHE_DIR and gives the same output from the cache', async () => {
    const cache = join(dir, 'cache');
    const first = await sift(args, { SIFT_CACHE_DIR: cache });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const picks = JSON.parse(first.stdout) as { id: string; score: number; reasons: string[] }[];
    expect(picks.length).toBeGreaterThan(0);
    for (const p of picks) expect(p.reasons.length).toBeGreaterThan(0);

    const files = readdirSync(cache);
    expect(files).toEqual([expect.stringMatching(/^vectors-[0-9a-f]{16}\.bin$/)]);
    // 4 items + 'hockey', 'NHL' and the topic's terms, each 32 key bytes + 512 int8s.
    const size = statSync(join(cache, files[0]!)).size;
    expect(size).toBe(7 * (32 + 512));

    const second = await sift(args, { SIFT_CACHE_DIR: cache });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(join(cache, files[0]!)).size).toBe(size); // nothing encoded again
  });

  it.each([
    ['--no-sentences', ['--no-sentences'], {}],
    ['--no-expansion', ['--no-expansion'], {}],
    ['SIFT_SENTENCES=off', [], { SIFT_SENTENCES: 'off' }],
  ])('ranks without them (%s): no cache written', async (what, extra, env) => {
    const cache = join(dir, `cache-${what.replace(/\W/g, '')}`);
    const r = await sift([...args, ...extra], { SIFT_CACHE_DIR: cache, ...env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    expect(existsSync(cache)).toBe(false);
  });

  it('documents --no-sentences in its help', async () => {
    const r = await sift(['rank', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--no-sentences/);
    expect(r.stdout).toMatch(/SIFT_CACHE_DIR/);
  });
});
