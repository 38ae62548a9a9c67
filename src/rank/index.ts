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
import { buildClusters } from './cluster.ts';
import { buildCorpus } from './corpus.ts';
import { diversify, TopK } from './diversify.ts';
import { Embeddings } from './embeddings.ts';
import { DEFAULT_EXPANSION, type ExpansionOptions } from './expand.ts';
import { type ActiveInterest, explain, SurfaceForms } from './explain.ts';
import { buildGraph } from './graph.ts';
import { type InterestVector, scoreInterest } from './interest.ts';
import { Accumulator } from './lexical.ts';
import { MuteIndex } from './mutes.ts';
import { normalizeSource, sourceKeys } from './sources.ts';
import type { Pick, RankerContext, RankItem, RankOptions } from './types.ts';

export type { EmbeddingTable } from './embeddings.ts';
export { decodeEmbeddings } from './embeddings.ts';
export type { ExpansionOptions } from './expand.ts';
export type { Pick, RankerContext, RankItem, RankOptions, Topic } from './types.ts';

/** A ranker built once over a batch of candidate items, then asked per subscriber. */
export interface Ranker {
  rank(prefs: Preferences, options?: RankOptions): Pick[];
}

/** Default threshold: about a third of "the typed word is in the title". */
export const DEFAULT_MIN_SCORE = 0.25;
/** Followed sources: their matches count this much more, and unmatched items still qualify. */
const FOLLOW_BOOST = 1.5;
const FOLLOW_BASE = DEFAULT_MIN_SCORE;
/** Share of the score that recency can take away (relevance stays the main signal). */
const RECENCY_SHARE = 0.4;
const HOUR = 3_600_000;

/** Builds a ranker over candidate items (see RankerContext for the optional settings). */
export function createRanker(items: readonly RankItem[], context: RankerContext = {}): Ranker {
  const embeddings = context.embeddings ? new Embeddings(context.embeddings) : null;
  const corpus = buildCorpus(items, embeddings);
  const clusters = buildClusters(corpus);
  const opts: ExpansionOptions = { ...DEFAULT_EXPANSION, ...context.expansion };
  const graph = opts.spread > 0 ? buildGraph(corpus) : null;
  const depth = context.depth ?? 300;
  const topics = new Map((context.topics ?? []).map((t) => [t.name.trim().toLowerCase(), t]));
  const mutes = new MuteIndex(corpus);
  const surfaces = new SurfaceForms(corpus);
  const acc = new Accumulator(corpus.n);
  const cache = new Map<string, InterestVector>();
  const vectorFor = (key: string, phrases: string[], lexicalOnly: boolean): InterestVector => {
    let v = cache.get(key);
    if (!v) cache.set(key, (v = scoreInterest(corpus, phrases, opts, lexicalOnly, depth, acc, graph)));
    return v;
  };
  const keys = items.map(sourceKeys);
  const sourceOf = items.map((it) => (it.source ? normalizeSource(it.source) : undefined));
  const bySource = new Map<string, number[]>();
  keys.forEach((ks, d) => {
    for (const k of ks) {
      let list = bySource.get(k);
      if (!list) bySource.set(k, (list = []));
      list.push(d);
    }
  });
  const itemIndex = new Map(items.map((it, d) => [it.id, d]));
  // Per-call marks, stamped instead of cleared so a call costs O(its own work), not O(items).
  const banned = new Int32Array(corpus.n);
  const followMark = new Int32Array(corpus.n);
  let stamp = 0;

  return {
    rank(prefs, options = {}) {
      stamp++;
      const now = options.now ?? Date.now();
      const limit = options.limit ?? prefs.maxItems;
      const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
      const active: ActiveInterest[] = [];
      for (const i of prefs.interests) {
        if (i.weight === 0) continue;
        const neg = i.weight < 0;
        const key = `${neg ? 'n' : 'i'}:${i.term.trim().toLowerCase()}`;
        active.push({
          label: i.term,
          kind: 'interest',
          weight: i.weight,
          vector: vectorFor(key, [i.term], neg),
        });
      }
      for (const name of prefs.topics) {
        const topic = topics.get(name.trim().toLowerCase());
        if (!topic || topic.terms.length === 0) continue;
        const vector = vectorFor(`t:${topic.name.toLowerCase()}`, topic.terms, false);
        active.push({ label: topic.name, kind: 'topic', weight: 1, vector });
      }
      acc.reset();
      for (const a of active) {
        const { docs, scores } = a.vector;
        for (let i = 0; i < docs.length; i++) acc.add(docs[i]!, a.weight * scores[i]!);
      }
      for (const ref of prefs.followedSources) {
        for (const d of bySource.get(normalizeSource(ref)) ?? []) {
          followMark[d] = stamp;
          acc.add(d, 0);
        }
      }
      for (const m of prefs.mutes) for (const d of mutes.docs(m)) banned[d] = stamp;
      for (const ref of prefs.mutedSources)
        for (const d of bySource.get(normalizeSource(ref)) ?? []) banned[d] = stamp;
      if (options.exclude)
        for (const id of options.exclude) {
          const d = itemIndex.get(id);
          if (d !== undefined) banned[d] = stamp;
        }

      const maxAge = prefs.freshnessHours * HOUR;
      const halfLife = prefs.halfLifeHours * HOUR;
      // Extra candidates beyond `limit` absorb what diversify() drops as duplicates or over cap.
      const top = new TopK(Math.min(corpus.n, limit * 3 + 20));
      for (const d of acc.touched) {
        if (banned[d] === stamp) continue;
        let s = acc.scores[d]!;
        const at = items[d]!.publishedAt;
        if (at !== undefined) {
          const age = Math.max(0, now - at);
          if (age > maxAge) continue;
          s *= 1 - RECENCY_SHARE + RECENCY_SHARE * 0.5 ** (age / halfLife);
        }
        if (followMark[d] === stamp) s = s * FOLLOW_BOOST + FOLLOW_BASE;
        if (s <= 0 || s < minScore) continue;
        top.push(d, s);
      }
      const picks = diversify(corpus, clusters, sourceOf, top.sorted(), limit, prefs.perSourceCap);
      return picks.map(([d, s]) => ({
        id: items[d]!.id,
        score: Math.round(s * 1e4) / 1e4,
        reasons: explain(corpus, surfaces, active, d, followMark[d] === stamp, clusters.otherSources[d]!),
      }));
    },
  };
}

/** The newest publishedAt in a batch (epoch ms), or undefined: offline evaluation's "now". */
export function newestPublishedAt(items: readonly RankItem[]): number | undefined {
  let m = -Infinity;
  for (const it of items) if (it.publishedAt !== undefined && it.publishedAt > m) m = it.publishedAt;
  return m === -Infinity ? undefined : m;
}
