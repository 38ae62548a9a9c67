import type { Source } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { sha256Hex } from '../security/encoding.ts';
import { getSourceByUrl, updateSource, upsertSource } from '../store/sources.ts';
import { checkUrl, parseAllowList, RefusedError } from './address-policy.ts';
import { nextCheckAfterSuccess } from './check-schedule.ts';
import { fetchFeed } from './fetch-feed.ts';
import { FeedParseError, type ParsedFeed, parseFeedBytes } from './parse.ts';
import { describeError, fetchSettings, storeItems } from './refresh-source.ts';

/** What add-source found, for the operator. */
export interface AddSourceResult {
  source: Source;
  feed: { title: string | null; itemCount: number; format: string };
}

/**
 * Adds a source after fetching it once through the safe fetch: the URL must be allowed, answer,
 * and be a feed (or an HTML page that links to one, which is then added instead). Stores the
 * source and its items. Throws AppError with the reason otherwise ('bad_request': "refused:
 * 169.254.169.254 is a link-local address", "HTTP 404 Not Found", "not a feed: got text/html",
 * "timed out after 20 s", "too large: …"; 'conflict' when the URL is already a source).
 */
export async function addSource(
  deps: Deps,
  input: { url: string; title?: string },
): Promise<AddSourceResult> {
  const allow = parseAllowList(deps.config.SIFT_ALLOW_PRIVATE_HOSTS);
  let url = normalizeInput(input.url);
  try {
    url = checkUrl(url, allow).href;
  } catch (e) {
    if (e instanceof RefusedError) throw new AppError('bad_request', e.message);
    throw e;
  }
  const now = deps.clock();
  let fetched = await fetchOnce(deps, url, now);
  let feed: ParsedFeed;
  try {
    feed = await parseFeedBytes(fetched.bytes, {
      url: fetched.finalUrl,
      contentType: fetched.contentType,
      now,
    });
  } catch (e) {
    // Feed autodiscovery: people paste the site's address; its <link rel="alternate"> names the feed.
    const alternate = e instanceof FeedParseError ? e.alternates[0] : undefined;
    if (!alternate) throw new AppError('bad_request', describeError(e));
    url = alternate;
    try {
      checkUrl(url, allow);
    } catch (refused) {
      throw new AppError('bad_request', `${describeError(e)}; ${describeError(refused)}`);
    }
    fetched = await fetchOnce(deps, url, now);
    try {
      feed = await parseFeedBytes(fetched.bytes, {
        url: fetched.finalUrl,
        contentType: fetched.contentType,
        now,
      });
    } catch (e2) {
      throw new AppError('bad_request', `the page links to ${url}, but: ${describeError(e2)}`);
    }
  }
  const existing = await getSourceByUrl(deps.db, url);
  if (existing) throw new AppError('conflict', `already added: ${url} is source ${existing.id}`);
  const title = input.title?.trim() || feed.title;
  const source = await upsertSource(deps.db, { url, title });
  await storeItems(deps, source.id, feed, now);
  const patch = {
    title,
    siteUrl: feed.siteUrl,
    format: feed.formatName,
    bodyHash: await sha256Hex(fetched.bytes),
    etag: fetched.etag,
    lastModified: fetched.lastModified,
    lastCheckAt: now,
    lastSuccessAt: now,
    nextCheckAt: nextCheckAfterSuccess(now, deps.config.SIFT_CHECK_INTERVAL * 60_000, fetched.maxAgeMs),
  };
  await updateSource(deps.db, source.id, patch);
  return {
    source: { ...source, ...patch },
    feed: { title: feed.title, itemCount: feed.items.length, format: feed.formatName },
  };
}

async function fetchOnce(deps: Deps, url: string, now: number) {
  try {
    const res = await fetchFeed(url, { ...fetchSettings(deps.config), fetch: deps.fetch, now });
    // No validators were sent, so a 304 here is a broken server.
    if (res.status !== 'ok') throw new AppError('bad_request', 'HTTP 304 without a conditional request');
    return res;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('bad_request', describeError(e));
  }
}

/**
 * Trims, and reads "example.com/feed" (or "example.com:8080/feed") as https://example.com/feed:
 * a scheme-less host. Shared with the admin API's request schema.
 */
export function normalizeInput(raw: string): string {
  const url = raw.trim();
  if (url === '') throw new AppError('bad_request', 'a feed URL is required');
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[^/:]+:\d+(\/|$)/.test(url)) return url;
  return `https://${url.replace(/^\/\//, '')}`;
}
