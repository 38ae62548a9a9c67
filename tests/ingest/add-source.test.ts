import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { addSource } from '../../src/ingest/add-source.ts';
import { countItems } from '../../src/store/items.ts';
import { listSources } from '../../src/store/sources.ts';
import { testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';

const rss = readFileSync(new URL('../fixtures/feeds/hockey-news.rss', import.meta.url), 'utf8');

describe('addSource: validates by fetching once and reports what it found', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let port: string;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/feed.rss') {
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' });
        res.end(rss);
      } else if (req.url === '/site') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.rss"></head><body>Hi</body></html>',
        );
      } else if (req.url === '/plain') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body>No feed here</body></html>');
      } else if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      } else {
        res.writeHead(404);
        res.end('nope');
      }
    });
    port = new URL(server.url).port;
  });
  afterAll(() => server.close());

  // The harness is on 127.0.0.1: these tests opt in to exactly that host and port.
  const deps = () => testDeps({ env: { SIFT_ALLOW_PRIVATE_HOSTS: `127.0.0.1:${port}` } });

  it('stores the source with its items, and reports title, item count and format', async () => {
    const d = await deps();
    const result = await addSource(d, { url: `${server.url}/feed.rss` });
    expect(result.feed).toEqual({ title: 'Rink Report', itemCount: 4, format: 'RSS 2.0' });
    expect(result.source).toMatchObject({
      url: `${server.url}/feed.rss`,
      title: 'Rink Report',
      etag: '"v1"',
    });
    expect(await countItems(d.db, result.source.id)).toBe(4);
  });

  it('follows an HTML page to the feed it advertises', async () => {
    const d = await deps();
    const result = await addSource(d, { url: `${server.url}/site`, title: 'My rink' });
    expect(result.source.url).toBe(`${server.url}/feed.rss`);
    expect(result.source.title).toBe('My rink');
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is a link-local address'],
    ['http://[::ffff:127.0.0.1]/feed', 'refused: ::ffff:7f00:1 maps to 127.0.0.1, a loopback address'],
    ['file:///etc/passwd', 'refused: file: URLs are not fetched (only http and https)'],
    ['gopher://example.com/', 'refused: gopher: URLs are not fetched (only http and https)'],
    ['http://10.1.2.3/feed', 'refused: 10.1.2.3 is a private address'],
    ['', 'a feed URL is required'],
  ])('refuses %j: %s', async (url, message) => {
    const d = await deps();
    await expect(addSource(d, { url })).rejects.toThrow(new AppError('bad_request', message));
    expect(await listSources(d.db)).toEqual([]);
  });

  it('names the problem for pages, missing feeds and redirects to forbidden addresses', async () => {
    const d = await deps();
    await expect(addSource(d, { url: `${server.url}/plain` })).rejects.toThrow('not a feed: got text/html');
    await expect(addSource(d, { url: `${server.url}/missing` })).rejects.toThrow('HTTP 404 Not Found');
    await expect(addSource(d, { url: `${server.url}/to-metadata` })).rejects.toThrow(
      'refused: 169.254.169.254 is a link-local address',
    );
    expect(await listSources(d.db)).toEqual([]);
  });

  it('refuses 127.0.0.1 when the operator has not opted in', async () => {
    const d = await testDeps();
    await expect(addSource(d, { url: `${server.url}/feed.rss` })).rejects.toThrow(
      'refused: 127.0.0.1 is a loopback address',
    );
  });

  it('says when the URL is already a source', async () => {
    const d = await deps();
    const first = await addSource(d, { url: `${server.url}/feed.rss` });
    await expect(addSource(d, { url: `${server.url}/feed.rss` })).rejects.toMatchObject({
      code: 'conflict',
      message: `already added: ${server.url}/feed.rss is source ${first.source.id}`,
    });
  });
});
