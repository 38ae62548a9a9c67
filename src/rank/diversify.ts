/**
 * Selection: from scored candidates, best first, pick an edition that shows each story once
 * (story clusters, cluster.ts) and respects the per-source cap, so no outlet crowds the rest.
 * TopK is the bounded best-first heap that candidate lists are built with everywhere.
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
  /**
   * Sorts the kept candidates in place, best first (ties: lower doc index first), in
   * `docs`/`scores` [0, size), by heapsort over the two typed arrays: no tuples, no comparator
   * closures. Returns this. The heap is spent afterwards (reset() before pushing again).
   */
  sortedInPlace(): this {
    // Re-heapify with the tie-aware order, then move the lowest to the end repeatedly.
    const n = this.size;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.sift(i, n);
    for (let end = n - 1; end > 0; end--) {
      this.swap(0, end);
      this.sift(0, end);
    }
    return this;
  }
  /** "a ranks below b": lower score, or the same score and a higher doc index. */
  private below(a: number, b: number): boolean {
    const s = this.scores;
    return s[a]! < s[b]! || (s[a] === s[b] && this.docs[a]! > this.docs[b]!);
  }
  private swap(a: number, b: number): void {
    const docs = this.docs;
    const scores = this.scores;
    const d = docs[a]!;
    docs[a] = docs[b]!;
    docs[b] = d;
    const s = scores[a]!;
    scores[a] = scores[b]!;
    scores[b] = s;
  }
  private sift(i: number, n: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.below(r, l) ? r : l;
      if (!this.below(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }
  /** The kept candidates, best first (ties: lower doc index first). Spends the heap. */
  sorted(): [number, number][] {
    this.sortedInPlace();
    const out: [number, number][] = [];
    for (let i = 0; i < this.size; i++) out.push([this.docs[i]!, this.scores[i]!]);
    return out;
  }
  /** The same as two parallel arrays, scores multiplied by `scale`. Spends the heap. */
  columns(scale = 1): { docs: number[]; scores: number[] } {
    this.sortedInPlace();
    const docs: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < this.size; i++) {
      docs.push(this.docs[i]!);
      scores.push(this.scores[i]! * scale);
    }
    return { docs, scores };
  }
}

/**
 * Greedy selection over best-first candidates: one pick per story, at most `perSourceCap` per
 * named source. Built once per ranker; per-call marks are stamped instead of cleared, so a call
 * allocates nothing beyond its output.
 */
export class Selector {
  private readonly clusterMark: Int32Array;
  private readonly sourceMark: Int32Array;
  private readonly sourceCount: Int32Array;
  private stamp = 0;
  /** `sourceId[d]`: a small integer per named source, -1 for items without a source. */
  constructor(
    private readonly clusters: Clusters,
    private readonly sourceId: Int32Array,
    sources: number,
  ) {
    this.clusterMark = new Int32Array(sourceId.length);
    this.sourceMark = new Int32Array(sources);
    this.sourceCount = new Int32Array(sources);
  }
  /** Picks from the first `count` candidates (best first) into outDocs/outScores; returns how many. */
  select(
    docs: ArrayLike<number>,
    scores: ArrayLike<number>,
    count: number,
    limit: number,
    perSourceCap: number,
    outDocs: number[],
    outScores: number[],
  ): number {
    const stamp = ++this.stamp;
    outDocs.length = 0;
    outScores.length = 0;
    for (let i = 0; i < count && outDocs.length < limit; i++) {
      const d = docs[i]!;
      const cluster = this.clusters.of[d]!;
      if (this.clusterMark[cluster] === stamp) continue;
      // Items without a source are not one source: the cap only applies to named sources.
      const src = this.sourceId[d]!;
      if (src >= 0) {
        if (this.sourceMark[src] !== stamp) {
          this.sourceMark[src] = stamp;
          this.sourceCount[src] = 0;
        }
        if (this.sourceCount[src]! >= perSourceCap) continue;
        this.sourceCount[src]!++;
      }
      this.clusterMark[cluster] = stamp;
      outDocs.push(d);
      outScores.push(scores[i]!);
    }
    return outDocs.length;
  }
}
