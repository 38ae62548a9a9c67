/**
 * Story clusters: copies of one story (syndicated, or covered by several outlets with nearly
 * the same headline) are grouped so an edition shows the story once and can say "also
 * covered by N sources". An item's own clusterId (from ingest) wins; otherwise titles whose
 * content words overlap strongly (Jaccard ≥ 0.6) or identical URLs are joined.
 */
import type { Corpus } from './corpus.ts';
import { isContentWord, stem, tokenize } from './tokenize.ts';

const JACCARD = 0.6;

/** Cluster id per doc (a doc index), and the number of distinct other sources per cluster. */
export interface Clusters {
  of: Int32Array;
  /** For each doc: how many distinct other sources carry the same story. */
  otherSources: Int32Array;
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]!]!;
    x = parent[x]!;
  }
  return x;
}

/** Groups copies of a story within the batch. */
export function buildClusters(corpus: Corpus): Clusters {
  const n = corpus.n;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const union = (a: number, b: number) => {
    const ra = find(parent, a);
    const rb = find(parent, b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byKey = new Map<string, number>();
  const titleSets: Set<string>[] = [];
  // Candidate pairs share their rarest title word, which keeps this near-linear.
  const byRare = new Map<string, number[]>();
  const df = new Map<string, number>();
  for (let d = 0; d < n; d++) {
    const item = corpus.items[d]!;
    for (const key of [item.clusterId && `c:${item.clusterId}`, item.url && `u:${item.url}`]) {
      if (!key) continue;
      const first = byKey.get(key);
      if (first === undefined) byKey.set(key, d);
      else union(first, d);
    }
    const set = new Set(tokenize(item.title).filter(isContentWord).map(stem));
    titleSets.push(set);
    for (const w of set) df.set(w, (df.get(w) ?? 0) + 1);
  }
  for (let d = 0; d < n; d++) {
    const set = titleSets[d]!;
    if (set.size < 3) continue; // too short to call two headlines the same story
    let rare = '';
    let best = Infinity;
    for (const w of set) {
      const f = df.get(w)!;
      if (f < best || (f === best && w < rare)) [rare, best] = [w, f];
    }
    if (best < 2 || best > 50) continue;
    let list = byRare.get(rare);
    if (!list) byRare.set(rare, (list = []));
    for (const other of list) {
      const o = titleSets[other]!;
      let inter = 0;
      for (const w of set) if (o.has(w)) inter++;
      if (inter / (set.size + o.size - inter) >= JACCARD) union(other, d);
    }
    list.push(d);
  }
  const of = new Int32Array(n);
  const sources = new Map<number, Set<string>>();
  for (let d = 0; d < n; d++) {
    const root = find(parent, d);
    of[d] = root;
    let s = sources.get(root);
    if (!s) sources.set(root, (s = new Set()));
    s.add((corpus.items[d]!.source ?? `#${d}`).toLowerCase());
  }
  const otherSources = new Int32Array(n);
  for (let d = 0; d < n; d++) {
    const own = (corpus.items[d]!.source ?? `#${d}`).toLowerCase();
    const s = sources.get(of[d]!)!;
    otherSources[d] = s.size - (s.has(own) ? 1 : 0);
  }
  return { of, otherSources };
}
