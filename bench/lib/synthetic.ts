import { fnv1a } from '../../src/ingest/simhash.ts';
import type { SentenceVectors } from '../../src/rank/index.ts';
import { INTEREST_FRAME } from '../../src/rank/sentences.ts';

/** A deterministic PRNG (mulberry32) so runs are comparable. */
export function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s |= 0;
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Real English words for synthetic text, from the embedding table's words (commonest first,
 * e.g. `table.words` of the decoded src/rank/data/embeddings.bin): without the 150 commonest
 * (function) words, 20k at most, letters only.
 */
export function benchVocabulary(tableWords: readonly string[]): string[] {
  return tableWords.slice(150, 20_150).filter((w) => /^[a-z]+$/.test(w));
}

/** Draws words from the first `n` of `vocab` with Zipf exponent `s`, like real text. */
export function zipfWords(rand: () => number, vocab: readonly string[], n: number, s = 1): () => string {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo]!;
  };
}

/**
 * Sentence vectors shaped like an encoder's (unit length ×127, int8, `dims` long) for synthetic
 * text: each word gets a random direction seeded by the word itself (so the same word points the
 * same way in every call and every process) and a text the normalised sum of its words', so
 * items and interests that share words are close, as with a real encoder. Encoding is
 * ingest-time work in the product; benches get the vectors ready-made, and the ranking cost
 * depends only on their count and length. Interests are encoded up front, like the planner does.
 */
export function syntheticSentences(
  itemTexts: readonly string[],
  interestTexts: Iterable<string>,
  dims = 512,
  seed = 7,
): SentenceVectors {
  const words = new Map<string, Int8Array>();
  const wordVector = (w: string) => {
    let v = words.get(w);
    if (!v) {
      const rand = seededRandom(fnv1a(w, seed));
      words.set(w, (v = Int8Array.from({ length: dims }, () => Math.round(rand() * 254 - 127))));
    }
    return v;
  };
  const sum = new Float64Array(dims);
  // Every vector is a view into one buffer per kind: the benches hold these for their whole run,
  // where the product drops the database's per-row buffers once the ranker has copied them
  // (thousands of separate live ArrayBuffers would burden every garbage collection).
  const encodeAll = (texts: readonly string[]): Int8Array[] => {
    const buffer = new Int8Array(texts.length * dims);
    return texts.map((text, t) => {
      sum.fill(0);
      for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
        const v = wordVector(w);
        for (let i = 0; i < dims; i++) sum[i]! += v[i]!;
      }
      let norm = 0;
      for (let i = 0; i < dims; i++) norm += sum[i]! * sum[i]!;
      const scale = norm > 0 ? 127 / Math.sqrt(norm) : 0;
      const out = buffer.subarray(t * dims, (t + 1) * dims);
      for (let i = 0; i < dims; i++) out[i] = Math.round(sum[i]! * scale);
      return out;
    });
  };
  const items = encodeAll(itemTexts);
  const distinct = [...new Set(interestTexts)];
  // Encoded without the frame ('news about …'): here its words would get random directions of
  // their own and pull every interest away from the items, where a real encoder's framing brings
  // an interest closer to the headlines about it.
  const unframed = distinct.map((t) => (t.startsWith(INTEREST_FRAME) ? t.slice(INTEREST_FRAME.length) : t));
  const interests = new Map(encodeAll(unframed).map((v, i) => [distinct[i]!, v]));
  return { dims, items, interest: (t) => interests.get(t) };
}
