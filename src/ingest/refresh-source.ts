import type { Config } from '../config.ts';
import type { NewItem, Source } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { itemSentenceText } from '../rank/index.ts';
import { sha256Hex } from '../security/encoding.ts';
import { existingItemKeys, upsertItems } from '../store/items.ts';
import { getSourceByUrl, updateSource } from '../store/sources.ts';
import { parseAllowList } from './address-policy.ts';
import { canonicalUrl } from './canonical-url.ts';
import { nextCheckAfterFailure, nextCheckAfterSuccess } from './check-schedule.ts';
import { ClusterIndex } from './cluster.ts';
import { FetchError, type FetchOptions, fetchFeed } from './fetch-feed.ts';
import { type ParsedFeed, parseFeedBytes } from './parse.ts';
import { simhash } from './simhash.ts';
import { USER_AGENT } from './user-agent.ts';

/** What one refresh did, for logs and the operator. */
export type RefreshOutcome =
  | { ok: true; sourceId: number; items: number; newItems: number; notModified: boolean; nextCheckAt: number }
  | { ok: false; sourceId: number; error: string; paused: boolean; nextCheckAt: number };

/** Per-run shared state: the cluster index, so every source of a run sees the others' items. */
export interface RefreshContext {
  clusters?: ClusterIndex;
}

/** Fetch settings from the configuration (limits, allow list, user agent). */
export function fetchSettings(config: Config): Omit<FetchOptions, 'fetch'> {
  return {
    userAgent: USER_AGENT,
    allowPrivateHosts: parseAllowList(config.SIFT_ALLOW_PRIVATE_HOSTS),
    timeoutMs: config.SIFT_FETCH_TIMEOUT * 1000,
    maxBytes: Math.round(config.SIFT_FETCH_MAX_MB * 1024 * 1024),
  };
}

/**
 * Fetches, parses and stores one source, then schedules its next check and releases its lease.
 * Never throws for a bad source: the error is stored on the source (and returned), the next check
 * backs off, and after SIFT_PAUSE_AFTER_FAILURES failures in a row (or at once for a refused
 * address or 410 Gone) the source is paused with the reason, so one broken feed cannot stop the
 * others or be hammered forever.
 */
export async function refreshSource(
  deps: Deps,
  source: Source,
  context: RefreshContext = {},
): Promise<RefreshOutcome> {
  const now = deps.clock();
  const intervalMs = deps.config.SIFT_CHECK_INTERVAL * 60_000;
  try {
    let bytes: Uint8Array;
    let contentType: string | null = null;
    let url = source.url;
    let etag = source.etag;
    let lastModified = source.lastModified;
    let maxAgeMs: number | null = null;
    let moved: { url?: string } = {};
    if (source.kind === 'bundled') {
      bytes = new TextEncoder().encode(await deps.bundled(source.url.replace(/^bundled:/, '')));
      url = deps.config.baseUrl;
    } else {
      const res = await fetchFeed(source.url, {
        ...fetchSettings(deps.config),
        fetch: deps.fetch,
        etag: source.etag,
        lastModified: source.lastModified,
        now,
      });
      moved = await movedUrl(deps, source, res.movedTo);
      if (res.status === 'not-modified') {
        // 304: nothing changed, nothing to parse (issue 3).
        return notModified(deps, source.id, now, nextCheckAfterSuccess(now, intervalMs, res.maxAgeMs), moved);
      }
      ({ bytes, contentType, etag, lastModified, maxAgeMs } = res);
      url = res.finalUrl;
    }
    // Many servers send no ETag/Last-Modified: an identical body is "not modified" all the same.
    const bodyHash = await sha256Hex(bytes);
    if (bodyHash === source.bodyHash && source.lastSuccessAt !== null && source.kind !== 'bundled') {
      return notModified(deps, source.id, now, nextCheckAfterSuccess(now, intervalMs, maxAgeMs), {
        ...moved,
        etag,
        lastModified,
      });
    }
    const feed = await parseFeedBytes(bytes, { url, contentType, now });
    const newItems = await storeItems(deps, source.id, feed, now, context.clusters);
    return recordSuccess(
      deps,
      source.id,
      now,
      nextCheckAfterSuccess(now, intervalMs, maxAgeMs),
      {
        ...moved,
        title: source.title ?? feed.title,
        siteUrl: feed.siteUrl,
        format: feed.formatName,
        bodyHash,
        etag,
        lastModified,
      },
      { items: feed.items.length, newItems, notModified: false },
    );
  } catch (e) {
    return recordFailure(deps, source, e, now, intervalMs);
  }
}

/**
 * A feed that answers through permanent redirects only (301/308) has moved: the source follows it
 * (saving a hop on every check), unless another source already has that URL.
 */
async function movedUrl(deps: Deps, source: Source, movedTo: string | null): Promise<{ url?: string }> {
  if (!movedTo || movedTo === source.url || (await getSourceByUrl(deps.db, movedTo))) return {};
  deps.log.info('ingest: source moved permanently', { from: source.url, to: movedTo });
  return { url: movedTo };
}

