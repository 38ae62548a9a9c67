import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runRank } from '../../src/cli/rank.ts';
import { tempFiles } from '../helpers/deps.ts';

const { dir, file } = tempFiles('sift-rank-');
const items = file(
  'items.jsonl',
  [
    { id: 'a', title: 'Hockey: Oilers beat Flames', source: 'Rink Gazette' },
    { id: 'b', title: 'Hockey betting odds for the final' },
    { id: 'c', title: 'City council approves budget' },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n'),
);
const prefsFile = file('prefs.json', JSON.stringify({ interests: ['hockey'], mutes: ['betting'] }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await runRank(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

describe('sift rank', () => {
  it('prints a JSON array of {id, score, reasons}, best first, without muted items', async () => {
    const r = await run(['--items', items, '--prefs', prefsFile, '--top', '5', '--format', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out);
    expect(list.map((x: { id: string }) => x.id)).toEqual(['a']);
    expect(list[0].reasons).toEqual(["matches your interest 'hockey'"]);
    expect(typeof list[0].score).toBe('number');
  });

  it('keeps --depth items per interest, as editions keep 50', async () => {
    const many = file(
      'many.jsonl',
      Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `h${i}`, title: `Hockey game ${i}` })).join(
        '\n',
      ),
    );
    const hockey = file('hockey.json', JSON.stringify({ interests: ['hockey'] }));
    const ranked = async (...extra: string[]) =>
      JSON.parse(
        (await run(['--items', many, '--prefs', hockey, '--top', '8', '--no-sentences', ...extra])).out,
      );
    expect(await ranked()).toHaveLength(8);
    expect(await ranked('--depth', '3')).toHaveLength(3);
  });

  it('prints help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--items FILE/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['--items', items])).code).toBe(2);
    expect((await run(['--items', items, '--prefs', prefsFile, '--top', 'x'])).code).toBe(2);
    expect((await run(['--items', items, '--prefs', prefsFile, '--depth', '0'])).code).toBe(2);
    expect((await run(['--bogus'])).code).toBe(2);
  });

  it('exits 1 with a clear message for a missing or bad file', async () => {
    const missing = await run(['--items', join(dir, 'nope.jsonl'), '--prefs', prefsFile]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no such file/);
    const bad = await run([
      '--items',
      file('bad.jsonl', '{"id":"a","title":"x"}\n{oops'),
      '--prefs',
      prefsFile,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.jsonl:2: not valid JSON/);
    const badPrefs = await run(['--items', items, '--prefs', file('p.json', '{"maxItems": -1}')]);
    expect(badPrefs.code).toBe(1);
    expect(badPrefs.err).toMatch(/invalid preferences: maxItems/);
  });
});
