/** Lexical relevance: BM25F over the precomputed postings, plus exact-phrase matches. */
import type { Accumulator } from './accumulator.ts';
import { type Corpus, idf } from './corpus.ts';

/** A weighted query term (term id in the corpus). */
export interface QueryTerm {
  term: number;
  weight: number;
}

/** Adds the BM25F score of each query term to the accumulator. */
export function addBm25(corpus: Corpus, query: readonly QueryTerm[], acc: Accumulator): void {
  for (const q of query) {
    const p = corpus.postings[q.term];
    if (!p) continue;
    const w = q.weight * idf(corpus, q.term);
    for (let i = 0; i < p.docs.length; i++) acc.add(p.docs[i]!, w * p.impact[i]!);
  }
}

/** Where `x` is in an ascending array (-1 when absent): a binary search. */
export function indexIn(sorted: Int32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const y = sorted[mid]!;
    if (y === x) return mid;
    if (y < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The same BM25F scores as addBm25, computed the naive way: every item, every query term
 * (binary search in the postings). Only for the bench's baseline ("score every item for every
 * subscriber with the same formula").
 */
export function addBm25Scan(corpus: Corpus, query: readonly QueryTerm[], acc: Accumulator): void {
  const postings = query.map((q) => corpus.postings[q.term]);
  const weights = query.map((q) => q.weight * idf(corpus, q.term));
  for (let d = 0; d < corpus.n; d++) {
    let s = 0;
    for (let j = 0; j < postings.length; j++) {
      const p = postings[j];
      if (!p) continue;
      const i = indexIn(p.docs, d);
      if (i >= 0) s += weights[j]! * p.impact[i]!;
    }
    if (s > 0) acc.add(d, s);
  }
}

function containsSeq(seq: Int32Array, phrase: readonly number[]): boolean {
  outer: for (let i = 0; i + phrase.length <= seq.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (seq[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Every adjacent pair of stems in the batch as one sorted key (pair × n + doc), built on the
 * first phrase query: a phrase's candidates are then a binary search away instead of a scan
 * over every item holding its rarest word (common-word phrases hit thousands of items).
 */
const bigramCache = new WeakMap<Corpus, Float64Array>();
function bigrams(corpus: Corpus): Float64Array {
  let keys = bigramCache.get(corpus);
  if (keys) return keys;
  let m = 0;
  for (const seq of corpus.docSeq) m += seq.length;
  keys = new Float64Array(m);
  const V = corpus.terms.length;
  let k = 0;
  corpus.docSeq.forEach((seq, d) => {
    for (let i = 0; i + 1 < seq.length; i++) {
      const a = seq[i]!;
      const b = seq[i + 1]!;
      if (a >= 0 && b >= 0) keys![k++] = (a * V + b) * corpus.n + d;
    }
  });
  keys = keys.subarray(0, k).sort();
  bigramCache.set(corpus, keys);
  return keys;
}

/** Docs (ascending, distinct) whose sequence has stems a then b adjacent. */
function pairDocs(corpus: Corpus, a: number, b: number): number[] {
  const keys = bigrams(corpus);
  const lo = (a * corpus.terms.length + b) * corpus.n;
  const hi = lo + corpus.n;
  let l = 0;
  let h = keys.length;
  while (l < h) {
    const mid = (l + h) >>> 1;
    if (keys[mid]! < lo) l = mid + 1;
    else h = mid;
  }
  const out: number[] = [];
  for (let i = l; i < keys.length && keys[i]! < hi; i++) {
    const d = keys[i]! - lo;
    if (out[out.length - 1] !== d) out.push(d);
  }
  return out;
}

/** Docs containing the stem sequence in one field (candidates from the pair index, then verified). */
export function phraseDocs(
  corpus: Corpus,
  phrase: readonly number[],
  contentTerms: readonly number[],
): number[] {
  let rarest: Int32Array | undefined;
  for (const t of contentTerms.length ? contentTerms : phrase) {
    const p = corpus.postings[t];
    if (!p || p.docs.length === 0) return [];
    if (!rarest || p.docs.length < rarest.length) rarest = p.docs;
  }
  const V = corpus.terms.length;
  // Pair keys must stay exact in a double; beyond that (huge batches) scan the rarest word's items.
  if (phrase.length < 2 || V * V * corpus.n >= 2 ** 52) {
    const out: number[] = [];
    for (const d of rarest!) if (containsSeq(corpus.docSeq[d]!, phrase)) out.push(d);
    return out;
  }
  const cands = pairDocs(corpus, phrase[0]!, phrase[1]!);
  if (phrase.length === 2) return cands;
  return cands.filter((d) => containsSeq(corpus.docSeq[d]!, phrase));
}
