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
