/**
 * Ingestion inside workerd: the same decode → parse → sanitise pipeline and the same fetch
 * guard the Node suites test, run in the Workers runtime (no node: fs or net there). The outside
 * internet is the only thing mocked: `fetch` answers from the test.
 */
import { describe, expect, it } from 'vitest';
import { FetchError, fetchFeed } from '../../src/ingest/fetch-feed.ts';
import { FeedParseError, parseFeedBytes } from '../../src/ingest/parse.ts';

const NOW = Date.UTC(2026, 10, 24, 12);
const utf8 = (s: string) => new TextEncoder().encode(s);
/** Windows-1252 bytes: ASCII as is, the few other characters used here by their code. */
const cp1252 = (s: string) =>
  Uint8Array.from(s, (c) => ({ é: 0xe9, '“': 0x93, '”': 0x94, '–': 0x96 })[c] ?? c.charCodeAt(0));

const rss = (item: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://news.test/</link>${item}</channel></rss>`;

describe('feeds parsed in workerd', () => {
  it('decodes a Windows-1252 feed that its header calls Windows-1252', async () => {
    const body = cp1252(
      rss('<item><title>Café “opens” – today</title><link>https://news.test/a</link></item>'),
    );
    const feed = await parseFeedBytes(body, {
      url: 'https://news.test/feed',
      contentType: 'application/rss+xml; charset=windows-1252',
      now: NOW,
    });
    expect(feed.items.map((i) => i.title)).toEqual(['Café “opens” – today']);
  });

  it('sanitises hostile item HTML', async () => {
    const html =
      '<p>Hello <script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a> <a href="/rel">ok</a></p>';
    const feed = await parseFeedBytes(
      utf8(
        rss(
          `<item><title>A</title><link>https://news.test/a</link><description><![CDATA[${html}]]></description></item>`,
        ),
      ),
      { url: 'https://news.test/feed', now: NOW },
    );
    const content = feed.items[0]!.contentHtml ?? '';
    expect(content).toContain('Hello');
    expect(content).not.toMatch(/script|onerror|javascript:/i);
    expect(content).toContain('href="https://news.test/rel"');
  });

  it('reads a JSON Feed 1.1', async () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'J',
      items: [{ id: '1', url: 'https://news.test/j', title: 'From JSON', content_text: 'Body' }],
    });
    const feed = await parseFeedBytes(utf8(json), {
      url: 'https://news.test/feed.json',
      contentType: 'application/feed+json',
      now: NOW,
    });
    expect(feed.format).toBe('json');
    expect(feed.items.map((i) => [i.title, i.link])).toEqual([['From JSON', 'https://news.test/j']]);
  });

  it('refuses entity declarations (billion laughs) with a clear error', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss version="2.0"><channel><title>&lol2;</title></channel></rss>`;
    const parsed = parseFeedBytes(utf8(laughs), { url: 'https://news.test/feed', now: NOW });
    await expect(parsed).rejects.toBeInstanceOf(FeedParseError);
    await expect(parsed).rejects.toThrow('XML entity declarations (<!ENTITY> in a DOCTYPE) are not allowed');
  });
});

describe('the fetch guard in workerd', () => {
  /** A stand-in for the internet: the feed host redirects to wherever the test says. */
  const redirectingTo = (location: string) =>
    (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith('https://news.test/'))
        return new Response(null, { status: 302, headers: { location } });
      return new Response(rss('<item><title>private</title></item>'), { status: 200 });
    }) as typeof fetch;

  it.each([
    ['http://127.0.0.1/feed', 'refused: 127.0.0.1 is a loopback address'],
    ['http://[::1]/feed', 'refused: ::1 is a loopback address'],
    ['http://169.254.169.254/latest/meta-data', 'refused: 169.254.169.254 is a link-local address'],
    ['file:///etc/passwd', 'refused: file: URLs are not fetched (only http and https)'],
  ])('refuses a redirect to %s', async (location, message) => {
    const result = fetchFeed('https://news.test/feed', {
      fetch: redirectingTo(location),
      userAgent: 'Sift test',
      now: NOW,
    });
    await expect(result).rejects.toThrow(message);
  });

  it('fetches a public feed and caps its size', async () => {
    const big = async () => new Response('x'.repeat(2048), { status: 200 });
    const result = fetchFeed('https://news.test/feed', {
      fetch: big as typeof fetch,
      userAgent: 'Sift test',
      maxBytes: 1024,
      now: NOW,
    });
    await expect(result).rejects.toBeInstanceOf(FetchError);
    await expect(result).rejects.toThrow(/too large/);
  });
});
