import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getSentenceVectors, putSentenceVectors } from '../../src/store/sentence-vectors.ts';
import { closedAfterEach, testDeps } from '../helpers/deps.ts';

const keep = closedAfterEach();

const vector = (seed: number) => Int8Array.from({ length: 512 }, (_, i) => ((seed * 31 + i * 7) % 255) - 127);

describe('sentence vector store', () => {
  it('returns the bytes it stored, by key, for more keys than one statement may bind', async () => {
    const deps = await testDeps();
    keep(deps);
    const entries = new Map(Array.from({ length: 250 }, (_, i) => [`key-${i}`, vector(i)] as const));
    await putSentenceVectors(deps.db, entries);
    const keys = [...entries.keys(), 'not-stored'];
    const got = await getSentenceVectors(deps.db, keys);
    expect(got.size).toBe(250);
    expect(got.has('not-stored')).toBe(false);
    for (const [k, v] of entries) expect(got.get(k)).toEqual(v);
  });

  it('keeps the first vector stored under a key (same content, same encoder)', async () => {
    const deps = await testDeps();
    keep(deps);
    await putSentenceVectors(deps.db, new Map([['k', vector(1)]]));
    await putSentenceVectors(deps.db, new Map([['k', vector(2)]]));
    expect((await getSentenceVectors(deps.db, ['k'])).get('k')).toEqual(vector(1));
    const rows = await deps.db.all<{ n: number }>(sql`select count(*) as n from sentence_vectors`);
    expect(rows[0]?.n).toBe(1);
  });
});
