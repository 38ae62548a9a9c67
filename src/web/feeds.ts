import { eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { editions, subscribers } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { loadEditionViews } from '../editions/load-view.ts';
import { NotFoundError } from '../errors.ts';
import { type FeedView, renderAtom, renderJsonFeed, renderRss } from '../render/feeds.ts';
import { verifyLink } from '../security/signed-links.ts';
import { subscriberLinks } from '../security/subscriber-links.ts';
import { latestEditions } from '../store/editions.ts';
import { getSubscriber } from '../store/subscribers.ts';
import { type FeedEntry, type FeedFormat, feedCache, feedEtag, rememberFeed } from './feed-cache.ts';

const FORMATS = {
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
} as const;

/** How many editions a feed carries. */
const FEED_EDITIONS = 10;
const encoder = new TextEncoder();

function headersFor(format: FeedFormat, etag: string): Record<string, string> {
  return {
    'Content-Type': FORMATS[format].type,
    ETag: etag,
    'Cache-Control': 'private, max-age=300',
    'X-Robots-Tag': 'noindex',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Whether an If-None-Match header lists this ETag (weak comparison, RFC 9110 §13.1.2). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) if (part.trim().replace(/^W\//, '') === etag) return true;
  return false;
}

/**
 * Private per-subscriber feeds at /feeds/<token>.(atom|rss|json): the same picks and reasons
 * as the emails. The 200 path is made cheap: the token's signature is checked once and
 * remembered, every request asks the database one indexed question (is the feed version
 * still current, which edition is newest), the ETag is built from those ids, and rendered
 * bodies are kept per edition. Rotating the feed bumps the version, so the old URL is a 404 at
 * once (the version check runs on every request, in every process).
 */
export function feedRoutes(deps: Deps) {
  const cache = feedCache(deps.db);
  // Prepared once: the only query on the hot path (an indexed lookup plus the newest edition).
  const state = deps.db
    .select({
      feedVersion: subscribers.feedVersion,
      editionId: sql<
        number | null
      >`(select ${editions.id} from ${editions} where ${editions.subscriberId} = ${subscribers.id} order by ${editions.createdAt} desc, ${editions.id} desc limit 1)`,
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

  return new Hono().get('/feeds/:file{[A-Za-z0-9._-]+\\.(atom|rss|json)}', async (c) => {
    const file = c.req.param('file');
    const dot = file.lastIndexOf('.');
    const token = file.slice(0, dot);
    const format = file.slice(dot + 1) as FeedFormat;
    let entry = cache.get(token);
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
      cache.delete(token);
      throw new NotFoundError('No such feed.');
    }
    const editionId = row.editionId ?? 0;
    if (!entry || entry.editionId !== editionId) {
      entry = {
        subscriberId: subscriberId!,
        feedVersion: version!,
        editionId,
        bodies: {},
        etags: {
          atom: feedEtag(subscriberId!, editionId, version!, 'atom'),
          rss: feedEtag(subscriberId!, editionId, version!, 'rss'),
          json: feedEtag(subscriberId!, editionId, version!, 'json'),
        },
        checkedAt: deps.clock(),
      };
      rememberFeed(deps.db, token, entry);
    }
    const etag = entry.etags[format];
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headersFor(format, etag));
    let body = entry.bodies[format];
    if (!body) entry.bodies[format] = body = await render(entry, format);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headersFor(format, etag));
  });
}
