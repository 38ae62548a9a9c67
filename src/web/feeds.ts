import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
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
  feedEntry,
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
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) if (part.trim().replace(/^W\//, '') === etag) return true;
  return false;
}

/**
 * /feeds/<token>.<format>, as a path (Node's req.url) or a full URL (Request.url); a query
 * string is allowed, nothing else after the file name.
 */
const FEED_PATH = /^(?:[a-z]+:\/\/[^/]+)?\/feeds\/([A-Za-z0-9._-]+)\.(atom|rss|json)(?:\?.*)?$/;

/** A request for one private feed: its link token and format. */
interface FeedRequest {
  token: string;
  format: FeedFormat;
}

/**
 * The one test for a feed request: GET or HEAD of /feeds/<token>.<format>. Anything else
 * (other methods, other paths under /feeds/) is left to the app's routes, which answer 404.
 */
export function matchFeed(url: string, method: string): FeedRequest | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const m = FEED_PATH.exec(url);
  return m ? { token: m[1]!, format: m[2] as FeedFormat } : undefined;
}

/** A feed answer as plain data, for a web Response (serve) or a Node response (node-listener). */
export interface FeedAnswer {
  status: 200 | 304;
  /** Prebuilt per entry and format: shared, never to be changed. */
  headers: Record<string, string>;
  /** The rendered body (200 only). */
  body?: Uint8Array;
}

/** Whether a remembered feed state may be used without asking the database. */
function isFresh(entry: FeedEntry): boolean {
  return Date.now() - entry.checkedAt < FEED_RECHECK_MS;
}

/** 304 when If-None-Match lists the ETag, else 200 with the body; undefined if not rendered yet. */
function answer(
  entry: FeedEntry,
  format: FeedFormat,
  ifNoneMatch: string | undefined,
): FeedAnswer | undefined {
  if (etagMatches(ifNoneMatch, entry.etags[format])) return { status: 304, headers: entry.headers[format] };
  const body = entry.bodies[format];
  return body ? { status: 200, headers: entry.headers[format], body } : undefined;
}

function fromCache(db: Db, { token, format }: FeedRequest, ifNoneMatch: string | undefined) {
  const entry = feedEntry(db, token);
  return entry && isFresh(entry) ? answer(entry, format, ifNoneMatch) : undefined;
}

/**
 * The answer to a feed request from a fresh cache entry, synchronously and without touching the
 * database; undefined when this is no feed request (matchFeed) or the app must answer it (no
 * fresh entry, or that format not rendered yet).
 */
export function cachedFeed(
  db: Db,
  url: string,
  method: string,
  ifNoneMatch: string | undefined,
): FeedAnswer | undefined {
  const feed = matchFeed(url, method);
  return feed && fromCache(db, feed, ifNoneMatch);
}

// Plain Responses with prebuilt header records: the cheapest path through @hono/node-server.
const toResponse = (a: FeedAnswer) =>
  new Response((a.body ?? null) as Uint8Array<ArrayBuffer> | null, { status: a.status, headers: a.headers });

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

  async function revalidate(
    { token, format }: FeedRequest,
    ifNoneMatch: string | undefined,
  ): Promise<Response> {
    let entry = feedEntry(deps.db, token);
    if (!entry || !isFresh(entry)) {
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
    const cached = answer(entry, format, ifNoneMatch);
    if (cached) return toResponse(cached);
    rememberBody(deps.db, token, entry, format, await render(entry, format));
    return toResponse(answer(entry, format, undefined)!);
  }

  /**
   * Serves one feed request (matched by matchFeed) without a router: a fresh cached answer is
   * returned synchronously, which lets @hono/node-server take its fast path. Bad tokens get a 404.
   */
  function serve(feed: FeedRequest, request: Request): Response | Promise<Response> {
    const ifNoneMatch = request.headers.get('if-none-match') ?? undefined;
    const cached = fromCache(deps.db, feed, ifNoneMatch);
    if (cached) return toResponse(cached);
    return revalidate(feed, ifNoneMatch).catch(failed);
  }

  function failed(err: unknown): Response {
    if (err instanceof AppError && err.status === 404) return notFound();
    deps.log.error('web: feed failed', { error: err });
    return new Response('Something went wrong on our side.', { status: 500, headers: TEXT_HEADERS });
  }

  return { serve };
}

const TEXT_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  'X-Robots-Tag': 'noindex',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
const notFound = () => new Response('No such feed.', { status: 404, headers: TEXT_HEADERS });
