/**
 * One interest (or catalogue topic) → a sparse relevance vector over the batch, computed once
 * and shared by every subscriber who holds it. Subscribers repeat interests a lot, which is
 * what makes 100k editions per batch cheap: rank() only sums cached vectors.
 */
import { type Corpus, FIELD_WEIGHTS, idf } from './corpus.ts';
import { normalize } from './embeddings.ts';
import { type Expansion, type ExpansionOptions, expandInterest } from './expand.ts';
import { type Accumulator, addBm25, phraseDocs, phraseIdf, type QueryTerm } from './lexical.ts';
import { isContentWord, stem, tokenize } from './tokenize.ts';

/** A relevance vector for one interest: docs best first, scores ≈ 1 for a title match. */
export interface InterestVector {
  docs: Int32Array;
  scores: Float32Array;
  /** Typed words' term ids (for "matches your interest 'x'"). */
  original: ReadonlySet<number>;
  /** Added words (for "(via 'NHL')"), strongest first. */
  expansions: Expansion[];
  /** The same entries sorted by doc, for lookups when explaining a pick. */
  byDoc: Int32Array;
  byDocScore: Float32Array;
}

/** Saturated BM25F weight of one title occurrence in an average-length doc: our unit of "a match". */
const TITLE_IMPACT = (FIELD_WEIGHTS.title * 2.2) / (1.2 + FIELD_WEIGHTS.title);
/** Weight of the semantic similarity relative to a typed-word match. */
const DENSE_WEIGHT = 0.6;
/** Cosine at which two news texts start to look topically related (below: noise). */
const DENSE_FLOOR = 0.3;
/** How far the query vector moves toward the best matches (Rocchio β). */
const ROCCHIO = 1;

function topOf(acc: Accumulator, limit: number): { docs: number[]; scores: number[] } {
  const docs = acc.touched.slice().sort((a, b) => acc.scores[b]! - acc.scores[a]!);
  const top = docs.slice(0, limit);
  return { docs: top, scores: top.map((d) => acc.scores[d]!) };
}

/**
 * Scores one interest. `phrases` are the words as typed (one for an interest, the seed terms
 * for a topic); `lexicalOnly` skips expansion (used for "less like this" weights); `depth`
 * keeps only the best docs (deeper tails never reach an edition).
 */
