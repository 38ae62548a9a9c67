/**
 * The per-batch index: everything about the candidate items that does not depend on a
 * subscriber, computed once in createRanker and shared by every rank() call.
 */
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
  /** Scratch weights per term id, zero between uses (see expand.ts). */
  termScratch: Float32Array;
  embeddings: Embeddings | null;
}

/** Inverse document frequency (BM25's, floored at a small positive value). */
export function idf(corpus: Corpus, term: number): number {
  const df = corpus.df[term]!;
  return Math.log(1 + (corpus.n - df + 0.5) / (df + 0.5));
}

function fieldText(item: RankItem, field: Field): string {
  if (field === 'title') return item.title;
  if (field === 'categories') return (item.categories ?? []).join(' ');
  if (field === 'summary') return item.summary ?? '';
  return item.content ?? '';
}

/** Builds the index; `embeddings` (optional) adds document vectors for semantic matching. */
export function buildCorpus(items: readonly RankItem[], embeddings: Embeddings | null): Corpus {
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
  // Per doc, per field: term id → tf, and field lengths.
  const fieldTf: Map<number, number>[][] = [];
  const fieldLen: number[][] = [];
  const docSeq: Int32Array[] = [];
  const rawSeq: string[][] = [];
  const rawLists = new Map<string, number[]>();
  const totals = FIELDS.map(() => 0);
  // One unstemmed spelling per stem ("series" for "serie"), for stems the table lacks.
  const surfaces = new Map<number, string>();
  // token → term id (bitwise-negated for function words, which count for phrases only).
  const tokenIds = new Map<string, number>();
  for (let d = 0; d < n; d++) {
    const item = items[d]!;
    const tfs: Map<number, number>[] = [];
    const lens: number[] = [];
    const seq: number[] = [];
    const raw: string[] = [];
    FIELDS.forEach((field, f) => {
      let tokens = tokenize(fieldText(item, field));
      for (const t of tokens) raw.push(t);
      raw.push('');
      if (field === 'content') tokens = tokens.slice(0, CONTENT_WORDS);
      const tf = new Map<number, number>();
      let len = 0;
      for (const tok of tokens) {
        // Memoised per distinct token: stemming and the id lookup run once per word, not per use.
        let code = tokenIds.get(tok);
        if (code === undefined) {
          const stemId = idOf(stem(tok));
          code = isContentWord(tok) ? stemId : ~stemId;
          tokenIds.set(tok, code);
        }
        const id = code < 0 ? ~code : code;
        seq.push(id);
        if (code < 0) continue;
        len++;
        tf.set(id, (tf.get(id) ?? 0) + 1);
        if (tok !== terms[id] && !surfaces.has(id)) surfaces.set(id, tok);
      }
      seq.push(GAP);
      tfs.push(tf);
      lens.push(len);
      totals[f]! += len;
    });
    for (const t of tokenize(`${item.source ?? ''} ${item.author ?? ''}`)) raw.push(t);
    for (const t of new Set(raw)) {
      if (!t) continue;
      let list = rawLists.get(t);
      if (!list) rawLists.set(t, (list = []));
      list.push(d);
    }
    fieldTf.push(tfs);
    fieldLen.push(lens);
    docSeq.push(Int32Array.from(seq));
    rawSeq.push(raw);
  }
  const avg = totals.map((t) => (n ? t / n : 1) || 1);

  // BM25F (Robertson & Zaragoza 2009): length-normalise each field, weight, sum, then saturate once.
  const V = terms.length;
  const df = new Int32Array(V);
  const tfTilde: Map<number, number>[] = [];
  for (let d = 0; d < n; d++) {
    const acc = new Map<number, number>();
    FIELDS.forEach((field, f) => {
      const norm = 1 - B + (B * fieldLen[d]![f]!) / avg[f]!;
      for (const [t, tf] of fieldTf[d]![f]!)
        acc.set(t, (acc.get(t) ?? 0) + (FIELD_WEIGHTS[field] * tf) / norm);
    });
    for (const t of acc.keys()) df[t]!++;
    tfTilde.push(acc);
  }
  const postings: Postings[] = [];
  const fill = new Int32Array(V);
  for (let t = 0; t < V; t++)
    postings.push({ docs: new Int32Array(df[t]!), impact: new Float32Array(df[t]!) });
  const docTerms: Int32Array[] = [];
  for (let d = 0; d < n; d++) {
    const acc = tfTilde[d]!;
    // Sorted, so membership is a binary search (explanations ask it a lot).
    docTerms.push(Int32Array.from(acc.keys()).sort());
    for (const [t, x] of acc) {
      const p = postings[t]!;
      const i = fill[t]!++;
      p.docs[i] = d;
      p.impact[i] = (x * (K1 + 1)) / (K1 + x);
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
    docVectors = new Float32Array(n * embeddings.dims);
    const corpus = { n, df } as Corpus;
    for (let d = 0; d < n; d++) {
      const v = docVectors.subarray(d * embeddings.dims, (d + 1) * embeddings.dims);
      // idf-weighted mean of word vectors: rare words say what the story is about.
      for (const [t, x] of tfTilde[d]!) {
        const row = termRows[t]!;
        if (row >= 0) embeddings.addRow(v, row, idf(corpus, t) * Math.sqrt(x));
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
    termScratch: new Float32Array(V),
    embeddings,
  };
}
