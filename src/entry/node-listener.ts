import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Db } from '../db/client.ts';
import { type FeedFormat, feedCache } from '../web/feed-cache.ts';
import { etagMatches, FEED_RECHECK_MS } from '../web/feeds.ts';

const FEED_PATH = /^\/feeds\/([A-Za-z0-9._-]+)\.(atom|rss|json)$/;

/**
 * The Node request listener: the Hono app, with one shortcut in front. A feed reader polling a
 * private feed the app answered moments ago (a fresh entry in the app's own feed cache) is
 * answered straight from that entry — same status, headers and bytes the app would send —
 * without building a web Request and Response. Feed polling is the bulk of a busy instance's
 * traffic; everything else, and every cache miss, goes through the app unchanged.
 */
export function createNodeListener(
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
  db: Db,
): (req: IncomingMessage, res: ServerResponse) => void {
  const app = getRequestListener(fetch);
  const cache = feedCache(db);
  return (req, res) => {
    if (!serveCachedFeed(cache, req, res)) void app(req, res);
  };
}

function serveCachedFeed(
  cache: ReturnType<typeof feedCache>,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const m = FEED_PATH.exec(req.url ?? '');
  if (!m) return false;
  const entry = cache.get(m[1]!);
  if (!entry || Date.now() - entry.checkedAt >= FEED_RECHECK_MS) return false;
  const format = m[2] as FeedFormat;
  if (etagMatches(req.headers['if-none-match'], entry.etags[format])) {
    res.writeHead(304, entry.headers[format]);
    res.end();
    return true;
  }
  const body = entry.bodies[format];
  if (!body) return false;
  res.writeHead(200, { ...entry.headers[format], 'Content-Length': String(body.byteLength) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
