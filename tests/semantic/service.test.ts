import { beforeAll, describe, expect, it } from 'vitest';
import type { SentenceEncoder } from '../../src/semantic/encoder.ts';
import { createSentenceService, memoryVectorStore, type VectorEncoder } from '../../src/semantic/service.ts';
import { dbVectorStore } from '../../src/store/sentence-vectors.ts';
import { closedAfterEach, testDeps } from '../helpers/deps.ts';
import { requireSentenceEncoder } from '../helpers/encoder.ts';

const keep = closedAfterEach();

let real: SentenceEncoder;
beforeAll(async () => {
  real = await requireSentenceEncoder();
});

/** The real encoder, counting the texts it is asked to encode. */
function counting(model?: string): VectorEncoder & { texts: string[] } {
  const texts: string[] = [];
  return {
    model: model ?? real.model,
    dims: real.dims,
    texts,
    encode(list) {
      texts.push(...list);
      return real.encode(list);
    },
  };
}

const cosine = (a: Int8Array, b: Int8Array) => a.reduce((s, x, i) => s + x * b[i]!, 0) / 127 ** 2;

describe('sentence service', () => {
  it('encodes each distinct text once, stores it, and reads it back instead of encoding again', async () => {
    const deps = await testDeps();
    keep(deps);
    const encoder = counting();
    const service = createSentenceService(encoder, dbVectorStore(deps.db));
    const texts = ['Oilers beat Flames in overtime', 'hockey', 'City council approves budget', 'hockey'];
    const first = await service.vectors(texts);
    expect(encoder.texts).toEqual([
      'Oilers beat Flames in overtime',
      'hockey',
      'City council approves budget',
    ]);
    expect(first[1]).toEqual(first[3]);
    expect(cosine(first[0]!, first[1]!)).toBeGreaterThan(cosine(first[2]!, first[1]!));
    // A second service over the same database (another process, a restart) encodes nothing.
    const again = counting();
    const second = await createSentenceService(again, dbVectorStore(deps.db)).vectors(texts);
    expect(again.texts).toEqual([]);
    expect(second).toEqual(first);
  });

  it('encodes at most the budget of missing texts; the rest come back undefined and are encoded later', async () => {
    const deps = await testDeps();
    keep(deps);
    const encoder = counting();
    const service = createSentenceService(encoder, dbVectorStore(deps.db));
    const texts = ['one story', 'two story', 'three story'];
    const partial = await service.vectors(texts, { encode: 1 });
    expect(partial.filter(Boolean)).toHaveLength(1);
    expect(encoder.texts).toEqual(['one story']);
    expect(await service.vectors(texts, { encode: 0 })).toEqual([partial[0], undefined, undefined]);
    const full = await service.vectors(texts);
    expect(full.every((v) => v?.length === real.dims)).toBe(true);
    expect(encoder.texts).toEqual(['one story', 'two story', 'three story']);
  });

  it('never reads vectors another model stored', async () => {
    const deps = await testDeps();
    keep(deps);
    await createSentenceService(counting('model-a'), dbVectorStore(deps.db)).vectors(['hockey']);
    const b = counting('model-b');
    await createSentenceService(b, dbVectorStore(deps.db)).vectors(['hockey']);
    expect(b.texts).toEqual(['hockey']);
  });

  it('keeps interests in memory only, the most recently used first out last', async () => {
    const store = memoryVectorStore(2);
    const v = (n: number) => Int8Array.of(n);
    await store.put(
      new Map([
        ['a', v(1)],
        ['b', v(2)],
      ]),
    );
    await store.get(['a']); // a is now more recent than b
    await store.put(new Map([['c', v(3)]]));
    expect([...(await store.get(['a', 'b', 'c'])).keys()]).toEqual(['a', 'c']);
  });

  it('returns what it encoded even when the store cannot keep it, and says so', async () => {
    const warnings: string[] = [];
    const broken = {
      get: async () => new Map<string, Int8Array>(),
      put: async () => {
        throw new Error('disk full');
      },
    };
    const service = createSentenceService(counting(), broken, { warn: (msg) => warnings.push(msg) });
    const [v] = await service.vectors(['hockey']);
    expect(v?.length).toBe(real.dims);
    expect(warnings).toEqual(['semantic: sentence vectors encoded but not stored']);
  });

  it('when encoding fails, throws, or with storedOnFailure returns the stored vectors and says so', async () => {
    const store = memoryVectorStore(10);
    await createSentenceService(counting(), store).vectors(['hockey']);
    const failing: VectorEncoder = {
      model: real.model,
      dims: real.dims,
      encode: async () => {
        throw new Error('model not loaded');
      },
    };
    const warnings: string[] = [];
    const service = createSentenceService(failing, store, { warn: (msg) => warnings.push(msg) });
    await expect(service.vectors(['hockey', 'curling'])).rejects.toThrow(/model not loaded/);
    const [hockey, curling] = await service.vectors(['hockey', 'curling'], { storedOnFailure: true });
    expect(hockey?.length).toBe(real.dims);
    expect(curling).toBeUndefined();
    expect(warnings).toEqual(['semantic: cannot encode now, using stored vectors only']);
  });

  it('encodes a text once when two callers ask for it at the same time', async () => {
    const deps = keep(await testDeps());
    const encoder = counting();
    const service = createSentenceService(encoder, dbVectorStore(deps.db));
    const [a, b] = await Promise.all([
      service.vectors(['new story', 'hockey']),
      service.vectors(['new story']),
    ]);
    expect(encoder.texts.filter((t) => t === 'new story')).toHaveLength(1);
    expect(b[0]).toEqual(a[0]);
  });

  it('with encode: 0, answers from the store at once, without waiting for another caller’s encode', async () => {
    const deps = keep(await testDeps());
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // An encoder that holds its job until released, as a new source's hundred items would.
    const slow: VectorEncoder = {
      model: real.model,
      dims: real.dims,
      encode: async (list) => {
        await held;
        return real.encode(list);
      },
    };
    const service = createSentenceService(slow, dbVectorStore(deps.db));
    const ingest = service.vectors(['new story']);
    const [page] = await service.vectors(['new story'], { encode: 0 });
    expect(page).toBeUndefined();
    release();
    expect((await ingest)[0]).toBeDefined();
    // Once stored, the same stored-only call finds it.
    expect((await service.vectors(['new story'], { encode: 0 }))[0]).toEqual((await ingest)[0]);
  });
});
