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
  /** Feedback items taken from the first pass. */
  feedbackDocs: number;
  /** Expansion words added per interest. */
  terms: number;
  /** Weight of the strongest expansion word relative to a typed word. */
  weight: number;
}

/** Defaults used by the product (chosen on mind-dev, checked on ag-news). */
export const DEFAULT_EXPANSION: ExpansionOptions = {
  prf: true,
  cooccurrence: true,
  embeddings: true,
  dense: true,
  feedbackDocs: 10,
  terms: 12,
  weight: 0.5,
};

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
 * Chooses expansion words for one interest. `first` is the first-pass ranking (docs and
 * scores, best first), `matching` every doc containing a typed word, `qvec` the interest's
 * embedding (null when unknown).
 */
export function expandInterest(
  corpus: Corpus,
  original: ReadonlySet<number>,
  first: { docs: readonly number[]; scores: readonly number[] },
  matching: readonly number[],
  qvec: Float32Array | null,
  opts: ExpansionOptions,
): Expansion[] {
  const cand = new Map<number, number>();
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
    feedbackWeights(corpus, docs, ws, cand);
  }
  if (opts.cooccurrence && matching.length > 1) {
    const docs = matching.length > 500 ? matching.slice(0, 500) : matching;
    feedbackWeights(
      corpus,
      docs,
      docs.map(() => 1),
      cand,
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
  const scored: Expansion[] = [];
  if (cand.size) {
    for (const [t, w] of cand) {
      if (original.has(t) || !isContentWord(corpus.terms[t]!)) continue;
      const s = sim(t);
      // Without vectors feedback stands alone; with them, a word must also mean something close.
      const weight = emb ? w * Math.max(0, s - 0.2) : w;
      if (weight > 0) scored.push({ term: t, weight, similarity: s });
    }
  } else if (emb) {
    // No feedback available (or switched off): nearest corpus words by embedding alone.
    for (let t = 0; t < corpus.terms.length; t++) {
      if (corpus.df[t]! < 2 || original.has(t) || !isContentWord(corpus.terms[t]!)) continue;
      const s = sim(t);
      if (s > 0.55) scored.push({ term: t, weight: (s - 0.55) * idf(corpus, t), similarity: s });
    }
  }
  scored.sort((a, b) => b.weight - a.weight);
  const kept = scored.slice(0, opts.terms);
  const max = kept[0]?.weight ?? 1;
  for (const e of kept) e.weight = (opts.weight * e.weight) / max;
  return kept;
}