export function scoreInterest(
  corpus: Corpus,
  phrases: readonly string[],
  opts: ExpansionOptions,
  lexicalOnly: boolean,
  depth: number,
  acc: Accumulator,
  graph: ItemGraph | null = null,
): InterestVector {
  const query = new Map<number, number>();
  const phraseSeqs: { seq: number[]; content: number[] }[] = [];
  const emb = corpus.embeddings;
  const qvec = emb ? new Float32Array(emb.dims) : null;
  let hasVec = false;
  for (const phrase of phrases) {
    const words = tokenize(phrase);
    let content = words.filter(isContentWord);
    if (content.length === 0) content = words;
    const seq: number[] = [];
    for (const w of words) seq.push(corpus.termIds.get(stem(w)) ?? -2);
    const contentIds: number[] = [];
    for (const w of content) {
      const id = corpus.termIds.get(stem(w));
      if (id !== undefined && corpus.df[id]! > 0) {
        query.set(id, (query.get(id) ?? 0) + 1 / content.length ** 0.5);
        contentIds.push(id);
      }
      if (emb && qvec) {
        let row = emb.row(w);
        if (row < 0) row = emb.row(stem(w));
        if (row >= 0) {
          emb.addRow(qvec, row, 1);
          hasVec = true;
        }
      }
    }
    if (words.length > 1 && !seq.includes(-2)) phraseSeqs.push({ seq, content: contentIds });
  }
  const original = new Set(query.keys());
  const terms: QueryTerm[] = [...query].map(([term, weight]) => ({ term, weight }));
  // Normalise so that one title match of every typed word scores about 1, whatever the idf:
  // interests then add up fairly, and a fixed threshold means the same thing on any day.
  let ideal = 0;
  for (const q of terms) ideal += q.weight * idf(corpus, q.term) * TITLE_IMPACT;
  const phraseHits = phraseSeqs.map((p) => phraseDocs(corpus, p.seq, p.content));
  const phraseW = phraseHits.map((hits) => phraseIdf(corpus.n, hits.length));
  const addPhrases = () =>
    phraseHits.forEach((hits, i) => {
      for (const d of hits) acc.add(d, phraseW[i]!);
    });
  if (ideal === 0) ideal = 1;

  acc.reset();
  addBm25(corpus, terms, acc);
  addPhrases();
  let expansions: Expansion[] = [];
  const useDense = !lexicalOnly && opts.dense && hasVec && corpus.docVectors !== null;
  if (!lexicalOnly && (opts.prf || opts.cooccurrence || opts.embeddings)) {
    for (let round = 0; round < opts.rounds; round++) {
      let first = topOf(acc, corpus.n);
      first.scores = first.scores.map((s) => s / ideal);
      if (first.docs.length === 0 && useDense)
        first = denseTop(corpus, normalize(qvec!.slice()), opts.feedbackDocs);
      expansions = expandInterest(corpus, original, first, hasVec ? normalize(qvec!.slice()) : null, opts);
      acc.reset();
      addBm25(corpus, [...terms, ...expansions], acc);
      addPhrases();
    }
  }
  const scores = acc.scores;
  for (const d of acc.touched) scores[d]! /= ideal;
  if (!lexicalOnly && graph && opts.spread > 0) {
    // One step along the item graph: each item gains from its neighbours' scores.
    const before = acc.touched.map((d) => [d, acc.scores[d]!] as const);
    for (const [d, s] of before) {
      for (let j = 0; j < graph.k; j++) {
        const o = graph.nbr[d * graph.k + j]!;
        if (o < 0) break;
        acc.add(o, opts.spread * graph.weight[d * graph.k + j]! * s);
      }
    }
  }
  if (useDense) {
    // Rocchio: move the interest's vector toward its best matches, then reward every candidate
    // by semantic closeness; this reorders lexical matches by what the story is about.
    const dims = corpus.embeddings!.dims;
    const q = normalize(qvec!.slice());
    const best = topOf(acc, opts.feedbackDocs);
    if (best.docs.length) {
      const centroid = new Float32Array(dims);
      for (const d of best.docs)
        for (let i = 0; i < dims; i++) centroid[i]! += corpus.docVectors![d * dims + i]!;
      normalize(centroid);
      for (let i = 0; i < dims; i++) q[i]! += ROCCHIO * centroid[i]!;
      normalize(q);
    }
    for (const d of acc.touched.slice()) {
      const cos = dotDoc(corpus, q, d);
      if (cos > DENSE_FLOOR) acc.add(d, (DENSE_WEIGHT * (cos - DENSE_FLOOR)) / (1 - DENSE_FLOOR));
    }
  }
  const top = topOf(acc, depth);
  acc.reset();
  const order = top.docs.map((_, i) => i).sort((a, b) => top.docs[a]! - top.docs[b]!);
  return {
    docs: Int32Array.from(top.docs),
    scores: Float32Array.from(top.scores),
    original,
    expansions,
    byDoc: Int32Array.from(order, (i) => top.docs[i]!),
    byDocScore: Float32Array.from(order, (i) => top.scores[i]!),
  };
}

function dotDoc(corpus: Corpus, q: Float32Array, d: number): number {
  const v = corpus.docVectors!;
  let s = 0;
  for (let i = 0, base = d * q.length; i < q.length; i++) s += q[i]! * v[base + i]!;
  return s;
}

/** Best docs by embedding similarity alone (used when no item contains the typed words). */
function denseTop(corpus: Corpus, q: Float32Array, k: number): { docs: number[]; scores: number[] } {
  const all: [number, number][] = [];
  for (let d = 0; d < corpus.n; d++) {
    const s = dotDoc(corpus, q, d);
    if (s > 0.4) all.push([d, s]);
  }
  all.sort((a, b) => b[1] - a[1]);
  const top = all.slice(0, k);
  return { docs: top.map((x) => x[0]), scores: top.map((x) => x[1]) };
}
