import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSentenceEncoder, type SentenceEncoder, sentencesEnabled } from '../../src/semantic/encoder.ts';
import { requireSentenceEncoder } from '../helpers/encoder.ts';

const cosine = (a: Int8Array, b: Int8Array) => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot / (127 * 127);
};
const norm = (v: Int8Array) => Math.hypot(...v);

// The real model (Universal Sentence Encoder lite, ~150 ms to load): no mocks.
let encoder: SentenceEncoder;
beforeAll(async () => {
  encoder = await requireSentenceEncoder();
});
afterEach(() => vi.unstubAllEnvs());

describe('sentence encoder', () => {
  it('names its model and version, and is loaded once per process', async () => {
    expect(encoder.model).toBe('use-lite-512@energetic-ai-0.2.0');
    expect(encoder.dims).toBe(512);
    expect(await loadSentenceEncoder()).toBe(encoder);
  });

  it('puts a hockey headline nearer to "hockey" than a council headline', async () => {
    const [hockey, game, council] = await encoder.encode([
      'hockey',
      'Oilers beat Flames in overtime, goalie makes forty saves',
      'City council approves the new budget',
    ]);
    expect(cosine(game!, hockey!)).toBeGreaterThan(cosine(council!, hockey!) + 0.1);
  });

  it('gives int8 unit vectors ×127 of the model’s length', async () => {
    const vectors = await encoder.encode(['hockey', 'A much longer sentence about the city council budget.']);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Int8Array);
      expect(v.length).toBe(encoder.dims);
      // Rounding moves the norm a little: "hockey" has many components near ±6.3 (→ 6), so 122.8.
      expect(norm(v)).toBeGreaterThan(127 * 0.95);
      expect(norm(v)).toBeLessThan(127 * 1.05);
    }
  });

  it('keeps the order across batches: each vector is the one its text gets alone', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `headline number ${i} about topic ${i % 7}`);
    const all = await encoder.encode(texts);
    expect(all).toHaveLength(70);
    for (const i of [0, 1, 63, 64, 69]) expect(all[i]).toEqual((await encoder.encode([texts[i]!]))[0]);
  });

  it('returns [] for no texts, and a zero vector for an empty text without shifting the others', async () => {
    expect(await encoder.encode([])).toEqual([]);
    const [alone] = await encoder.encode(['hockey']);
    const [a, b, c] = await encoder.encode(['', 'hockey', '']);
    expect(a).toEqual(new Int8Array(encoder.dims));
    expect(b).toEqual(alone);
    expect(c).toEqual(new Int8Array(encoder.dims));
  });

  it('lets a short job (an interest) go ahead of the rest of a long one (a new source)', async () => {
    const finished: string[] = [];
    const long = encoder
      .encode(Array.from({ length: 64 }, (_, i) => `Story ${i}: the council votes on the budget tonight`))
      .then(() => finished.push('long'));
    const short = encoder.encode(['hockey']).then(() => finished.push('short'));
    await Promise.all([long, short]);
    expect(finished).toEqual(['short', 'long']);
  });

  it('reads SIFT_SENTENCES exactly as the server config does', () => {
    expect(sentencesEnabled(undefined)).toBe(true);
    expect(sentencesEnabled('on')).toBe(true);
    expect(sentencesEnabled('off')).toBe(false);
    expect(() => sentencesEnabled('maybe')).toThrow();
  });
});