async function recordFailure(
  deps: Deps,
  source: Source,
  e: unknown,
  now: number,
  intervalMs: number,
): Promise<RefreshOutcome> {
  const error = describeError(e);
  const errorCount = source.errorCount + 1;
  const details = e instanceof FetchError ? e.details : {};
  const limit = deps.config.SIFT_PAUSE_AFTER_FAILURES;
  const paused = details.permanent === true || (limit > 0 && errorCount >= limit);
  const nextCheckAt = nextCheckAfterFailure(now, intervalMs, errorCount, details.retryAfterMs);
  const pausedReason = !paused
    ? null
    : details.permanent
      ? `paused: ${error}`
      : `paused after ${errorCount} consecutive failures; last error: ${error}`;
  try {
    await updateSource(deps.db, source.id, {
      lastCheckAt: now,
      lastError: error,
      errorCount,
      nextCheckAt,
      leaseUntil: null,
      ...(paused ? { paused: true, pausedReason } : {}),
    });
  } catch (dbError) {
    deps.log.error('ingest: could not record a failed check', { source: source.url, error: String(dbError) });
  }
  return { ok: false, sourceId: source.id, error, paused, nextCheckAt };
}

/** One line for the operator, without the module prefix ("HTTP 404 Not Found"). */
export function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^ingest: /, '').slice(0, 500);
}

/** Upserts a parsed feed's items with their cluster keys. Returns how many were new. */
export async function storeItems(
  deps: Deps,
  sourceId: number,
  feed: ParsedFeed,
  now: number,
  clusters?: ClusterIndex,
): Promise<number> {
  if (feed.items.length === 0) return 0;
  // A feed may repeat an entry; the last copy wins, as it would on a second fetch.
  const unique = new Map(feed.items.map((i) => [i.key, i]));
  const index = clusters ?? (await ClusterIndex.load(deps.db, now));
  const existing = await existingItemKeys(deps.db, sourceId, [...unique.keys()]);
  const rows: NewItem[] = [];
  for (const i of unique.values()) {
    const canonical = canonicalUrl(i.link);
    const fp = simhash(`${i.title} ${i.summary.slice(0, 400)}`);
    rows.push({
      sourceId,
      key: i.key,
      url: i.link,
      title: i.title,
      summary: i.summary,
      contentHtml: i.contentHtml,
      author: i.author,
      categories: i.categories,
      // No date in the feed: stays null and readers use fetchedAt, the time Sift first saw it
      // (an upsert never moves fetchedAt, so the item does not look new on every fetch).
      publishedAt: i.publishedAt,
      fetchedAt: now,
      clusterKey: index.assign(sourceId, canonical, fp, `k:${sourceId}:${i.key}`),
      canonicalUrl: canonical,
      simhash: fp ? fp.hi.toString(16).padStart(8, '0') + fp.lo.toString(16).padStart(8, '0') : null,
      enclosure: i.enclosure,
    });
  }
  await upsertItems(deps.db, rows);
  // Every row, not only new ones: an edited headline is a new text (the store skips known ones).
  await encodeSentences(deps, rows);
  return rows.filter((r) => !existing.has(r.key)).length;
}

/**
 * Encodes the items' sentence vectors now (those not stored yet), so the planner finds them. A failure costs
 * only the vectors (the planner encodes what is missing later, or ranks without): never the items.
 */
async function encodeSentences(deps: Deps, rows: readonly NewItem[]): Promise<void> {
  if (!deps.sentences || rows.length === 0) return;
  try {
    await deps.sentences.items.vectors(
      rows.map((r) => itemSentenceText({ title: r.title, summary: r.summary ?? undefined })),
    );
  } catch (e) {
    deps.log.warn('ingest: sentence vectors not stored; the planner will retry', { error: String(e) });
  }
}

/** Records a successful check (a source that answered and parsed, or had nothing new). */
async function recordSuccess(
  deps: Deps,
  sourceId: number,
  now: number,
  nextCheckAt: number,
  patch: Partial<Source>,
  counts: { items: number; newItems: number; notModified: boolean },
): Promise<RefreshOutcome> {
  await updateSource(deps.db, sourceId, {
    ...patch,
    lastCheckAt: now,
    lastSuccessAt: now,
    lastError: null,
    errorCount: 0,
    nextCheckAt,
    leaseUntil: null,
  });
  return { ok: true, sourceId, ...counts, nextCheckAt };
}

/** A successful check that found nothing new (304, or the same body as last time). */
function notModified(
  deps: Deps,
  sourceId: number,
  now: number,
  nextCheckAt: number,
  patch: Partial<Source>,
): Promise<RefreshOutcome> {
  return recordSuccess(deps, sourceId, now, nextCheckAt, patch, { items: 0, newItems: 0, notModified: true });
}
