/**
 * Sift's ranker: explainable stated-preference ranking (issue #4). Build once per batch of
 * candidate items (createRanker), then call rank() per subscriber. Pure TypeScript over plain
 * data: no database, no network, no node: imports, so it runs in Node and Workers alike.
 *
 * Pipeline per subscriber: sum the cached relevance vectors of their interests and topics
 * (BM25F + phrases + expansion + semantic re-scoring, see interest.ts) → drop muted, excluded,
 * stale and muted-source items → recency decay and followed-source boost → threshold → best
 * candidates → one per story, per-source cap (diversify.ts) → reasons (explain.ts).
 */
import type { Preferences } from '../preferences/schema.ts';
import { Accumulator } from './accumulator.ts';
import { buildClusters } from './cluster.ts';
import { buildCorpus } from './corpus.ts';
import { Selector, TopK } from './diversify.ts';
import { Embeddings } from './embeddings.ts';
import { DEFAULT_EXPANSION, type ExpansionOptions } from './expand.ts';
import { type ActiveInterest, Contributions, SurfaceForms } from './explain.ts';
import { buildGraph } from './graph.ts';
import { EDITION_DEPTH, type InterestScoring, type InterestVector, scoreInterest } from './interest.ts';
import { addBm25, addBm25Scan } from './lexical.ts';
import { type DocSet, hasDoc, MuteIndex } from './mutes.ts';
import { sentenceSpace } from './sentence-space.ts';
import { interestSentenceText } from './sentences.ts';
import { normalizeSource, sourceKeys } from './sources.ts';
import type { Pick, RankerContext, RankItem, RankOptions } from './types.ts';

export type { EmbeddingTable } from './embeddings.ts';
export { decodeEmbeddings } from './embeddings.ts';
export type { ExpansionOptions } from './expand.ts';
export { interestSentenceText, itemSentenceText } from './sentences.ts';
export type { Pick, RankerContext, RankItem, RankOptions, SentenceVectors, Topic } from './types.ts';

/** A ranker built once over a batch of candidate items, then asked per subscriber. */
export interface Ranker {
  /** The edition for one subscriber: best first, each pick with its reasons. */
  rank(prefs: Preferences, options?: RankOptions): Pick[];
  /**
   * An item's most distinctive words that other items share (highest idf among words in ≥ 2
   * items): what "more / less like this" should adjust (see preferences/feedback.ts).
   */
  keyWords(id: string, n?: number): string[];
  /**
   * The interest and topic texts (`interestSentenceText`) whose sentence vectors rank(prefs) looks
   * up: its positive interests and the catalogue topics it names. Callers encode these first.
   */
  sentenceTexts(prefs: Preferences): string[];
}

/** Default threshold: about a third of "the typed word is in the title". */
export const DEFAULT_MIN_SCORE = 0.25;
/** Followed sources: their matches count this much more, and unmatched items still qualify. */
const FOLLOW_BOOST = 1.5;
const FOLLOW_BASE = DEFAULT_MIN_SCORE;
/** Share of the score that recency can take away (relevance stays the main signal). */
const RECENCY_SHARE = 0.4;
const HOUR = 3_600_000;
/** Fewest entries read from each interest's vector per call (see rank()). */
const HEAD_MIN = 25;

/**
 * Share of a batch's items with sentence vectors from which word vectors step aside. Sentence
 * vectors then carry meaning better on their own: with every item encoded, dropping the word
 * vectors (their neighbours in expansion, the gate, document vectors, re-scoring and fill) gave
 * mind-dev P@10 / MAP 0.60 / 0.443 → 0.645 / 0.448 and ag-news 1.00 / 0.889 → 1.00 / 0.895, and
 * the batch skips building document vectors. A batch that is mostly unencoded (the encoder was
 * off or failing) keeps all of them; an interest without its own sentence vector (its encode
 * failed) keeps the word table's neighbours and gate (see interest.ts).
 */
const SENTENCES_REPLACE_WORDS = 0.9;

