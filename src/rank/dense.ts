/**
 * Dense (semantic) retrieval over the batch's document vectors: the items nearest in meaning
 * to an interest's vector, for when its words and their expansions run out ("fill by
 * meaning"). Small batches are scanned exactly; large ones through a coarse inverted-file
 * index (IVF: items grouped under evenly spaced seed items, only the closest groups scanned),
 * so a distinct interest costs ~2,000 dot products instead of one per item.
 */
import type { Corpus } from './corpus.ts';
import { TopK } from './diversify.ts';
import { dot } from './embeddings.ts';

/** Below this many items an exact scan is cheap enough. */
const EXACT_MAX = 3000;
/** Groups scanned per query (of ≈ √n / 2 groups, so ~8 × 2√n items per query). */
const PROBES = 8;

/** Items grouped by their nearest seed vector; null lists mean "scan everything". */
export interface DenseIndex {
  dims: number;
  centroids: Float32Array;
  lists: Int32Array[] | null;
}

const indexCache = new WeakMap<Corpus, DenseIndex | null>();
/**
 * The batch's index, built on first use (only interests whose words run out need it) and then
 * kept with the corpus, like the bigram index (lexical.ts).
 */
export function denseIndexOf(corpus: Corpus): DenseIndex | null {
  let index = indexCache.get(corpus);
  if (index === undefined) indexCache.set(corpus, (index = buildDenseIndex(corpus)));
  return index;
}

/** Builds the coarse index (O(n·√n·dims) once per batch), or an exact-scan marker for small batches. */
function buildDenseIndex(corpus: Corpus): DenseIndex | null {
  const v = corpus.docVectors;
  if (!v || corpus.n === 0) return null;
  const dims = v.length / corpus.n;
  if (corpus.n <= EXACT_MAX) return { dims, centroids: new Float32Array(0), lists: null };
  // Fewer, larger groups than the textbook √n: assignment (n × groups dot products) is the
  // cost that every batch pays, the scan only the interests that need a fill.
  const c = Math.ceil(Math.sqrt(corpus.n) / 2);
  const step = corpus.n / c;
  const centroids = new Float32Array(c * dims);
  for (let j = 0; j < c; j++)
    centroids.set(v.subarray(Math.floor(j * step) * dims, (Math.floor(j * step) + 1) * dims), j * dims);
  const members: number[][] = Array.from({ length: c }, () => []);
  for (let d = 0; d < corpus.n; d++) {
    const doc = v.subarray(d * dims, (d + 1) * dims);
    let bestJ = 0;
    let bestS = -Infinity;
    for (let j = 0; j < c; j++) {
      const s = dot(doc, centroids, j * dims);
      if (s > bestS) [bestS, bestJ] = [s, j];
    }
    members[bestJ]!.push(d);
  }
  return { dims, centroids, lists: members.map((m) => Int32Array.from(m)) };
}

/** The `k` items nearest to unit vector q (cosine), best first (approximate for grouped batches). */
export function nearestDocs(
  corpus: Corpus,
  index: DenseIndex,
  q: Float32Array,
  k: number,
): { docs: number[]; scores: number[] } {
  const v = corpus.docVectors!;
  const dims = index.dims;
  const top = new TopK(k);
  const scan = (d: number) => top.push(d, dot(q, v, d * dims));
  if (!index.lists) for (let d = 0; d < corpus.n; d++) scan(d);
  else {
    const groups = new TopK(PROBES);
    for (let j = 0; j < index.lists.length; j++) groups.push(j, dot(q, index.centroids, j * dims));
    for (let g = 0; g < groups.size; g++) for (const d of index.lists[groups.docs[g]!]!) scan(d);
  }
  return top.columns();
}
