/**
 * Selection: from scored candidates, best first, pick an edition that shows each story once
 * (story clusters, cluster.ts) and respects the per-source cap, so no outlet crowds the rest.
 */
import type { Clusters } from './cluster.ts';

/** Keeps the best `k` (doc, score) pairs seen, in a min-heap: O(n log k) with n ≫ k. */
export class TopK {
  docs: Int32Array;
  scores: Float64Array;
  size = 0;
  constructor(public k: number) {
    this.docs = new Int32Array(k);
    this.scores = new Float64Array(k);
  }
  /** Empties the heap for reuse with a new k (reallocates only when k grows). */
  reset(k: number): this {
    if (k > this.docs.length) {
      this.docs = new Int32Array(k);
      this.scores = new Float64Array(k);
    }
    this.k = k;
    this.size = 0;
    return this;
  }
  /** Whether a candidate with this score would be kept (cheap pre-check before costly filters). */
  admits(s: number): boolean {
    return this.size < this.k || s > this.scores[0]!;
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
  /** The same as two parallel arrays, scores multiplied by `scale`. */
  columns(scale = 1): { docs: number[]; scores: number[] } {
    const order: number[] = [];
    for (let i = 0; i < this.size; i++) order.push(i);
    const s = this.scores;
    const d = this.docs;
    order.sort((a, b) => s[b]! - s[a]! || d[a]! - d[b]!);
    const docs: number[] = [];
    const scores: number[] = [];
    for (const i of order) {
      docs.push(d[i]!);
      scores.push(s[i]! * scale);
    }
    return { docs, scores };
  }
}

/** Greedy selection over best-first candidates; returns the picked docs with scores. */
export function diversify(
  clusters: Clusters,
  sourceOf: readonly (string | undefined)[],
  candidates: readonly [number, number][],
  limit: number,
  perSourceCap: number,
): [number, number][] {
  const picks: [number, number][] = [];
  const seenClusters = new Set<number>();
  const perSource = new Map<string, number>();
  for (const [d, s] of candidates) {
    if (picks.length >= limit) break;
    const cluster = clusters.of[d]!;
    if (seenClusters.has(cluster)) continue;
    // Items without a source are not one source: the cap only applies to named sources.
    const src = sourceOf[d];
    if (src !== undefined && (perSource.get(src) ?? 0) >= perSourceCap) continue;
    picks.push([d, s]);
    seenClusters.add(cluster);
    if (src !== undefined) perSource.set(src, (perSource.get(src) ?? 0) + 1);
  }
  return picks;
}
