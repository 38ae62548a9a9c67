/**
 * Query expansion: finds words related to an interest inside this batch of items, so
 * "hockey" also finds the NHL story that never says hockey. Three sources, each switchable
 * so their contribution can be measured (scripts/eval.mjs --ablation):
 * - prf: pseudo-relevance feedback (Rocchio/RM3 family) — words over-represented in the
 *   best first-pass matches;
 * - cooccurrence: words over-represented in every item that mentions the interest;
 * - embeddings: cosine similarity in the shipped word-embedding table, which both proposes
 *   words on its own and vetoes topic drift from feedback (a frequent word in the feedback
 *   items that means something else gets a low similarity).
 */
import type { Accumulator } from './accumulator.ts';
import type { Corpus } from './corpus.ts';
import { TopK } from './diversify.ts';
import type { QueryTerm } from './lexical.ts';

/** Which expansion sources are on, and how much they may add. */
export interface ExpansionOptions {
  prf: boolean;
  cooccurrence: boolean;
  embeddings: boolean;
  /** Semantic re-scoring of candidates with document vectors. */
  dense: boolean;
  /** When an interest's words match fewer items than the vector keeps, add the nearest by meaning. */
  denseFill: boolean;
  /**
   * Order an interest's best matches mostly by how typical each is of them (sentence vectors
   * only; see interest.ts: byTypicality).
   */
  typical: boolean;
  /**
   * Measure sentence cosines from partway to the batch's mean vector (sentence vectors only; see
   * sentence-space.ts: CENTRE_SHARE).
   */
  centre: boolean;
  /** Feedback items taken from the first pass (prf). */
  feedbackDocs: number;
  /** Expansion words added per interest. */
  terms: number;
  /** Weight of the strongest expansion word relative to a typed word. */
  weight: number;
  /** Expansion rounds: the second starts from items the first one found. */
  rounds: number;
  /** Share of each neighbour's score an item gains along the item graph (0: off). */
  spread: number;
}

/**
 * Defaults used by the product (chosen on mind-dev, checked on ag-news; `npm run eval --
 * --ablation` re-measures each switch). PRF is off: on both sets it added nothing over
 * co-occurrence (mind-dev MAP 0.31 with it vs 0.32 without, ag-news 0.88 vs 0.89) and costs time.
 */
export const DEFAULT_EXPANSION: ExpansionOptions = {
  prf: false,
  cooccurrence: true,
  embeddings: true,
  dense: true,
  denseFill: true,
  typical: true,
  centre: true,
  feedbackDocs: 10,
  terms: 25,
  weight: 0.5,
  rounds: 1,
  spread: 1,
};

/** Embedding gate on feedback words: cosine below LO keeps only FLOOR of the weight, above HI all. */
const GATE_LO = 0.1;
const GATE_HI = 0.5;
const GATE_FLOOR = 0.2;
/** Cosine above which a word counts as a neighbour of the interest. */
const NEIGHBOUR_MIN = 0.55;
/** Weight of pure neighbours when no item matches the typed words, and when some do. */
const NEIGHBOUR_WEIGHT = 1;
const NEIGHBOUR_WEIGHT_SUPPORTED = 0.2;
/** Co-occurrence: a word needs ~2 matching items behind it, and ≥ 20% of its items matching. */
const MIN_SUPPORT = 1.5;
const SMOOTHING = 2;
const MIN_PRECISION = 0.2;
/** PRF: a word must be in ~15% of the (weighted) feedback items. */
const MIN_FEEDBACK_SHARE = 0.15;
/** Largest share of the batch's items an expansion word may appear in. */
const MAX_DF_SHARE = 0.05;
/** Candidates per source that get an embedding check (the rest are too weak to matter). */
const GATED = 2;

/** An added word with its weight, kept so reasons can say "(via 'NHL')". */
export interface Expansion extends QueryTerm {
  similarity: number;
}

/** First-pass matches of an interest: docs best first, scores where 1 ≈ "typed word in title". */
export interface FirstPass {
  docs: readonly number[];
  scores: readonly number[];
}

/**
 * Sums `weight(i)` over the content terms of each doc into the corpus's term scratch, which it
 * returns (touched terms in `touched[0 .. count)`, their sums in `scores`): this runs for every
 * distinct interest, thousands of times per batch.
 */
function gather(corpus: Corpus, docs: readonly number[], weight: (i: number) => number): Accumulator {
  const sums = corpus.termSums;
  sums.reset();
  for (let i = 0; i < docs.length; i++) {
    const w = weight(i);
    for (const t of corpus.docTerms[docs[i]!]!) sums.add(t, w);
  }
  return sums;
}

/** PRF (RM-style): relative entropy p·log(p/p_corpus) of each word in the weighted feedback docs. */
function prfWeights(corpus: Corpus, first: FirstPass, k: number): Map<number, number> {
  const out = new Map<number, number>();
  const n = Math.min(k, first.docs.length);
  if (n === 0) return out;
  const top = first.scores[0]!;
  let used = 0;
  let total = 0;
  while (used < n && first.scores[used]! >= 0.3 * top) total += first.scores[used++]!;
  const sums = gather(corpus, first.docs.slice(0, used), (i) => first.scores[i]! / total);
  for (let i = 0; i < sums.count; i++) {
    const t = sums.touched[i]!;
    const p = sums.scores[t]!;
    const df = corpus.df[t]!;
    // One-off words (df < 2) cannot generalise beyond the item they came from.
    if (df < 2 || p < MIN_FEEDBACK_SHARE) continue;
    const pc = df / corpus.n;
    if (p > pc) out.set(t, p * Math.log(p / pc));
  }
  return out;
}

