/**
 * The per-batch index: everything about the candidate items that does not depend on a
 * subscriber, computed once in createRanker and shared by every rank() call.
 */
import { Accumulator } from './accumulator.ts';
import type { Embeddings } from './embeddings.ts';
import { isContentWord, stem, tokenize } from './tokenize.ts';
import type { RankItem } from './types.ts';

/** BM25F field weights: a word in the title says more about the story than one in the body. */
export const FIELD_WEIGHTS = { title: 3, categories: 1.5, summary: 1, content: 0.5 } as const;
type Field = keyof typeof FIELD_WEIGHTS;
const FIELDS = Object.keys(FIELD_WEIGHTS) as Field[];
/** Long bodies add little beyond their lead but cost memory, so only the first words count. */
const CONTENT_WORDS = 300;
const K1 = 1.2;
const B = 0.75;
/** Separates fields in a phrase sequence so a phrase never spans title and summary. */
const GAP = -1;

/** Postings of one term: the docs that contain it and the BM25F saturation part of its weight. */
export interface Postings {
  docs: Int32Array;
  /** tf~ (k1+1) / (k1 + tf~) per doc; multiply by idf for the BM25F contribution. */
  impact: Float32Array;
}

/** The built index over one batch of candidate items. */
export interface Corpus {
  items: readonly RankItem[];
  n: number;
  /** Stem → term id. */
  termIds: Map<string, number>;
  terms: string[];
  df: Int32Array;
  postings: Postings[];
  /** Per doc: its distinct content term ids, ascending (for feedback and explanations). */
  docTerms: Int32Array[];
  /** Per doc: stem ids of title, categories, summary, content in order, GAP between fields. */
  docSeq: Int32Array[];
  /** Lowercased raw token → docs containing it in any field, source and author included (mutes). */
  rawPostings: Map<string, Int32Array>;
  /** Per doc: all raw tokens with GAP (-1) between fields, for verifying multi-word mutes. */
  rawSeq: string[][];
  /** Unit document vectors (n × dims), or null without an embedding table. */
  docVectors: Float32Array | null;
  /** Embedding row per term id (-1 when unknown). */
  termRows: Int32Array;
  /** Corpus term per embedding row (-1 when the batch never uses the word). */
  rowTerms: Int32Array;
  /** 1 for terms that are content words (stems of function words count for phrases only). */
  contentTerm: Uint8Array;
  /** Scratch sums per term id (see expand.ts: gather). */
  termSums: Accumulator;
  embeddings: Embeddings | null;
}

/** Inverse document frequency (BM25's, floored at a small positive value). */
export function idf(corpus: Corpus, term: number): number {
  return idfOf(corpus.n, corpus.df[term]!);
}

/**
 * BM25's idf for a document frequency out of `n` items: a word's, a phrase's own (a phrase is
 * rarer, so it says more, than its words), or 0 for a word that no item has.
 */
export function idfOf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function fieldText(item: RankItem, field: Field): string {
  if (field === 'title') return item.title;
  if (field === 'categories') return (item.categories ?? []).join(' ');
  if (field === 'summary') return item.summary ?? '';
  return item.content ?? '';
}

/**
 * Builds the index; `embeddings` (optional) links terms to the word table and, unless
 * `withDocVectors` is false, adds document vectors for semantic matching.
 */
