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
// One cache per database handle (so tests and Workers requests never share state by accident).
const caches = new WeakMap<Db, Map<string, FeedEntry>>();
const sizes = new WeakMap<Db, { bytes: number }>();

function bodyBytes(entry: FeedEntry): number {
  return (
    (entry.bodies.atom?.length ?? 0) + (entry.bodies.rss?.length ?? 0) + (entry.bodies.json?.length ?? 0)
  );
}

/** Keeps a rendered body, evicting the oldest entries while the byte budget is exceeded. */
export function rememberBody(db: Db, entry: FeedEntry, format: FeedFormat, body: Uint8Array): void {
  const cache = feedCache(db);
  let size = sizes.get(db);
  if (!size) sizes.set(db, (size = { bytes: 0 }));
  size.bytes -= entry.bodies[format]?.length ?? 0;
  entry.bodies[format] = body;
  size.bytes += body.length;
  for (const [token, old] of cache) {
    if (size.bytes <= MAX_BYTES) break;
    if (old === entry) continue;
    size.bytes -= bodyBytes(old);
    cache.delete(token);
  }
}

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
  const previous = cache.get(token);
  if (previous) dropBytes(db, previous);
  else if (cache.size >= MAX_ENTRIES) {
    const [oldest, old] = cache.entries().next().value!;
    dropBytes(db, old);
    cache.delete(oldest);
  }
  cache.set(token, entry);
}

/** Drops every cached entry of a subscriber (feed rotated, subscriber deleted). */
export function forgetFeeds(db: Db, subscriberId: number): void {
  const cache = caches.get(db);
  if (!cache) return;
  for (const [token, entry] of cache)
    if (entry.subscriberId === subscriberId) {
      dropBytes(db, entry);
      cache.delete(token);
    }
}

/** Forgets one token's entry (its feed no longer exists). */
export function forgetFeed(db: Db, token: string): void {
  const entry = caches.get(db)?.get(token);
  if (!entry) return;
  dropBytes(db, entry);
  caches.get(db)!.delete(token);
}

function dropBytes(db: Db, entry: FeedEntry): void {
  const size = sizes.get(db);
  if (size) size.bytes -= bodyBytes(entry);
}