/**
 * Co-occurrence: how specific each word is to the interest — of the items containing the
 * word, the share that match the interest (soft membership min(1, score)), smoothed so a
 * word seen once proves nothing. This separates "quarterback" (mostly in NFL items) from
 * "NBA" (a sibling the embedding table rates close to "NFL", but that rarely shares an item).
 */
function cooccurrenceWeights(corpus: Corpus, first: FirstPass): Map<number, number> {
  const out = new Map<number, number>();
  const sums = gather(corpus, first.docs, (i) => Math.min(1, first.scores[i]!));
  for (let i = 0; i < sums.count; i++) {
    const t = sums.touched[i]!;
    const x = sums.scores[t]!;
    if (x < MIN_SUPPORT) continue;
    const precision = x / (corpus.df[t]! + SMOOTHING);
    if (precision >= MIN_PRECISION) out.set(t, precision);
  }
  return out;
}

/** Cosine of a term's embedding with the interest vector (0 when unknown). */
function similarity(corpus: Corpus, qvec: Float32Array, t: number): number {
  const emb = corpus.embeddings!;
  const row = corpus.termRows[t]!;
  if (row < 0) return 0;
  const v = emb.table.vectors;
  let s = 0;
  for (let i = 0, base = row * emb.dims; i < emb.dims; i++) s += qvec[i]! * v[base + i]!;
  return s / 127;
}

/**
 * Chooses expansion words for one interest from the first pass (`first`, best first, capped
 * by the caller), the interest's unit embedding `qvec` and the rows of its typed words.
 */
export function expandInterest(
  corpus: Corpus,
  original: ReadonlySet<number>,
  first: FirstPass,
  qvec: Float32Array | null,
  rows: readonly number[],
  opts: ExpansionOptions,
): Expansion[] {
  const emb = opts.embeddings && qvec && corpus.embeddings ? corpus.embeddings : null;
  const scored = new Map<number, Expansion>();
  // A word in more than a few percent of the batch cannot single out a topic; it would only
  // add noise (and long postings lists to every score).
  const maxDf = Math.max(20, corpus.n * MAX_DF_SHARE);
  const usable = (t: number) =>
    corpus.df[t]! >= 2 && corpus.df[t]! <= maxDf && corpus.contentTerm[t] === 1 && !original.has(t);
  const add = (source: Map<number, number>) => {
    const top = new TopK(GATED * opts.terms);
    for (const [t, w] of source) if (usable(t)) top.push(t, w);
    const list = top.sorted();
    const max = list[0]?.[1] ?? 1;
    for (const [t, w] of list) {
      const e = scored.get(t);
      if (e) e.weight += w / max;
      else scored.set(t, { term: t, weight: w / max, similarity: emb ? similarity(corpus, qvec!, t) : 0 });
    }
  };
  if (opts.prf) add(prfWeights(corpus, first, opts.feedbackDocs));
  if (opts.cooccurrence) add(cooccurrenceWeights(corpus, first));
  if (emb) {
    // A feedback word must also mean something close: vetoes drift ("police" is frequent in
    // items about cars, but is not about cars).
    for (const e of scored.values())
      e.weight *= Math.min(1, Math.max(GATE_FLOOR, (e.similarity - GATE_LO) / (GATE_HI - GATE_LO)));
    // The typed words' nearest neighbours (precomputed in the table) that this batch uses:
    // proposes "NHL" for "hockey" even when no item says "hockey", where feedback has nothing
    // to start from. Siblings ("NBA" for "NFL") are close too, so when feedback exists they
    // only get a small weight.
    const support = first.docs.length ? NEIGHBOUR_WEIGHT_SUPPORTED : NEIGHBOUR_WEIGHT;
    const table = emb.table;
    for (const row of rows) {
      for (let j = row * table.k; j < (row + 1) * table.k; j++) {
        const t = corpus.rowTerms[table.neighbours[j]!]!;
        if (t < 0 || !usable(t)) continue;
        const s = similarity(corpus, qvec!, t);
        if (s < NEIGHBOUR_MIN) continue;
        const w = (support * (s - NEIGHBOUR_MIN)) / (1 - NEIGHBOUR_MIN);
        const e = scored.get(t);
        if (!e) scored.set(t, { term: t, weight: w, similarity: s });
        else e.weight += w;
      }
    }
  }
  const ranked = [...scored.values()].filter((e) => e.weight > 0);
  ranked.sort((a, b) => b.weight - a.weight);
  const kept = ranked.slice(0, opts.terms);
  const max = kept[0]?.weight ?? 1;
  for (const e of kept) e.weight = (opts.weight * e.weight) / max;
  return kept;
}
