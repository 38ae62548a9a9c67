import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { loadEditionViews } from '../editions/load-view.ts';
import { NotFoundError } from '../errors.ts';
import { type FeedView, renderAtom, renderJsonFeed, renderRss } from '../render/feeds.ts';
import { verifyLink } from '../security/signed-links.ts';
import { subscriberLinks } from '../security/subscriber-links.ts';
import { latestEditions } from '../store/editions.ts';
import { getSubscriber } from '../store/subscribers.ts';

const FORMATS = {
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
} as const;

/** Private per-subscriber feeds at /feeds/<token>.(atom|rss|json): the same picks as the emails. */
export function feedRoutes(deps: Deps) {
  return new Hono().get('/feeds/:file{[A-Za-z0-9._-]+\\.(atom|rss|json)}', async (c) => {
    const file = c.req.param('file');
    const dot = file.lastIndexOf('.');
    const format = FORMATS[file.slice(dot + 1) as keyof typeof FORMATS];
    const link = await verifyLink(deps.secret, 'feed', file.slice(0, dot));
    const subscriber = link && (await getSubscriber(deps.db, link.subscriberId));
    if (!subscriber || subscriber.feedVersion !== link.version) throw new NotFoundError('No such feed.');
    const editions = await latestEditions(deps.db, subscriber.id, 10);
    // The newest edition id identifies the content: the ETag needs no hashing per request.
    const etag = `W/"${subscriber.id}-${editions[0]?.id ?? 0}-${subscriber.feedVersion}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, max-age=300');
    c.header('X-Robots-Tag', 'noindex');
    c.header('Referrer-Policy', 'no-referrer');
    if (
      c.req
        .header('if-none-match')
        ?.split(/\s*,\s*/)
        .includes(etag)
    )
      return c.body(null, 304);
    const links = await subscriberLinks(deps.config.baseUrl, deps.secret, subscriber);
    const view: FeedView = {
      title: `Sift picks for ${subscriber.email}`,
      selfUrl: links.feeds,
      homeUrl: deps.config.baseUrl,
      updatedAt: editions[0]?.createdAt ?? null,
      editions: await loadEditionViews(deps, subscriber, editions),
    };
    return c.body(format.render(view), 200, { 'Content-Type': format.type });
  });
}
