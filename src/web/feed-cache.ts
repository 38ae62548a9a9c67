import type { Db } from '../db/client.ts';

/** The feed formats served, with their media types. */
export type FeedFormat = 'atom' | 'rss' | 'json';

/** What is known about one feed token: who, which edition, and each rendered body. */
export interface FeedEntry {
  subscriberId: number;
  feedVersion: number;
  /** The newest edition id: fixed when the edition was stored, so it names the content. */
  editionId: number;
  bodies: Partial<Record<FeedFormat, Uint8Array>>;
  etags: Record<FeedFormat, string>;
  /** Response headers per format, built once. */
  headers: Record<FeedFormat, Record<string, string>>;
  /** Real time (ms) of the last database check. */
  checkedAt: number;
}

const MAX_ENTRIES = 2000;
// One cache per database handle (so tests and Workers requests never share state by accident).
const caches = new WeakMap<Db, Map<string, FeedEntry>>();

/** The feed cache of a database handle. */
export function feedCache(db: Db): Map<string, FeedEntry> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/**
 * The ETag of one representation: subscriber, newest edition, feed version and format. All are
 * ids fixed when the edition was stored, so no request ever hashes a body.
 */
export function feedEtag(
  subscriberId: number,
  editionId: number,
  feedVersion: number,
  format: FeedFormat,
): string {
  return `"${subscriberId}.${editionId}.${feedVersion}.${format}"`;
}

/** Stores an entry, evicting the oldest when full. */
export function rememberFeed(db: Db, token: string, entry: FeedEntry): void {
  const cache = feedCache(db);
  if (!cache.has(token) && cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(token, entry);
}

/** Drops every cached entry of a subscriber (feed rotated, subscriber deleted). */
export function forgetFeeds(db: Db, subscriberId: number): void {
  const cache = caches.get(db);
  if (!cache) return;
  for (const [token, entry] of cache) if (entry.subscriberId === subscriberId) cache.delete(token);
}
