/**
 * The item-similarity graph of a batch: each item's nearest items by tf-idf cosine over their
 * rarer content words. Scores spread one step along it (the cluster hypothesis: items that
 * share rare words — "LeBron", "Lakers" — share topics), which finds relevant items that
 * never use the subscriber's words nor any expansion of them.
 */
import { Accumulator } from './accumulator.ts';
import { type Corpus, idf } from './corpus.ts';
import { TopK } from './diversify.ts';

/** Neighbours per item and the smallest cosine worth keeping. */
const K = 10;
const MIN_COSINE = 0.1;
/** Words per item that can link it: its rarest ones (common words link everything to everything). */
const LINK_WORDS = 12;

/** Per item: neighbour indices and cosines (flat arrays, K slots per item, -1 for empty). */
export interface ItemGraph {
  k: number;
  nbr: Int32Array;
  weight: Float32Array;
}

/** Builds the graph in O(items × LINK_WORDS × postings of rare words). */
export function buildGraph(corpus: Corpus): ItemGraph {
  const n = corpus.n;
  const maxDf = Math.max(5, Math.ceil(n * 0.02));
  const idfs = new Float32Array(corpus.terms.length);
  for (let t = 0; t < idfs.length; t++) idfs[t] = idf(corpus, t);
  // Norm over all content words, so cosines stay comparable between long and short items.
  const norm = new Float32Array(n);
  const links: Int32Array[] = [];
  for (let d = 0; d < n; d++) {
    let s = 0;
    const cands: number[] = [];
    for (const t of corpus.docTerms[d]!) {
      s += idfs[t]! * idfs[t]!;
      const df = corpus.df[t]!;
      if (df >= 2 && df <= maxDf) cands.push(t);
    }
    norm[d] = Math.sqrt(s) || 1;
    cands.sort((a, b) => corpus.df[a]! - corpus.df[b]!);
    links.push(Int32Array.from(cands.slice(0, LINK_WORDS)));
  }
  const nbr = new Int32Array(n * K).fill(-1);
  const weight = new Float32Array(n * K);
  const acc = new Accumulator(n);
  const top = new TopK(K);
  for (let d = 0; d < n; d++) {
    acc.reset();
    for (const t of links[d]!) {
      const w = idfs[t]! * idfs[t]!;
      for (const o of corpus.postings[t]!.docs) if (o !== d) acc.add(o, w);
    }
    top.reset(K);
    for (let i = 0; i < acc.count; i++) {
      const o = acc.touched[i]!;
      const cos = acc.scores[o]! / (norm[d]! * norm[o]!);
      if (cos >= MIN_COSINE) top.push(o, cos);
    }
    top.sortedInPlace();
    for (let j = 0; j < top.size; j++) {
      nbr[d * K + j] = top.docs[j]!;
      weight[d * K + j] = top.scores[j]!;
    }
  }
  return { k: K, nbr, weight };
}
