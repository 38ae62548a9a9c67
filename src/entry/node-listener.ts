import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Db } from '../db/client.ts';
import { cachedFeed } from '../web/feeds.ts';

/**
 * The Node request listener: the Hono app, with one shortcut in front. A feed reader polling a
 * private feed the app answered moments ago (a fresh entry in the app's own feed cache) is
 * answered straight from that entry — the same answer the app's feed route builds (cachedFeed),
 * written without building a web Request and Response. Feed polling is the bulk of a busy
 * instance's traffic; everything else, and every cache miss, goes through the app unchanged.
 */
export function createNodeListener(
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
  db: Db,
): (req: IncomingMessage, res: ServerResponse) => void {
  const app = getRequestListener(fetch);
  return (req, res) => {
    // Node joins repeated If-None-Match headers into one comma-separated string.
    const answer = cachedFeed(db, req.url ?? '', req.method ?? '', req.headers['if-none-match']);
    if (!answer) return void app(req, res);
    if (!answer.body) {
      res.writeHead(answer.status, answer.headers);
      res.end();
      return;
    }
    res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(answer.body.byteLength) });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };
}
