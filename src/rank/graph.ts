/**
 * The item-similarity graph of a batch: each item's nearest items by tf-idf cosine over
 * their content words. Scores spread one step along it (the cluster hypothesis: items that
 * share rare words — "LeBron", "Lakers" — share topics), which finds relevant items that
 * never use the subscriber's words nor any expansion of them.
 */
import { type Corpus, idf } from './corpus.ts';

/** Neighbours per item and the smallest cosine worth keeping. */
const K = 10;
const MIN_COSINE = 0.1;

/** Per item: neighbour indices and cosines (flat arrays, K slots per item, -1 for empty). */
export interface ItemGraph {
  k: number;
  nbr: Int32Array;
  weight: Float32Array;
}

/** Builds the graph; only words in at most ~2% of items link items (common words link everything). */
export function buildGraph(corpus: Corpus): ItemGraph {
  const n = corpus.n;
  const maxDf = Math.max(5, Math.ceil(n * 0.02));
  const vecTerms: Int32Array[] = [];
  const vecWeights: Float32Array[] = [];
  const inv: number[][] = [];
  for (let t = 0; t < corpus.terms.length; t++) inv.push([]);
  for (let d = 0; d < n; d++) {
    const ts: number[] = [];
    const ws: number[] = [];
    let norm = 0;
    for (const t of corpus.docTerms[d]!) {
      const w = idf(corpus, t);
      ts.push(t);
      ws.push(w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    vecTerms.push(Int32Array.from(ts));
    vecWeights.push(Float32Array.from(ws, (w) => w / norm));
  }
  const weightOf: Map<number, number>[] = [];
  for (let d = 0; d < n; d++) {
    const m = new Map<number, number>();
    const ts = vecTerms[d]!;
    const ws = vecWeights[d]!;
    for (let i = 0; i < ts.length; i++) {
      m.set(ts[i]!, ws[i]!);
      if (corpus.df[ts[i]!]! <= maxDf && corpus.df[ts[i]!]! >= 2) inv[ts[i]!]!.push(d);
    }
    weightOf.push(m);
  }
  const nbr = new Int32Array(n * K).fill(-1);
  const weight = new Float32Array(n * K);
  const acc = new Float32Array(n);
  const touched: number[] = [];
  for (let d = 0; d < n; d++) {
    const ts = vecTerms[d]!;
    const ws = vecWeights[d]!;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (corpus.df[t]! > maxDf) continue;
      for (const o of inv[t]!) {
        if (o === d) continue;
        if (acc[o] === 0) touched.push(o);
        acc[o]! += ws[i]! * weightOf[o]!.get(t)!;
      }
    }
    touched.sort((a, b) => acc[b]! - acc[a]!);
    let j = 0;
    for (const o of touched) {
      if (j >= K || acc[o]! < MIN_COSINE) break;
      nbr[d * K + j] = o;
      weight[d * K + j] = acc[o]!;
      j++;
    }
    for (const o of touched) acc[o] = 0;
    touched.length = 0;
  }
  return { k: K, nbr, weight };
}
