import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/security/encoding.ts';
import { createFileVectorCache } from '../../src/semantic/cache.ts';
import type { SentenceEncoder } from '../../src/semantic/encoder.ts';
import { createSentenceService, sentenceKey } from '../../src/semantic/service.ts';
import { tempDir } from '../helpers/deps.ts';
import { requireSentenceEncoder } from '../helpers/encoder.ts';

const model = { model: 'test-model@1', dims: 8 };
const vec = (seed: number) => Int8Array.from({ length: 8 }, (_, i) => ((seed * 31 + i * 17) % 255) - 127);
const entries = async (...texts: string[]) =>
  new Map(
    await Promise.all(texts.map(async (t, i) => [await sentenceKey(model.model, t), vec(i + 1)] as const)),
  );
const onlyFile = (dir: string) => {
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  return join(dir, files[0]!);
};

describe('file vector cache', () => {
  it('returns what was put, and only that', async () => {
    const cache = createFileVectorCache(tempDir('sift-vec-'), model);
    const put = await entries('a', 'b');
    await cache.put(put);
    const absent = await sentenceKey(model.model, 'c');
    const got = await cache.get([...put.keys(), absent]);
    expect(got).toEqual(put);
    expect(got.has(absent)).toBe(false);
  });

  it('keys by model and text: sha256 of "model\\ntext"', async () => {
    expect(await sentenceKey('m', 'hockey')).toMatch(/^[0-9a-f]{64}$/);
    expect(await sentenceKey('m', 'hockey')).toBe(await sha256Hex('m\nhockey'));
    expect(await sentenceKey('m', 'hockey')).not.toBe(await sentenceKey('n', 'hockey'));
  });

  it('survives reopening, one 32+dims byte record per vector, a put key written once', async () => {
    const dir = tempDir('sift-vec-');
    const put = await entries('a', 'b', 'c');
    await createFileVectorCache(dir, model).put(put);
    const again = createFileVectorCache(dir, model);
    await again.put(await entries('a')); // already there: not appended again
    expect(statSync(onlyFile(dir)).size).toBe(3 * (32 + 8));
    expect(await createFileVectorCache(dir, model).get([...put.keys()])).toEqual(put);
  });

  it('ignores a truncated last record and keeps later appends aligned', async () => {
    const dir = tempDir('sift-vec-');
    const first = await entries('a', 'b');
    await createFileVectorCache(dir, model).put(first);
    appendFileSync(onlyFile(dir), Buffer.from([1, 2, 3, 4, 5])); // an interrupted write
    const reopened = createFileVectorCache(dir, model);
    expect(await reopened.get([...first.keys()])).toEqual(first);
    const later = new Map([[await sentenceKey(model.model, 'z'), vec(9)]]);
    await reopened.put(later);
    const all = new Map([...first, ...later]);
    expect(await createFileVectorCache(dir, model).get([...all.keys()])).toEqual(all);
    expect(statSync(onlyFile(dir)).size).toBe(3 * (32 + 8));
  });

  it('a write that stopped halfway, in the same process, does not shift the records after it', async () => {
    const dir = tempDir('sift-vec-');
    const cache = createFileVectorCache(dir, model);
    const first = await entries('a');
    await cache.put(first);
    appendFileSync(onlyFile(dir), Buffer.from([1, 2, 3])); // what a failed append leaves behind
    const later = new Map([[await sentenceKey(model.model, 'z'), vec(9)]]);
    await cache.put(later);
    const all = new Map([...first, ...later]);
    expect(statSync(onlyFile(dir)).size).toBe(2 * (32 + 8));
    expect(await createFileVectorCache(dir, model).get([...all.keys()])).toEqual(all);
  });

  it('keeps one file per model', async () => {
    const dir = tempDir('sift-vec-');
    await createFileVectorCache(dir, model).put(await entries('a'));
    const other = createFileVectorCache(dir, { model: 'other-model@2', dims: 8 });
    expect((await other.get([...(await entries('a')).keys()])).size).toBe(0);
    await other.put(new Map([[await sentenceKey('other-model@2', 'a'), vec(3)]]));
    expect(readdirSync(dir).filter((f) => /^vectors-[0-9a-f]{16}\.bin$/.test(f))).toHaveLength(2);
  });

  it('refuses a vector of the wrong length or a malformed key', async () => {
    const cache = createFileVectorCache(tempDir('sift-vec-'), model);
    await expect(
      cache.put(new Map([[await sentenceKey(model.model, 'a'), new Int8Array(3)]])),
    ).rejects.toThrow(/8 dimensions/);
    await expect(cache.put(new Map([['not-a-key', vec(1)]]))).rejects.toThrow(/64 hex/);
  });
});

describe('the sentence service over the file store', () => {
  let real: SentenceEncoder;
  beforeAll(async () => {
    real = await requireSentenceEncoder();
  });

  it('encodes only what the cache lacks, each text once, and answers in order', async () => {
    const asked: string[][] = [];
    const counting: SentenceEncoder = {
      model: real.model,
      dims: real.dims,
      encode: (texts, onProgress) => {
        asked.push([...texts]);
        return real.encode(texts, onProgress);
      },
    };
    const dir = tempDir('sift-vec-');
    const cache = createFileVectorCache(dir, counting);
    const first = await createSentenceService(counting, cache).vectors(['hockey', 'budget', 'hockey']);
    expect(asked).toEqual([['hockey', 'budget']]);
    expect(first[0]).toEqual(first[2]);
    expect(first[0]).toEqual((await real.encode(['hockey']))[0]);

    const second = await createSentenceService(counting, cache).vectors(['budget', 'tennis', 'hockey']);
    expect(asked).toEqual([['hockey', 'budget'], ['tennis']]);
    expect(second[0]).toEqual(first[1]);
    expect(second[2]).toEqual(first[0]);
    expect(second[1]).toEqual((await real.encode(['tennis']))[0]);

    // From the file alone, in a new cache: nothing to encode.
    await createSentenceService(counting, createFileVectorCache(dir, counting)).vectors(['tennis', 'budget']);
    expect(asked).toHaveLength(2);
    expect(await createSentenceService(counting, cache).vectors([])).toEqual([]);
    expect(asked).toHaveLength(2);
  });
});
