import type { Source } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { upsertItems } from '../store/items.ts';
import { updateSource } from '../store/sources.ts';
import { fetchFeed } from './fetch-feed.ts';
import { parseFeed } from './parse.ts';

const CHECK_INTERVAL_MS = 30 * 60_000;
const MAX_BACKOFF_MS = 24 * 3_600_000;

/** What one refresh did, for logs and the operator. */
export type RefreshOutcome =
  | { ok: true; sourceId: number; items: number; notModified: boolean }
  | { ok: false; sourceId: number; error: string };

/**
 * Fetches, parses and stores one source. Never throws for a bad source: the error is stored
 * on the source (and returned) and the next check backs off, so one broken feed cannot stop
 * the others.
 */
export async function refreshSource(deps: Deps, source: Source): Promise<RefreshOutcome> {
  const now = deps.clock();
  try {
    let body: string;
    let etag: string | null = source.etag;
    let lastModified: string | null = source.lastModified;
    if (source.kind === 'bundled') {
      body = await deps.bundled(source.url.replace(/^bundled:/, ''));
    } else {
      const res = await fetchFeed(source.url, {
        fetch: deps.fetch,
        etag: source.etag,
        lastModified: source.lastModified,
        userAgent: `Sift/0.1 (+${deps.config.baseUrl})`,
      });
      if (res.status === 'not-modified') {
        await updateSource(deps.db, source.id, {
          lastCheckAt: now,
          lastSuccessAt: now,
          lastError: null,
          errorCount: 0,
          nextCheckAt: now + CHECK_INTERVAL_MS,
        });
        return { ok: true, sourceId: source.id, items: 0, notModified: true };
      }
      body = res.body;
      etag = res.etag;
      lastModified = res.lastModified;
    }
    const feed = await parseFeed(body, source.kind === 'bundled' ? deps.config.baseUrl : source.url, now);
    await upsertItems(
      deps.db,
      feed.items.map((i) => ({
        sourceId: source.id,
        key: i.key,
        url: i.link,
        title: i.title,
        summary: i.summary,
        contentHtml: i.contentHtml,
        author: i.author,
        categories: i.categories,
        publishedAt: i.publishedAt,
        fetchedAt: now,
        clusterKey: i.link,
      })),
    );
    await updateSource(deps.db, source.id, {
      title: source.title ?? feed.title,
      siteUrl: feed.siteUrl,
      etag,
      lastModified,
      lastCheckAt: now,
      lastSuccessAt: now,
      lastError: null,
      errorCount: 0,
      nextCheckAt: now + CHECK_INTERVAL_MS,
    });
    return { ok: true, sourceId: source.id, items: feed.items.length, notModified: false };
  } catch (e) {
    const error = (e as Error).message;
    const errorCount = source.errorCount + 1;
    const backoff = Math.min(CHECK_INTERVAL_MS * 2 ** (errorCount - 1), MAX_BACKOFF_MS);
    await updateSource(deps.db, source.id, {
      lastCheckAt: now,
      lastError: error,
      errorCount,
      nextCheckAt: now + backoff,
    });
    return { ok: false, sourceId: source.id, error };
  }
}
