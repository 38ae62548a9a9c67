import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeListener } from '../../src/entry/node-listener.ts';
import { signLink } from '../../src/security/signed-links.ts';
import { activeSubscriber, edition, seedItems, world } from './helpers.ts';

// The Node server answers fresh cached feeds itself; it must answer exactly as the app would.
let w: Awaited<ReturnType<typeof world>>;
let server: Server;
let base: string;
let appCalls: number;
let token: string;

beforeEach(async () => {
  w = await world();
  await seedItems(w.deps, w.clock());
  const s = await activeSubscriber(w.deps);
  await edition(w.deps, s.id, '2026-11-24', [1, 2]);
  token = await signLink(w.deps.secret, 'feed', s.id, s.feedVersion);
  appCalls = 0;
  const fetch = (request: Request, env?: unknown) => {
    appCalls++;
    return w.app.fetch(request, env);
  };
  server = createServer(createNodeListener(fetch, w.deps.db));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  w.deps.close();
});

const headersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k)));

describe('node listener', () => {
  it('answers a repeat feed request from the cache with the same status, headers and bytes as the app', async () => {
    const first = await fetch(`${base}/feeds/${token}.atom`);
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    expect(appCalls).toBe(1);

    const again = await fetch(`${base}/feeds/${token}.atom`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstBody);
    expect(headersOf(again)).toEqual(headersOf(first));

    const etag = first.headers.get('etag')!;
    const notModified = await fetch(`${base}/feeds/${token}.atom`, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('x-robots-tag')).toBe('noindex');
    expect(appCalls).toBe(1);
  });

  it('leaves everything else to the app: other paths, unknown tokens, formats not rendered yet', async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/feeds/1.1.AAAAAAAAAAAAAAAAAAAAAA.atom`)).status).toBe(404);
    await fetch(`${base}/feeds/${token}.atom`);
    const calls = appCalls;
    const json = await fetch(`${base}/feeds/${token}.json`);
    expect(json.status).toBe(200);
    expect(appCalls).toBe(calls + 1);
  });

  it('answers the same as the app for other methods and query strings', async () => {
    const first = await fetch(`${base}/feeds/${token}.atom`);
    const firstBody = await first.text();
    const calls = appCalls;
    const withQuery = await fetch(`${base}/feeds/${token}.atom?cachebuster=1`);
    expect(withQuery.status).toBe(200);
    expect(await withQuery.text()).toBe(firstBody);
    expect(appCalls).toBe(calls);
    for (const method of ['POST', 'DELETE']) {
      const res = await fetch(`${base}/feeds/${token}.atom`, { method, headers: { origin: base } });
      expect(res.status, method).toBe(404);
      expect(await res.text(), method).not.toBe(firstBody);
    }
    expect(appCalls).toBe(calls + 2);
  });
});
