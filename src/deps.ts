import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Mailer } from './deliver/mailer.ts';
import type { Log } from './log.ts';
import type { EmbeddingTable } from './rank/index.ts';
import type { SentenceServices } from './semantic/service.ts';

/** Reads a demo feed shipped with Sift by name (the `bundled:` source kind). */
export type BundledFeeds = (name: string) => Promise<string>;

/** Everything a use case may touch, passed in (never global) so Workers can build it per request. */
export interface Deps {
  db: Db;
  mailer: Mailer;
  config: Config;
  /** The secret for signed links (HMAC). */
  secret: string;
  log: Log;
  /** Epoch milliseconds; tests drive a fake clock. */
  clock: () => number;
  /**
   * fetch for user-supplied URLs (sources). On Node: the SSRF-guarded undici fetch
   * (src/ingest/node-safe-fetch.ts); on Workers: the platform's fetch. Ingestion checks every
   * hop's URL itself either way (src/ingest/fetch-feed.ts).
   */
  fetch: typeof fetch;
  bundled: BundledFeeds;
  /**
   * The word-embedding table ranking uses to understand related words ("hockey" → "NHL"),
   * loaded once at start. Optional: without it ranking still works, a little less well.
   */
  embeddings?: EmbeddingTable;
  /**
   * Sentence vectors (what a whole headline is about): items' stored by content, interests'
   * kept in memory. Node only, unless SIFT_SENTENCES=off; without them ranking works as before.
   */
  sentences?: SentenceServices;
}
