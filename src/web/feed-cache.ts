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
/** Rendered bodies kept at most (bytes, all formats), so memory stays bounded with many readers. */
const MAX_BYTES = 32 * 1024 * 1024;

/** Entries by token, oldest first, and the bytes of all their bodies (kept by drop and remember*). */
interface FeedCache {
  entries: Map<string, FeedEntry>;
  bytes: number;
}
// One cache per database handle (so tests and Workers requests never share state by accident).
const caches = new WeakMap<Db, FeedCache>();

function cacheOf(db: Db): FeedCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { entries: new Map(), bytes: 0 }));
  return cache;
}

function bodyBytes(entry: FeedEntry): number {
  return (
    (entry.bodies.atom?.length ?? 0) + (entry.bodies.rss?.length ?? 0) + (entry.bodies.json?.length ?? 0)
  );
}

/** The one way out of a cache: forgets the entry and its bytes. */
function drop(cache: FeedCache, token: string, entry: FeedEntry): void {
  cache.bytes -= bodyBytes(entry);
  cache.entries.delete(token);
}

/** The remembered state of a feed token, fresh or not. */
export function feedEntry(db: Db, token: string): FeedEntry | undefined {
  return caches.get(db)?.entries.get(token);
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

/** Stores an entry (the newest), replacing the token's old one or evicting the oldest when full. */
export function rememberFeed(db: Db, token: string, entry: FeedEntry): void {
  const cache = cacheOf(db);
  const previous = cache.entries.get(token);
  if (previous) drop(cache, token, previous);
  else if (cache.entries.size >= MAX_ENTRIES) {
    const [oldest, old] = cache.entries.entries().next().value!;
    drop(cache, oldest, old);
  }
  cache.entries.set(token, entry);
  cache.bytes += bodyBytes(entry);
}

/**
 * Keeps a rendered body, evicting the oldest entries while the byte budget is exceeded. An entry
 * replaced or dropped while its body was rendered still gets it (for the request that waited)
 * but is no longer counted.
 */
export function rememberBody(
  db: Db,
  token: string,
  entry: FeedEntry,
  format: FeedFormat,
  body: Uint8Array,
): void {
  const cache = cacheOf(db);
  const counted = cache.entries.get(token) === entry;
  if (counted) cache.bytes += body.length - (entry.bodies[format]?.length ?? 0);
  entry.bodies[format] = body;
  for (const [old, oldEntry] of cache.entries) {
    if (cache.bytes <= MAX_BYTES) break;
    if (oldEntry !== entry) drop(cache, old, oldEntry);
  }
}

/** Drops every cached entry of a subscriber (feed rotated, subscriber deleted). */
export function forgetFeeds(db: Db, subscriberId: number): void {
  const cache = caches.get(db);
  if (!cache) return;
  for (const [token, entry] of cache.entries)
    if (entry.subscriberId === subscriberId) drop(cache, token, entry);
}

/** Forgets one token's entry (its feed no longer exists). */
export function forgetFeed(db: Db, token: string): void {
  const cache = caches.get(db);
  const entry = cache?.entries.get(token);
  if (cache && entry) drop(cache, token, entry);
}
