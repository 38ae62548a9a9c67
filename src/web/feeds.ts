import { eq, sql } from 'drizzle-orm';
import { subscribers } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { loadEditionViews } from '../editions/load-view.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { type FeedView, renderAtom, renderJsonFeed, renderRss } from '../render/feeds.ts';
import { verifyLink } from '../security/signed-links.ts';
import { subscriberLinks } from '../security/subscriber-links.ts';
import { latestEditions } from '../store/editions.ts';
import { getSubscriber } from '../store/subscribers.ts';
import {
  type FeedEntry,
  type FeedFormat,
  feedCache,
  feedEtag,
  forgetFeed,
  rememberBody,
  rememberFeed,
} from './feed-cache.ts';

const FORMATS = {
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
} as const;

/** How many editions a feed carries. */
const FEED_EDITIONS = 10;
const encoder = new TextEncoder();

/**
 * How long a remembered feed state is trusted before the database is asked again. Rotation
 * and deletion drop the entry in this process at once (forgetFeeds); other processes see them
 * within this time, and new editions appear within it too.
 */
export const FEED_RECHECK_MS = 1000;

function headersFor(format: FeedFormat, etag: string): Record<string, string> {
  return {
    'Content-Type': FORMATS[format].type,
    ETag: etag,
    'Cache-Control': 'private, max-age=300',
    'X-Robots-Tag': 'noindex',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    // Feeds are data: opened in a browser they may run nothing and load nothing.
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
}

/** Whether an If-None-Match header lists this ETag (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) if (part.trim().replace(/^W\//, '') === etag) return true;
  return false;
}

/**
 * Private per-subscriber feeds at /feeds/<token>.(atom|rss|json): the same picks and reasons
 * as the emails. The hot path does no work per request: the token's signature is checked once
 * and remembered, the database is asked (feed version still current? newest edition?) at most
 * once per FEED_RECHECK_MS per token, the ETag is made of those ids (fixed when the edition was
 * stored — never a hash of the body), and rendered bodies are kept per edition. Rotating the
 * feed bumps the version and drops the entry, so the old URL is a 404 at once. Mounted before
 * the page middleware: feeds set their own headers.
 */
export function feedRoutes(deps: Deps) {
  const cache = feedCache(deps.db);
  // Prepared once: the only query on the hot path (an indexed lookup plus the newest edition).
  const state = deps.db
    .select({
      feedVersion: subscribers.feedVersion,
      editionId: sql<
        number | null
      >`(select e.id from editions e where e.subscriber_id = "subscribers"."id" order by e.created_at desc, e.id desc limit 1)`,
    })
    .from(subscribers)
    .where(eq(subscribers.id, sql.placeholder('id')))
    .prepare();

  async function render(entry: FeedEntry, format: FeedFormat): Promise<Uint8Array> {
    const subscriber = await getSubscriber(deps.db, entry.subscriberId);
    if (!subscriber) throw new NotFoundError('No such feed.');
    const rows = await latestEditions(deps.db, subscriber.id, FEED_EDITIONS);
    const links = await subscriberLinks(deps.config.baseUrl, deps.secret, subscriber);
    const view: FeedView = {
      title: `Sift picks for ${subscriber.email}`,
      selfUrl: links.feeds,
      homeUrl: deps.config.baseUrl,
      updatedAt: rows[0]?.createdAt ?? null,
      editions: await loadEditionViews(deps, subscriber, rows),
    };
    return encoder.encode(FORMATS[format].render(view));
  }

  /** Answers from a fresh cache entry without awaiting anything, or returns undefined. */
  function fromCache(token: string, format: FeedFormat, ifNoneMatch: string | null): Response | undefined {
    const entry = cache.get(token);
    if (!entry || Date.now() - entry.checkedAt >= FEED_RECHECK_MS) return undefined;
    return respond(entry, format, ifNoneMatch);
  }

  function respond(entry: FeedEntry, format: FeedFormat, ifNoneMatch: string | null): Response | undefined {
    // Plain Responses with prebuilt header records: the cheapest path through @hono/node-server.
    if (etagMatches(ifNoneMatch ?? undefined, entry.etags[format]))
      return new Response(null, { status: 304, headers: entry.headers[format] });
    const body = entry.bodies[format];
    if (!body) return undefined;
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: entry.headers[format] });
  }

  async function revalidate(
    token: string,
    format: FeedFormat,
    ifNoneMatch: string | null,
  ): Promise<Response> {
    let entry = cache.get(token);
    if (!entry || Date.now() - entry.checkedAt >= FEED_RECHECK_MS) {
      let subscriberId = entry?.subscriberId;
      let version = entry?.feedVersion;
      if (!entry) {
        const link = await verifyLink(deps.secret, 'feed', token);
        if (!link) throw new NotFoundError('No such feed.');
        subscriberId = link.subscriberId;
        version = link.version;
      }
      const row = await state.get({ id: subscriberId });
      if (!row || row.feedVersion !== version) {
        forgetFeed(deps.db, token);
        throw new NotFoundError('No such feed.');
      }
      const editionId = row.editionId ?? 0;
      if (entry && entry.editionId === editionId) entry.checkedAt = Date.now();
      else {
        const id = subscriberId!;
        const v = version!;
        const etags = {
          atom: feedEtag(id, editionId, v, 'atom'),
          rss: feedEtag(id, editionId, v, 'rss'),
          json: feedEtag(id, editionId, v, 'json'),
        };
        entry = {
          subscriberId: id,
          feedVersion: v,
          editionId,
          bodies: {},
          etags,
          headers: {
            atom: headersFor('atom', etags.atom),
            rss: headersFor('rss', etags.rss),
            json: headersFor('json', etags.json),
          },
          checkedAt: Date.now(),
        };
        rememberFeed(deps.db, token, entry);
      }
    }
    const cached = respond(entry, format, ifNoneMatch);
    if (cached) return cached;
    rememberBody(deps.db, entry, format, await render(entry, format));
    return respond(entry, format, null)!;
  }

  /**
   * Serves one feed request without a router: a fresh cached answer is returned synchronously,
   * which lets @hono/node-server take its fast path. Unknown paths and bad tokens get a 404.
   */
  function serve(request: Request, env: unknown): Response | Promise<Response> {
    const m = FEED_PATH.exec(request.url);
    if (!m) return notFound();
    const token = m[1]!;
    const format = m[2] as FeedFormat;
    const incoming = (
      env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined
    )?.incoming;
    const header = incoming?.headers
      ? incoming.headers['if-none-match']
      : request.headers.get('if-none-match');
    const ifNoneMatch = (Array.isArray(header) ? header.join(', ') : header) ?? null;
    try {
      const cached = fromCache(token, format, ifNoneMatch);
      if (cached) return cached;
    } catch (err) {
      return failed(err);
    }
    return revalidate(token, format, ifNoneMatch).catch(failed);
  }

  function failed(err: unknown): Response {
    if (err instanceof AppError && err.status === 404) return notFound();
    deps.log.error('web: feed failed', { error: err });
    return new Response('Something went wrong on our side.', { status: 500, headers: TEXT_HEADERS });
  }

  return { serve };
}

/** /feeds/<token>.<format> in a full URL (query strings allowed, nothing else after the file). */
const FEED_PATH = /^[a-z]+:\/\/[^/]+\/feeds\/([A-Za-z0-9._-]+)\.(atom|rss|json)(?:\?.*)?$/;
const TEXT_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  'X-Robots-Tag': 'noindex',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
const notFound = () => new Response('No such feed.', { status: 404, headers: TEXT_HEADERS });
