/**
 * Query expansion: finds words related to an interest inside this batch of items, so
 * "hockey" also finds the NHL story that never says hockey. Three sources, each switchable
 * so their contribution can be measured (see bench and scripts/eval.mjs):
 * - prf: pseudo-relevance feedback (Rocchio/RM3 family) — words over-represented in the
 *   best first-pass matches;
 * - cooccurrence: words over-represented in every item that mentions the interest;
 * - embeddings: cosine similarity in the shipped word-embedding table, which both proposes
 *   words on its own and vetoes topic drift from feedback (a frequent word in the feedback
 *   items that means something else gets a low similarity).
 */
import { type Corpus, idf } from './corpus.ts';
import type { QueryTerm } from './lexical.ts';
import { isContentWord } from './tokenize.ts';

/** Which expansion sources are on, and how much they may add. */
export interface ExpansionOptions {
  prf: boolean;
  cooccurrence: boolean;
  embeddings: boolean;
  /** Semantic re-scoring of candidates with document vectors. */
  dense: boolean;
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

/** Defaults used by the product (chosen on mind-dev, checked on ag-news). */
export const DEFAULT_EXPANSION: ExpansionOptions = {
  prf: true,
  cooccurrence: true,
  embeddings: true,
  dense: true,
  feedbackDocs: 10,
  terms: 25,
  weight: 0.5,
  rounds: 2,
  spread: 1,
};

/** Embedding gate on feedback words: cosine below LO keeps only FLOOR of the weight, above HI all. */
const GATE_LO = 0.1;
const GATE_HI = 0.5;
const GATE_FLOOR = 0.2;
/** Cosine above which a word of the batch counts as a neighbour of the interest. */
const NEIGHBOUR_MIN = 0.55;
/** Weight of pure neighbours when no item matches the typed words, and when some do. */
const NEIGHBOUR_WEIGHT = 1;
const NEIGHBOUR_WEIGHT_SUPPORTED = 0.2;
/** Co-occurrence: a word needs ~2 matching items behind it, and ≥ 20% of its items matching. */
const MIN_SUPPORT = 1.5;
const SMOOTHING = 2;
const MIN_PRECISION = 0.2;
/** Matching items looked at for co-occurrence (the best ones; the tail adds noise and time). */
const MAX_MEMBERS = 500;

/** An added word with its weight, kept so reasons can say "(via 'NHL')". */
export interface Expansion extends QueryTerm {
  similarity: number;
}

/** Adds the relative-entropy weight p·log(p/p_corpus) of each term in a weighted set of docs. */
function feedbackWeights(
  corpus: Corpus,
  docs: readonly number[],
  docWeights: readonly number[],
  out: Map<number, number>,
) {
  const p = new Map<number, number>();
  let total = 0;
  for (const w of docWeights) total += w;
  if (total <= 0) return;
  docs.forEach((d, i) => {
    const w = docWeights[i]! / total;
    for (const t of corpus.docTerms[d]!) p.set(t, (p.get(t) ?? 0) + w);
  });
  for (const [t, pt] of p) {
    const df = corpus.df[t]!;
    // One-off words (df < 2) cannot generalise beyond the item they came from.
    if (df < 2 || pt < 0.15) continue;
    const pc = df / corpus.n;
    if (pt <= pc) continue;
    out.set(t, (out.get(t) ?? 0) + pt * Math.log(pt / pc));
  }
}

/**
 * How specific each word is to the interest: of the items containing the word, the share that
 * match the interest (soft membership m_d in [0, 1]), smoothed so a word seen once proves
 * nothing. This is what separates "quarterback" (mostly in NFL items) from "NBA" (a sibling
 * the embedding table rates close to "NFL", but that rarely shares an item with it).
 */
function precisionWeights(
  corpus: Corpus,
  docs: readonly number[],
  member: readonly number[],
  out: Map<number, number>,
) {
  const inter = new Map<number, number>();
  docs.forEach((d, i) => {
    const m = member[i]!;
    for (const t of corpus.docTerms[d]!) inter.set(t, (inter.get(t) ?? 0) + m);
  });
  for (const [t, x] of inter) {
    if (x < MIN_SUPPORT) continue;
    const precision = x / (corpus.df[t]! + SMOOTHING);
    if (precision < MIN_PRECISION) continue;
    out.set(t, (out.get(t) ?? 0) + precision);
  }
}

/**
 * Chooses expansion words for one interest. `first` is the first-pass ranking (docs, best
 * first, with scores where 1 ≈ "typed word in the title"), `qvec` the interest's embedding
 * (null when unknown).
 */
export function expandInterest(
  corpus: Corpus,
  original: ReadonlySet<number>,
  first: { docs: readonly number[]; scores: readonly number[] },
  qvec: Float32Array | null,
  opts: ExpansionOptions,
): Expansion[] {
  const prf = new Map<number, number>();
  if (opts.prf && first.docs.length) {
    const k = Math.min(opts.feedbackDocs, first.docs.length);
    const top = first.scores[0]!;
    const docs: number[] = [];
    const ws: number[] = [];
    for (let i = 0; i < k; i++) {
      if (first.scores[i]! < 0.3 * top) break;
      docs.push(first.docs[i]!);
      ws.push(first.scores[i]!);
    }
    feedbackWeights(corpus, docs, ws, prf);
  }
  const cooc = new Map<number, number>();
  if (opts.cooccurrence && first.docs.length) {
    const n = Math.min(first.docs.length, MAX_MEMBERS);
    precisionWeights(
      corpus,
      first.docs.slice(0, n),
      first.scores.slice(0, n).map((s) => Math.min(1, s)),
      cooc,
    );
  }
  const emb = opts.embeddings && qvec && corpus.embeddings ? corpus.embeddings : null;
  const sim = (t: number): number => {
    const row = corpus.termRows[t]!;
    if (!emb || row < 0) return 0;
    const v = emb.table.vectors;
    let s = 0;
    for (let i = 0, base = row * emb.dims; i < emb.dims; i++) s += qvec![i]! * v[base + i]!;
    return s / 127;
  };
  const scored = new Map<number, Expansion>();
  const add = (source: Map<number, number>) => {
    let max = 0;
    for (const w of source.values()) max = Math.max(max, w);
    for (const [t, w] of source) {
      if (original.has(t) || !isContentWord(corpus.terms[t]!)) continue;
      const e = scored.get(t);
      if (e) e.weight += w / max;
      else scored.set(t, { term: t, weight: w / max, similarity: 0 });
    }
  };
  add(prf);
  add(cooc);
  if (emb) {
    for (const e of scored.values()) {
      e.similarity = sim(e.term);
      // A word must also mean something close: vetoes drift ("police" is frequent in items
      // about cars, but is not about cars).
      e.weight *= Math.min(1, Math.max(GATE_FLOOR, (e.similarity - GATE_LO) / (GATE_HI - GATE_LO)));
    }
    // Nearest words of the batch's own vocabulary: proposes "NHL" for "hockey" even when no
    // item says "hockey", where feedback has nothing to start from. Siblings ("NBA" for "NFL")
    // are close too, so without feedback support they only get a small weight.
    const support = first.docs.length ? NEIGHBOUR_WEIGHT_SUPPORTED : NEIGHBOUR_WEIGHT;
    for (let t = 0; t < corpus.terms.length; t++) {
      if (corpus.df[t]! < 2 || corpus.termRows[t]! < 0 || original.has(t)) continue;
      const s = sim(t);
      if (s < NEIGHBOUR_MIN || !isContentWord(corpus.terms[t]!)) continue;
      const w = (support * (s - NEIGHBOUR_MIN)) / (1 - NEIGHBOUR_MIN);
      const e = scored.get(t);
      if (e) e.weight += w;
      else scored.set(t, { term: t, weight: w, similarity: s });
    }
  }
  const ranked = [...scored.values()].filter((e) => e.weight > 0);
  ranked.sort((a, b) => b.weight - a.weight);
  const kept = ranked.slice(0, opts.terms);
  const max = kept[0]?.weight ?? 1;
  for (const e of kept) e.weight = (opts.weight * e.weight) / max;
  return kept;
}