/** Builds a ranker over candidate items (see RankerContext for the optional settings). */
export function createRanker(items: readonly RankItem[], context: RankerContext = {}): Ranker {
  const opts: ExpansionOptions = { ...DEFAULT_EXPANSION, ...context.expansion };
  const sentences = sentenceSpace(items.length, context.sentences, opts.centre);
  const covered = sentences !== null && sentences.encoded.length >= SENTENCES_REPLACE_WORDS * items.length;
  const embeddings = context.embeddings ? new Embeddings(context.embeddings) : null;
  const corpus = buildCorpus(items, embeddings, !covered);
  const clusters = buildClusters(corpus);
  const graph = opts.spread > 0 ? buildGraph(corpus) : null;
  const depth = context.depth ?? EDITION_DEPTH;
  const topics = new Map((context.topics ?? []).map((t) => [t.name.trim().toLowerCase(), t]));
  /** The catalogue topic a subscriber names, if it exists and has seed terms to match. */
  const topicNamed = (name: string) => {
    const topic = topics.get(name.trim().toLowerCase());
    return topic && topic.terms.length > 0 ? topic : undefined;
  };
  const mutes = new MuteIndex(corpus);
  const surfaces = new SurfaceForms(corpus);
  const acc = new Accumulator(corpus.n);
  const scoring: InterestScoring = {
    corpus,
    opts,
    depth,
    acc,
    graph,
    bm25: context.naive ? addBm25Scan : addBm25,
    sentences,
    sentencesCover: covered,
  };
  const heap = new TopK(64);
  // Vectors by interest text as typed (a flat string: cheap to hash), for positive interests,
  // negative ones (lexical only) and topics; "Hockey " and "hockey" share one computation.
  const caches = {
    i: new Map<string, InterestVector>(),
    n: new Map<string, InterestVector>(),
    t: new Map<string, InterestVector>(),
  };
  // Read once: a closure that read `context` would keep all of it (the caller's sentence
  // vectors too) alive as long as the ranker.
  const naive = context.naive === true;
  const vectorFor = (kind: 'i' | 'n' | 't', key: string, typed: string | string[]): InterestVector => {
    const lexicalOnly = kind === 'n';
    if (naive) return scoreInterest(scoring, listOf(typed), lexicalOnly);
    const cache = caches[kind];
    let v = cache.get(key);
    if (!v) {
      const canonical = key.trim().toLowerCase();
      v = cache.get(canonical);
      if (!v) cache.set(canonical, (v = scoreInterest(scoring, listOf(typed), lexicalOnly)));
      cache.set(key, v);
    }
    return v;
  };
  const keys = items.map(sourceKeys);
  // Source of each item as a small integer (-1: none), for the per-source cap.
  const sourceIds = new Map<string, number>();
  const sourceId = new Int32Array(items.length).fill(-1);
  items.forEach((it, d) => {
    if (!it.source) return;
    const key = normalizeSource(it.source);
    let id = sourceIds.get(key);
    if (id === undefined) sourceIds.set(key, (id = sourceIds.size));
    sourceId[d] = id;
  });
  const selector = new Selector(clusters, sourceId, sourceIds.size);
  const pickDocs: number[] = [];
  const pickScores: number[] = [];
  const bySource = new Map<string, number[]>();
  keys.forEach((ks, d) => {
    for (const k of ks) {
      let list = bySource.get(k);
      if (!list) bySource.set(k, (list = []));
      list.push(d);
    }
  });
  // A source reference as the subscriber wrote it → its items (normalising is three regexes;
  // subscribers repeat the same few spellings).
  const sourceRefs = new Map<string, readonly number[]>();
  const itemsOfSource = (ref: string): readonly number[] => {
    let docs = sourceRefs.get(ref);
    if (!docs) sourceRefs.set(ref, (docs = bySource.get(normalizeSource(ref)) ?? []));
    return docs;
  };
  const itemIndex = new Map(items.map((it, d) => [it.id, d]));
  // Per-call marks, stamped instead of cleared so a call costs O(its own work), not O(items).
  const banned = new Int32Array(corpus.n);
  const followMark = new Int32Array(corpus.n);
  const pickMark = new Int32Array(corpus.n);
  const pickSlot = new Int32Array(corpus.n);
  const contributions = new Contributions();
  let stamp = 0;

  // Recency factor per item for one (clock, half-life, window); 0 = outside the window.
  // Subscribers mostly share these settings, so the last one is kept.
  let recencyKey = [Number.NaN, 0, 0];
  let recencyCache = new Float32Array(0);
  const recency = (now: number, halfLifeHours: number, freshnessHours: number): Float32Array => {
    const key = recencyKey;
    if (key[0] === now && key[1] === halfLifeHours && key[2] === freshnessHours) return recencyCache;
    const out = new Float32Array(corpus.n);
    const maxAge = freshnessHours * HOUR;
    const halfLife = halfLifeHours * HOUR;
    items.forEach((it, d) => {
      const age = it.publishedAt === undefined ? 0 : Math.max(0, now - it.publishedAt);
      out[d] = age > maxAge ? 0 : 1 - RECENCY_SHARE + RECENCY_SHARE * 0.5 ** (age / halfLife);
    });
    recencyKey = [now, halfLifeHours, freshnessHours];
    recencyCache = out;
    return out;
  };

  // The best k unfiltered-so-far items of the current call (defined once: a closure per call
  // costs an allocation for each of 100k subscribers).
  const candidates = (k: number, fresh: Float32Array, muted: readonly DocSet[], minScore: number): TopK => {
    const top = heap.reset(Math.min(corpus.n, k));
    const scores = acc.scores;
    const touched = acc.touched;
    for (let i = 0; i < acc.count; i++) {
      const d = touched[i]!;
      const f = fresh[d]!;
      if (f === 0) continue; // older than the freshness window
      let s = scores[d]! * f;
      if (followMark[d] === stamp) s = s * FOLLOW_BOOST + FOLLOW_BASE;
      if (s <= 0 || s < minScore || !top.admits(s) || banned[d] === stamp) continue;
      // Mutes are checked only for items that would enter the top list, instead of marking
      // every muted item per call (a common muted word is in thousands).
      let hidden = false;
      for (let m = 0; m < muted.length && !hidden; m++) hidden = hasDoc(muted[m]!, d);
      if (!hidden) top.push(d, s);
    }
    return top;
  };

  // The interests of the current call are pool[0 .. activeCount): the same few objects serve
  // every call (nothing keeps them after it returns).
  const pool: ActiveInterest[] = [];
  let activeCount = 0;
  const use = (label: string, kind: ActiveInterest['kind'], weight: number, vector: InterestVector) => {
    let a = pool[activeCount];
    if (!a) pool.push((a = { label, kind, weight, vector }));
    else {
      a.label = label;
      a.kind = kind;
      a.weight = weight;
      a.vector = vector;
    }
    activeCount++;
  };

  return {
    sentenceTexts(prefs) {
      const texts: string[] = [];
      for (const i of prefs.interests) if (i.weight > 0) texts.push(interestSentenceText([i.term]));
      for (const name of prefs.topics) {
        const topic = topicNamed(name);
        if (topic) texts.push(interestSentenceText(topic.terms));
      }
      return texts;
    },
    keyWords(id, n = 3) {
      const d = itemIndex.get(id);
      if (d === undefined) return [];
      const terms = [...corpus.docTerms[d]!].filter((t) => corpus.df[t]! >= 2);
      terms.sort((a, b) => corpus.df[a]! - corpus.df[b]! || a - b);
      return terms.slice(0, n).map((t) => surfaces.of(d, corpus.terms[t]!).toLowerCase());
    },
    rank(prefs, options = {}) {
      stamp++;
      const now = options.now ?? Date.now();
      const limit = options.limit ?? prefs.maxItems;
      const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
      activeCount = 0;
      for (const i of prefs.interests) {
        if (i.weight === 0) continue;
        use(i.term, 'interest', i.weight, vectorFor(i.weight < 0 ? 'n' : 'i', i.term, i.term));
      }
      for (const name of prefs.topics) {
        const topic = topicNamed(name);
        if (topic) use(topic.name, 'topic', 1, vectorFor('t', topic.name, topic.terms));
      }
      acc.reset();
      // Each vector is best first, so only its head can reach an edition of `limit` items;
      // the tail is read only when one interest must fill a long list on its own.
      const head = Math.max(HEAD_MIN, limit * 2, Math.ceil((limit * 6) / Math.max(1, activeCount)));
      for (let j = 0; j < activeCount; j++) {
        const a = pool[j]!;
        const { docs, scores } = a.vector;
        const m = Math.min(docs.length, head);
        for (let i = 0; i < m; i++) acc.add(docs[i]!, a.weight * scores[i]!);
      }
      for (const ref of prefs.followedSources) {
        for (const d of itemsOfSource(ref)) {
          followMark[d] = stamp;
          acc.add(d, 0);
        }
      }
      for (const ref of prefs.mutedSources) for (const d of itemsOfSource(ref)) banned[d] = stamp;
      if (options.exclude)
        for (const id of options.exclude) {
          const d = itemIndex.get(id);
          if (d !== undefined) banned[d] = stamp;
        }
      const muted = prefs.mutes.map((m) => mutes.docs(m));
      const fresh = recency(now, prefs.halfLifeHours, prefs.freshnessHours);
      // A few candidates beyond `limit` absorb what selection drops (copies, over the cap);
      // if that was not enough and more exist, look again, wider. Selection is greedy over a
      // best-first list, so a wider look picks exactly what a first wide one would have: the
      // margin only trades heap work now against an occasional second scan (5: the bench's
      // fastest; limit · 2 + 10 gave the same picks, 0.15 s slower over 100k subscribers).
      let k = limit + 5;
      let top = candidates(k, fresh, muted, minScore).sortedInPlace();
      let n = selector.select(
        top.docs,
        top.scores,
        top.size,
        limit,
        prefs.perSourceCap,
        pickDocs,
        pickScores,
      );
      while (n < limit && top.size === top.k && k < corpus.n) {
        k *= 4;
        top = candidates(k, fresh, muted, minScore).sortedInPlace();
        n = selector.select(top.docs, top.scores, top.size, limit, prefs.perSourceCap, pickDocs, pickScores);
      }
      // Reasons are built only here, for the final picks, from what each interest added to each
      // pick: the same heads the scores were summed from, so a reason never names an interest
      // that did not count.
      contributions.reset(n);
      for (let i = 0; i < n; i++) {
        pickMark[pickDocs[i]!] = stamp;
        pickSlot[pickDocs[i]!] = i;
      }
      for (let j = 0; j < activeCount; j++) {
        const a = pool[j]!;
        if (a.weight <= 0) continue;
        const { docs, scores } = a.vector;
        const m = Math.min(docs.length, head);
        for (let i = 0; i < m; i++) {
          const d = docs[i]!;
          if (pickMark[d] === stamp) contributions.offer(pickSlot[d]!, a, a.weight * scores[i]!, i);
        }
      }
      const picks: Pick[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const d = pickDocs[i]!;
        picks[i] = {
          id: items[d]!.id,
          score: Math.round(pickScores[i]! * 1e4) / 1e4,
          reasons: contributions.explain(
            corpus,
            surfaces,
            i,
            d,
            followMark[d] === stamp,
            clusters.otherSources[d]!,
          ),
        };
      }
      return picks;
    },
  };
}

const listOf = (typed: string | string[]): string[] => (typeof typed === 'string' ? [typed] : typed);

/** The newest publishedAt in a batch (epoch ms), or undefined: offline evaluation's "now". */
export function newestPublishedAt(items: readonly RankItem[]): number | undefined {
  let m = -Infinity;
  for (const it of items) if (it.publishedAt !== undefined && it.publishedAt > m) m = it.publishedAt;
  return m === -Infinity ? undefined : m;
}
