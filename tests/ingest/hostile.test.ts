import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup } from '../../src/ingest/node-safe-fetch.ts';
import { ingestDue } from '../../src/jobs/ingest-due.ts';
import { countItems } from '../../src/store/items.ts';
import { listSources, updateSource, upsertSource } from '../../src/store/sources.ts';
import { testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';

const goodFeed = readFileSync(new URL('../fixtures/feeds/hockey-news.rss', import.meta.url));
const billionLaughs = readFileSync(new URL('../fixtures/feeds/billion-laughs.xml', import.meta.url));
// 1 GiB of zeros as 1024 concatenated gzip members of 1 MiB each: about 1 MB on the wire.
const bombMember = gzipSync(Buffer.alloc(1024 * 1024));
const MiB = 1024 * 1024;
const filler = Buffer.alloc(MiB, 'a');

describe('hostile servers: each source fails on its own, with a clear reason, and the good one is ingested', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let host: string; // localhost:PORT, the only private host this suite opts in to
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = await startServer((req, res) => {
      const port = new URL(server.url).port;
      const path = req.url ?? '/';
      const redirect = (location: string) => {
        res.writeHead(302, { location });
        res.end();
      };
      if (path === '/good.rss') {
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"good-1"' });
        res.end(goodFeed);
      } else if (path === '/to-loopback') redirect(`http://127.0.0.1:${port}/good.rss`);
      else if (path === '/to-mapped') redirect(`http://[::ffff:127.0.0.1]:${port}/good.rss`);
      else if (path === '/to-metadata') redirect('http://169.254.169.254/latest/meta-data/');
      else if (path.startsWith('/hop/')) {
        const n = Number(path.slice(5));
        redirect(n >= 6 ? '/good.rss' : `/hop/${n + 1}`);
      } else if (path === '/slow') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write('<');
        const t = setInterval(() => res.write('x'), 1000);
        timers.add(t);
        res.on('close', () => clearInterval(t));
      } else if (path === '/gzip-bomb') {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
        let sent = 0;
        const pump = () => {
          while (sent < 1024) {
            sent++;
            if (!res.write(bombMember)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
      } else if (path === '/billion-laughs') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(billionLaughs);
      } else if (path === '/50mb-declared' || path === '/50mb-chunked') {
        const headers: Record<string, string> = { 'content-type': 'application/rss+xml' };
        if (path === '/50mb-declared') headers['content-length'] = String(50 * MiB);
        res.writeHead(200, headers);
        let sent = 0;
        const pump = () => {
          while (sent < 50) {
            sent++;
            if (!res.write(filler)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
      } else if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html><body><h1>Welcome</h1></body></html>');
      } else if (path === '/etag') {
        if (req.headers['if-none-match'] === '"v7"') {
          res.writeHead(304, { etag: '"v7"' });
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v7"' });
          res.end(goodFeed);
        }
      } else if (path === '/busy') {
        res.writeHead(429, { 'retry-after': '7200' });
        res.end('slow down');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    host = `localhost:${new URL(server.url).port}`;
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    await server.close();
  });

  it('ends every hostile source with its own error within the fetch deadline and bounded memory', async () => {
    const now = Date.UTC(2026, 10, 24, 9, 0);
    const deps = await testDeps({
      clock: () => now,
      // Opt in to the harness host only; a short deadline keeps the slow-body case quick.
      env: { SIFT_ALLOW_PRIVATE_HOSTS: host, SIFT_FETCH_TIMEOUT: '1.5' },
    });
    const base = `http://${host}`;
    const cases: Record<string, string | RegExp> = {
      [`${base}/to-loopback`]: 'refused: 127.0.0.1 is a loopback address',
      [`${base}/to-mapped`]: 'refused: ::ffff:7f00:1 maps to 127.0.0.1, a loopback address',
      [`${base}/to-metadata`]: 'refused: 169.254.169.254 is a link-local address',
      [`${base}/hop/0`]: 'too many redirects (more than 5)',
      [`${base}/slow`]: 'timed out after 1.5 s',
      [`${base}/gzip-bomb`]: 'too large: more than 10 MiB (after decompression)',
      [`${base}/billion-laughs`]:
        'not a valid feed: XML entity declarations (<!ENTITY> in a DOCTYPE) are not allowed',
      [`${base}/50mb-declared`]: 'too large: 50 MiB declared, the limit is 10 MiB',
      [`${base}/50mb-chunked`]: 'too large: more than 10 MiB (after decompression)',
      'file:///etc/passwd': 'refused: file: URLs are not fetched (only http and https)',
      'gopher://localhost:70/1': 'refused: gopher: URLs are not fetched (only http and https)',
      [`${base}/page`]: 'not a feed: got text/html',
      [`${base}/busy`]: 'HTTP 429 Too Many Requests, retry after 7200 s',
    };
    for (const url of Object.keys(cases)) await upsertSource(deps.db, { url });
    const good = await upsertSource(deps.db, { url: `${base}/good.rss` });
    const cached = await upsertSource(deps.db, { url: `${base}/etag` });
    await updateSource(deps.db, cached.id, { etag: '"v7"' });

    let peakRss = process.memoryUsage().rss;
    const startRss = peakRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const outcomes = await ingestDue(deps).finally(() => clearInterval(sampler));

    const sources = await listSources(deps.db);
    const byUrl = new Map(sources.map((s) => [s.url, s]));
    for (const [url, error] of Object.entries(cases)) {
      const source = byUrl.get(url)!;
      expect({ url, error: source.lastError }).toEqual({ url, error });
      expect(source.errorCount).toBe(1);
      expect(source.leaseUntil).toBeNull();
    }
    expect(outcomes).toHaveLength(Object.keys(cases).length + 2);
    // The good source is ingested in the same run; the cached one is skipped on 304.
    expect(await countItems(deps.db, good.id)).toBe(4);
    expect(byUrl.get(`${base}/good.rss`)).toMatchObject({
      lastError: null,
      etag: '"good-1"',
      lastSuccessAt: now,
    });
    expect(outcomes.find((o) => o.sourceId === cached.id)).toMatchObject({ ok: true, notModified: true });
    expect(await countItems(deps.db, cached.id)).toBe(0);
    // Retry-After is honoured as the earliest next check.
    expect(byUrl.get(`${base}/busy`)!.nextCheckAt).toBeGreaterThanOrEqual(now + 7200_000);
    // Refused addresses and schemes pause the source at once, with the reason.
    expect(byUrl.get('file:///etc/passwd')).toMatchObject({
      paused: true,
      pausedReason: 'paused: refused: file: URLs are not fetched (only http and https)',
    });
    // A 1 GiB bomb and 50 MB bodies never come near memory: reading stops at the 10 MiB cap.
    expect(peakRss - startRss).toBeLessThan(200 * MiB);
  });

  it('refuses the harness itself when the test has not opted in', async () => {
    const deps = await testDeps();
    const source = await upsertSource(deps.db, { url: `http://${host}/good.rss` });
    const [outcome] = await ingestDue(deps);
    expect(outcome).toMatchObject({
      ok: false,
      sourceId: source.id,
      error: 'refused: localhost is a loopback host name',
    });
  });

  it('refuses a host name whose DNS answer is private, at connect time', async () => {
    // The connector's lookup resolves once, checks every answer and hands net.connect the checked
    // address; "localhost" resolves (via /etc/hosts) to 127.0.0.1.
    const error = await new Promise<Error | null>((resolve) =>
      guardedLookup('localhost', { all: true }, (err) => resolve(err)),
    );
    expect(error?.message).toMatch(
      /^refused: localhost resolves to (127\.0\.0\.1, a loopback|::1, a loopback) address$/,
    );
    const addresses = await new Promise<unknown>((resolve) =>
      guardedLookup('127.0.0.1.nip.invalid', { all: true }, (err, a) =>
        resolve(err ? (err as NodeJS.ErrnoException).code : a),
      ),
    );
    expect(addresses).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
