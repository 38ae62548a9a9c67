import type { EmbeddingTable } from './embeddings.ts';
import type { ExpansionOptions } from './expand.ts';

/** What ranking needs to know about one candidate item: plain data, no database rows. */
export interface RankItem {
  id: string;
  title: string;
  summary?: string;
  content?: string;
  url?: string;
  /** Source display name (used for follows, mutes and "from X" reasons). */
  source?: string;
  /** Source feed URL, also matched by followedSources / mutedSources. */
  sourceUrl?: string;
  author?: string;
  categories?: string[];
  /** Epoch milliseconds; undefined counts as "now" (equally fresh). */
  publishedAt?: number;
  /** Items sharing a cluster id are copies of one story: at most one is picked. */
  clusterId?: string;
}

/** One picked item with its score and human-readable reasons. */
export interface Pick {
  id: string;
  score: number;
  reasons: string[];
}

/** An operator-defined topic: a name and the seed terms that describe it. */
export interface Topic {
  name: string;
  terms: string[];
}

/** Per-batch settings for createRanker; all optional. */
export interface RankerContext {
  /** The operator's topic catalogue; subscribers pick topics by name. */
  topics?: Topic[];
  /**
   * Decoded word-embedding table (see embeddings.ts: decodeEmbeddings). Without it, ranking
   * still works, with feedback-based expansion only. Loaded at the edge (file in Node, Data
   * module in a Worker) and passed in as plain data. Where sentence vectors cover the batch, only
   * interests without a sentence vector of their own use it (see index.ts:
   * SENTENCES_REPLACE_WORDS).
   */
  embeddings?: EmbeddingTable;
  /**
   * Sentence vectors from an encoder that runs outside the ranker (Node: at ingest, in the CLI).
   * They say what a whole headline is about, which word vectors cannot. Optional: without them
   * (Workers, or the encoder switched off) ranking works as before.
   */
  sentences?: SentenceVectors;
  /** Switches and sizes of query expansion (for measuring what each adds). */
  expansion?: Partial<ExpansionOptions>;
  /**
   * Docs kept per interest vector (default 50, what an edition keeps). A deeper list only adds
   * items after the first 50, which do not depend on it (`sift rank` keeps 1,000).
   */
  depth?: number;
  /**
   * Naive evaluation, only for measuring what the design buys (bench's baseline): every
   * interest recomputed on every rank() call, scoring every item by a scan instead of the
   * inverted index. Same formula, same results.
   */
  naive?: boolean;
}

/** Per-subscriber call options for rank(); all optional. */
export interface RankOptions {
  /** Clock for recency decay, epoch ms. */
  now?: number;
  /** Item ids already sent to this subscriber: never picked again. */
  exclude?: ReadonlySet<string>;
  /** Overrides prefs.maxItems (offline evaluation asks for a deeper list). */
  limit?: number;
  /** Minimum score to be picked: a weak day yields a short edition, not filler (default 0.25). */
  minScore?: number;
}

/**
 * Sentence vectors as plain data: unit vectors quantised ×127 (so dot / 127² ≈ cosine), all of
 * one length. Items and interests are encoded from the texts `itemSentenceText` and
 * `interestSentenceText` (sentences.ts) give, so every caller encodes the same thing.
 */
export interface SentenceVectors {
  dims: number;
  /** One per item, in the order the items were given; null or undefined where not encoded. */
  items: readonly (Int8Array | null | undefined)[];
  /** The vector of an interest or topic by its `interestSentenceText`, or undefined. */
  interest(text: string): Int8Array | undefined;
}
