/**
 * Selection: from scored candidates, best first, pick an edition that shows each story once,
 * respects the per-source cap and skips near-identical texts (a cheap form of MMR).
 */
import type { Clusters } from './cluster.ts';
import type { Corpus } from './corpus.ts';

/** Two stories whose document vectors are this close read as the same story. */
const SAME_STORY_COSINE = 0.95;

/** Keeps the best `k` (doc, score) pairs seen, in a min-heap: O(n log k) with n ≫ k. */
export class TopK {
  readonly docs: Int32Array;
  readonly scores: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.docs = new Int32Array(k);
    this.scores = new Float64Array(k);
  }
  /** Offers a candidate; ties keep the earlier (lower index) doc for stable output. */
  push(d: number, s: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.scores[p]! <= s) break;
        this.docs[i] = this.docs[p]!;
        this.scores[i] = this.scores[p]!;
        i = p;
      }
      this.docs[i] = d;
      this.scores[i] = s;
      return;
    }
    if (s <= this.scores[0]!) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.k) break;
      const r = l + 1;
      const c = r < this.k && this.scores[r]! < this.scores[l]! ? r : l;
      if (this.scores[c]! >= s) break;
      this.docs[i] = this.docs[c]!;
      this.scores[i] = this.scores[c]!;
      i = c;
    }
    this.docs[i] = d;
    this.scores[i] = s;
  }
  /** The kept candidates, best first (ties: lower doc index first). */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.size; i++) out.push([this.docs[i]!, this.scores[i]!]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
}

/** Greedy selection over best-first candidates; returns the picked docs with scores. */
export function diversify(
  corpus: Corpus,
  clusters: Clusters,
  sourceOf: readonly (string | undefined)[],
  candidates: readonly [number, number][],
  limit: number,
  perSourceCap: number,
): [number, number][] {
  const picks: [number, number][] = [];
  const seenClusters = new Set<number>();
  const perSource = new Map<string, number>();
  const vecs = corpus.docVectors;
  const dims = corpus.embeddings?.dims ?? 0;
  for (const [d, s] of candidates) {
    if (picks.length >= limit) break;
    const cluster = clusters.of[d]!;
    if (seenClusters.has(cluster)) continue;
    // Items without a source are not one source: the cap only applies to named sources.
    const src = sourceOf[d];
    if (src !== undefined && (perSource.get(src) ?? 0) >= perSourceCap) continue;
    if (vecs && picks.some(([p]) => cosine(vecs, dims, p, d) > SAME_STORY_COSINE)) continue;
    picks.push([d, s]);
    seenClusters.add(cluster);
    if (src !== undefined) perSource.set(src, (perSource.get(src) ?? 0) + 1);
  }
  return picks;
}

function cosine(v: Float32Array, dims: number, a: number, b: number): number {
  let s = 0;
  for (let i = 0, pa = a * dims, pb = b * dims; i < dims; i++) s += v[pa + i]! * v[pb + i]!;
  return s;
}
