/**
 * Sentence vectors for one ranking batch (planner, dry run, live preview): the items' from the
 * database (ingest encoded them), interests' from memory or encoded on first use. Any failure of
 * the encoder or the store leaves the batch without sentence vectors: ranking then works as it
 * does on Workers, and nothing is lost.
 */
import type { Deps } from '../deps.ts';
import type { Preferences } from '../preferences/schema.ts';
import {
  createRanker,
  itemSentenceText,
  type Ranker,
  type RankItem,
  type SentenceVectors,
  type Topic,
} from '../rank/index.ts';

/**
 * Items that ingest did not encode (stored before the encoder was on, or while it failed) are
 * encoded here, at most this many per batch (~50 ms each): the rest catch up on later runs.
 */
const ENCODE_AT_PLAN = 200;

/** One ranking batch (planner, dry run, live preview, bench): a ranker with its context. */
export interface RankingBatch {
  ranker: Ranker;
  /** Makes ready the interest and topic vectors that ranker.rank() will look up for these prefs. */
  prepare(prefs: Iterable<Preferences>): Promise<void>;
}

/**
 * The ranker over these items with the planner's context (topics, the word table, the items'
 * sentence vectors), so every caller ranks as the edition will.
 */
export async function batchRanker(
  deps: Pick<Deps, 'sentences' | 'log' | 'embeddings'>,
  items: readonly RankItem[],
  options: { topics?: Topic[]; encodeItems?: number } = {},
): Promise<RankingBatch> {
  const sentences = await batchSentences(deps, items, options);
  const ranker = createRanker(items, {
    topics: options.topics,
    embeddings: deps.embeddings,
    sentences: sentences?.vectors,
  });
  // Only the interests' half is kept: the ranker has copied the items' vectors into one matrix,
  // and the rows as the database returned them (one small buffer each) can go.
  const prepareTexts = sentences?.prepare;
  return {
    ranker,
    async prepare(prefs) {
      if (!prepareTexts) return;
      const texts: string[] = [];
      for (const p of prefs) texts.push(...ranker.sentenceTexts(p));
      await prepareTexts(texts);
    },
  };
}

export interface BatchSentences {
  vectors: SentenceVectors;
  /** Encodes (or loads) these interest and topic texts: what `Ranker.sentenceTexts` names. */
  prepare(texts: Iterable<string>): Promise<void>;
}

/**
 * The sentence vectors of one batch (see the top of this file); for callers that build their
 * own ranker (`sift rank`, with its depth and switches). `encodeItems`: how many missing item
 * vectors to encode now (default ENCODE_AT_PLAN); `storedOnFailure` (default true): when encoding
 * fails, rank with the stored vectors rather than none.
 */
export async function batchSentences(
  deps: Pick<Deps, 'sentences' | 'log'>,
  items: readonly RankItem[],
  options: {
    encodeItems?: number;
    onProgress?: (done: number, total: number) => void;
    storedOnFailure?: boolean;
  } = {},
): Promise<BatchSentences | undefined> {
  const service = deps.sentences;
  if (!service || items.length === 0) return undefined;
  const texts = items.map(itemSentenceText);
  let itemVectors: (Int8Array | undefined)[];
  try {
    itemVectors = await service.items.vectors(texts, {
      encode: options.encodeItems ?? ENCODE_AT_PLAN,
      onProgress: options.onProgress,
      storedOnFailure: options.storedOnFailure ?? true,
    });
  } catch (e) {
    deps.log.warn('sentences: stored vectors unavailable, ranking without them', { error: String(e) });
    return undefined;
  }
  const interests = new Map<string, Int8Array>();
  let failed = false;
  return {
    vectors: { dims: service.items.dims, items: itemVectors, interest: (text) => interests.get(text) },
    async prepare(wanted) {
      if (failed) return;
      const texts = [...new Set(wanted)].filter((t) => !interests.has(t));
      if (texts.length === 0) return;
      try {
        const vs = await service.interests.vectors(texts);
        texts.forEach((t, i) => {
          if (vs[i]) interests.set(t, vs[i]);
        });
      } catch (e) {
        // Once is enough to know: the rest of the batch ranks without new interest vectors.
        failed = true;
        deps.log.warn('sentences: interest vectors unavailable, ranking without them', { error: String(e) });
      }
    },
  };
}
