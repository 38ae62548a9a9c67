import Ajv from 'ajv';
import Parser from 'rss-parser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signLink } from '../../src/security/signed-links.ts';
import { FEED_RECHECK_MS } from '../../src/web/feeds.ts';
import { activeSubscriber, edition, ORIGIN, seedItems, world } from './helpers.ts';
import schema from './jsonfeed-1.1.schema.json' with { type: 'json' };

let w: Awaited<ReturnType<typeof world>>;
let token: string;
let id: number;
beforeEach(async () => {
  w = await world();
  await seedItems(w.deps, w.clock());
  const s = await activeSubscriber(w.deps);
  id = s.id;
  await edition(w.deps, s.id, '2026-11-23', [1, 2]);
  w.clock.advance(86_400_000);
  await edition(w.deps, s.id, '2026-11-24', [3, 7]);
  token = await signLink(w.deps.secret, 'feed', s.id, s.feedVersion);
});
afterEach(() => {
  vi.restoreAllMocks();
  w.deps.close();
});

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('uri', (s: string) => URL.canParse(s));
ajv.addFormat('date-time', (s: string) =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s),
);
const validateJsonFeed = ajv.compile(schema);

describe('private feeds', () => {
  it('Atom 1.0: parsed back, with the required elements, the picks and their reasons', async () => {
    const res = await w.get(`/feeds/${token}.atom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = await res.text();
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/,
    );
    expect(xml).toContain(
      `<link rel="self" type="application/atom+xml" href="https://sift.test/feeds/${token}.atom"/>`,
    );
    const feed = await new Parser().parseString(xml);
    expect(feed.items.map((i) => i.title)).toEqual([
      'Climate policy talks resume in Bonn',
      'Rust compiler release notes',
      'NHL playoffs: hockey night ends in overtime',
      'Hockey league adds two teams',
    ]);
    for (const item of feed.items) {
      expect(item.id).toMatch(/^https:\/\/sift\.test\/items\/\d+$/);
      expect(item.link).toMatch(/^https:\/\/news\.example\//);
      expect(item.content).toContain('matches your interest');
    }
    // RFC 4287: each entry has exactly one id, title and updated; the feed has an author or every entry does.
    const entries = xml.split('<entry>').slice(1);
    for (const e of entries)
      for (const tag of ['id', 'title', 'updated', 'author']) expect(e.split(`<${tag}>`)).toHaveLength(2);
  });

  it('RSS 2.0: parsed back, channel title/link/description, guids and RFC 822 dates', async () => {
    const res = await w.get(`/feeds/${token}.rss`);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const xml = await res.text();
    const feed = await new Parser().parseString(xml);
    expect(feed.title).toBe('Sift picks for reader@example.com');
    expect(feed.link).toBe('https://sift.test');
    expect(feed.items).toHaveLength(4);
    for (const item of feed.items) {
      expect(item.guid).toMatch(/^https:\/\/sift\.test\/items\/\d+$/);
      expect(item.pubDate).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    }
    expect(xml).toContain(
      `<atom:link rel="self" type="application/rss+xml" href="https://sift.test/feeds/${token}.rss"/>`,
    );
  });

  it("JSON Feed 1.1: valid against JSON Feed's schema", async () => {
    const res = await w.get(`/feeds/${token}.json`);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await res.json()) as { items: { _sift: { reasons: string[] } }[]; feed_url: string };
    const ok = validateJsonFeed(feed);
    expect(validateJsonFeed.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(feed.items).toHaveLength(4);
    expect(feed.items[0]?._sift.reasons).toEqual(["matches your interest 'hockey'"]);
    expect(feed.feed_url).toBe(`https://sift.test/feeds/${token}.json`);
  });

  it('the schema check can fail: a feed without items or with a bad version is rejected', () => {
    expect(validateJsonFeed({ version: 'https://jsonfeed.org/version/1.1', title: 'x' })).toBe(false);
    expect(validateJsonFeed({ version: '1', title: 'x', items: [] })).toBe(false);
  });

  it('noindex, no-referrer, a stable ETag per representation, and 304 on If-None-Match', async () => {
    const res = await w.get(`/feeds/${token}.atom`);
    expect(res.headers.get('x-robots-tag')).toBe('noindex');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+\.\d+\.\d+\.atom"$/);
    expect((await w.get(`/feeds/${token}.atom`)).headers.get('etag')).toBe(etag);
    expect((await w.get(`/feeds/${token}.rss`)).headers.get('etag')).not.toBe(etag);
    const cached = await w.get(`/feeds/${token}.atom`, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
    expect(await cached.text()).toBe('');
    expect((await w.get(`/feeds/${token}.atom`, { 'if-none-match': `W/${etag}, "other"` })).status).toBe(304);
    expect((await w.get(`/feeds/${token}.atom`, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('a new edition changes the ETag (within the recheck interval) and the content', async () => {
    const first = await w.get(`/feeds/${token}.atom`);
    const etag = first.headers.get('etag')!;
    w.clock.advance(86_400_000);
    await edition(w.deps, id, '2026-11-25', [4]);
    const later = Date.now() + FEED_RECHECK_MS + 1;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    const res = await w.get(`/feeds/${token}.atom`, { 'if-none-match': etag });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(etag);
    expect(await res.text()).toContain('New climate policy targets for cities');
  });

  it('answers 404 to a forged token, another purpose, an old version, and a bad extension', async () => {
    const manage = await signLink(w.deps.secret, 'manage', id, 1);
    const old = await signLink(w.deps.secret, 'feed', id, 0);
    for (const path of [
      `/feeds/${id}.1.AAAAAAAAAAAAAAAAAAAAAA.atom`,
      `/feeds/${manage}.atom`,
      `/feeds/${old}.atom`,
      `/feeds/${token}.html`,
      '/feeds/..%2Fetc.atom',
    ])
      expect((await w.get(path)).status, path).toBe(404);
  });

  it('answers only GET and HEAD: other methods on a feed URL are a 404, even with the feed cached', async () => {
    expect((await w.get(`/feeds/${token}.atom`)).status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      // Same-site, so csrf() lets it through to the routes (cross-site it is a 403 before that).
      const res = await w.app.request(`/feeds/${token}.atom`, { method, headers: { origin: ORIGIN } });
      expect(res.status, method).toBe(404);
      expect(res.headers.get('content-type'), method).not.toContain('atom');
    }
    expect((await w.app.request(`/feeds/${token}.atom`, { method: 'POST' })).status).toBe(403);
    const head = await w.app.request(`/feeds/${token}.atom`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  });

  it('ignores a query string after the file name', async () => {
    const plain = await w.get(`/feeds/${token}.atom`);
    const withQuery = await w.get(`/feeds/${token}.atom?cachebuster=1`);
    expect(withQuery.status).toBe(200);
    expect(withQuery.headers.get('etag')).toBe(plain.headers.get('etag'));
  });
});