export function buildCorpus(
  items: readonly RankItem[],
  embeddings: Embeddings | null,
  withDocVectors = true,
): Corpus {
  const n = items.length;
  const termIds = new Map<string, number>();
  const terms: string[] = [];
  const idOf = (t: string): number => {
    let id = termIds.get(t);
    if (id === undefined) {
      id = terms.length;
      termIds.set(t, id);
      terms.push(t);
    }
    return id;
  };
  // Per doc: content term ids field by field (GAP between fields), and field lengths.
  const contentIds: Int32Array[] = [];
  const fieldLen: number[][] = [];
  const docSeq: Int32Array[] = [];
  const rawSeq: string[][] = [];
  const rawLists = new Map<string, number[]>();
  const totals = FIELDS.map(() => 0);
  // One unstemmed spelling per stem ("series" for "serie"), for stems the table lacks.
  const surfaces = new Map<number, string>();
  // token → term id (bitwise-negated for function words, which count for phrases only).
  const tokenIds = new Map<string, number>();
  const seq: number[] = [];
  const content: number[] = [];
  for (let d = 0; d < n; d++) {
    const item = items[d]!;
    const lens: number[] = [];
    const raw: string[] = [];
    seq.length = 0;
    content.length = 0;
    for (let f = 0; f < FIELDS.length; f++) {
      const field = FIELDS[f]!;
      const tokens = tokenize(fieldText(item, field));
      for (const t of tokens) raw.push(t);
      raw.push('');
      const m = field === 'content' ? Math.min(tokens.length, CONTENT_WORDS) : tokens.length;
      let len = 0;
      for (let i = 0; i < m; i++) {
        const tok = tokens[i]!;
        // Memoised per distinct token: stemming and the id lookup run once per word, not per use.
        let code = tokenIds.get(tok);
        if (code === undefined) {
          const stemId = idOf(stem(tok));
          code = isContentWord(tok) ? stemId : ~stemId;
          tokenIds.set(tok, code);
          if (code >= 0 && tok !== terms[stemId] && !surfaces.has(stemId)) surfaces.set(stemId, tok);
        }
        if (code < 0) {
          seq.push(~code);
          continue;
        }
        seq.push(code);
        content.push(code);
        len++;
      }
      seq.push(GAP);
      content.push(GAP);
      lens.push(len);
      totals[f]! += len;
    }
    for (const t of tokenize(`${item.source ?? ''} ${item.author ?? ''}`)) raw.push(t);
    for (const t of new Set(raw)) {
      if (!t) continue;
      let list = rawLists.get(t);
      if (!list) rawLists.set(t, (list = []));
      list.push(d);
    }
    contentIds.push(Int32Array.from(content));
    fieldLen.push(lens);
    docSeq.push(Int32Array.from(seq));
    rawSeq.push(raw);
  }
  const avg = totals.map((t) => (n ? t / n : 1) || 1);

  // BM25F (Robertson & Zaragoza 2009): length-normalise each field, weight, sum, then saturate
  // once. Accumulated in a dense scratch per doc (no per-doc maps).
  const V = terms.length;
  const df = new Int32Array(V);
  const scratch = new Float64Array(V);
  const docTerms: Int32Array[] = [];
  const docX: Float32Array[] = [];
  const seen: number[] = [];
  for (let d = 0; d < n; d++) {
    const ids = contentIds[d]!;
    let f = 0;
    let w = FIELD_WEIGHTS[FIELDS[0]!] / (1 - B + (B * fieldLen[d]![0]!) / avg[0]!);
    seen.length = 0;
    for (let i = 0; i < ids.length; i++) {
      const t = ids[i]!;
      if (t === GAP) {
        if (++f < FIELDS.length) w = FIELD_WEIGHTS[FIELDS[f]!] / (1 - B + (B * fieldLen[d]![f]!) / avg[f]!);
        continue;
      }
      if (scratch[t] === 0) seen.push(t);
      scratch[t]! += w;
    }
    // Sorted, so membership is a binary search (explanations ask it a lot).
    const sorted = Int32Array.from(seen).sort();
    const xs = new Float32Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      const t = sorted[i]!;
      xs[i] = scratch[t]!;
      scratch[t] = 0;
      df[t]!++;
    }
    docTerms.push(sorted);
    docX.push(xs);
  }
  const postings: Postings[] = [];
  const fill = new Int32Array(V);
  for (let t = 0; t < V; t++)
    postings.push({ docs: new Int32Array(df[t]!), impact: new Float32Array(df[t]!) });
  for (let d = 0; d < n; d++) {
    const ts = docTerms[d]!;
    const xs = docX[d]!;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      const x = xs[i]!;
      const p = postings[t]!;
      const j = fill[t]!++;
      p.docs[j] = d;
      p.impact[j] = (x * (K1 + 1)) / (K1 + x);
    }
  }
  const rawPostings = new Map<string, Int32Array>();
  for (const [t, list] of rawLists) rawPostings.set(t, Int32Array.from(list));

  const termRows = new Int32Array(V).fill(-1);
  const rowTerms = new Int32Array(embeddings?.table.words.length ?? 0).fill(-1);
  let docVectors: Float32Array | null = null;
  if (embeddings) {
    for (let t = 0; t < V; t++) {
      let row = embeddings.row(terms[t]!);
      const surface = surfaces.get(t);
      if (row < 0 && surface) row = embeddings.row(surface);
      termRows[t] = row;
      if (row >= 0 && rowTerms[row] === -1) rowTerms[row] = t;
    }
  }
  if (embeddings && withDocVectors) {
    docVectors = new Float32Array(n * embeddings.dims);
    const corpus = { n, df } as Corpus;
    for (let d = 0; d < n; d++) {
      const v = docVectors.subarray(d * embeddings.dims, (d + 1) * embeddings.dims);
      // idf-weighted mean of word vectors: rare words say what the story is about.
      const ts = docTerms[d]!;
      const xs = docX[d]!;
      for (let i = 0; i < ts.length; i++) {
        const row = termRows[ts[i]!]!;
        if (row >= 0) embeddings.addRow(v, row, idf(corpus, ts[i]!) * Math.sqrt(xs[i]!));
      }
      let norm = 0;
      for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
      if (norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let i = 0; i < v.length; i++) v[i]! *= inv;
      }
    }
  }
  return {
    items,
    n,
    termIds,
    terms,
    df,
    postings,
    docTerms,
    docSeq,
    rawPostings,
    rawSeq,
    docVectors,
    termRows,
    rowTerms,
    contentTerm: Uint8Array.from(terms, (t) => (isContentWord(t) ? 1 : 0)),
    termSums: new Accumulator(V),
    embeddings,
  };
}
