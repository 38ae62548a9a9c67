import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/ingest/decode.ts';
import { type NormalizedItem, parseFeedBytes, parseFeedText } from '../../src/ingest/parse.ts';

const NOW = Date.UTC(2026, 10, 24, 9, 0);
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url)));
const parse = (name: string, contentType?: string) =>
  parseFeedBytes(fixture(name), { url: `https://fixture.example/feeds/${name}`, contentType, now: NOW });
const iso = (s: string) => Date.parse(s);

describe('parse: a corpus of real-world-shaped feeds, normalised', () => {
  it.each<[string, { format: string; formatName: string; title: string; items: Partial<NormalizedItem>[] }]>([
    [
      'content-encoded.rss',
      {
        format: 'rss',
        formatName: 'RSS 2.0',
        title: 'Orbit Weekly',
        items: [
          {
            key: 'orbit-7',
            title: 'Probe reaches the outer moons',
            // utm_* removed, other parameters kept
            link: 'https://orbit.example/2026/probe-moons?id=7',
            summary: 'The probe sent its first pictures.',
            // relative links resolved, script / on* / tracking pixel gone, rel added
            contentHtml:
              '<p>The probe sent <a href="https://orbit.example/gallery" rel="noopener noreferrer">its first pictures</a> <img src="https://orbit.example/2026/images/moon.jpg" alt="Moon" /></p><p>Read more.</p>',
            author: 'Ada Lovelace',
            categories: ['Space', 'Missions'],
            publishedAt: iso('2026-11-23T08:30:00Z'),
            enclosure: null,
          },
          {
            key: 'https://orbit.example/2026/launch-window',
            title: 'Launch window opens & closes',
            summary: 'A short window.',
            publishedAt: iso('2026-11-22T17:00:00Z'),
          },
        ],
      },
    ],
    [
      'atom-xml-base.atom',
      {
        format: 'atom',
        formatName: 'Atom 1.0',
        title: 'Field Notes',
        items: [
          {
            key: 'tag:blog.example,2026:soil',
            title: 'Soil carbon in winter',
            link: 'https://blog.example/notes/2026/soil-carbon',
            summary: 'How much carbon the ground keeps when it freezes.',
            contentHtml:
              '<p>See <a href="https://blog.example/notes/data/soil.csv" rel="noopener noreferrer">the data</a>.</p>',
            author: 'Grace Hopper',
            categories: ['Soil science', 'climate'],
            publishedAt: iso('2026-11-24T06:00:00Z'),
            enclosure: { url: 'https://blog.example/media/soil.mp3', type: 'audio/mpeg', length: 123456 },
          },
          {
            key: 'tag:blog.example,2026:updated',
            link: 'https://blog.example/notes/2026/updated-only',
            contentHtml: '<p>Inline <strong>XHTML</strong> body.</p>',
            publishedAt: iso('2026-11-20T10:00:00Z'),
          },
        ],
      },
    ],
    [
      'rdf.rdf',
      {
        format: 'rdf',
        formatName: 'RSS 1.0 (RDF)',
        title: 'Lab Log',
        items: [
          {
            key: 'lab.example/e/42',
            title: 'Experiment 42 repeated',
            author: 'Rosalind Franklin',
            publishedAt: iso('2026-11-21T09:15:00Z'),
          },
        ],
      },
    ],
    [
      'json-feed.json',
      {
        format: 'json',
        formatName: 'JSON Feed 1.1',
        title: 'Tiny Kitchen',
        items: [
          {
            key: 'k-1',
            link: 'https://kitchen.example/recipes/soup',
            contentHtml:
              '<p>Leeks <a rel="noopener noreferrer">and</a> potatoes.</p><img src="https://kitchen.example/recipes/x" />',
            author: 'Julia Child',
            categories: ['soup', 'winter'],
            enclosure: { url: 'https://kitchen.example/soup.mp3', type: 'audio/mpeg', length: 2048 },
          },
          {
            key: '2',
            title: 'No title, only text. Second paragraph <not a tag>.',
            contentHtml: '<p>No title, only text.</p><p>Second paragraph &lt;not a tag&gt;.</p>',
            // a date in the future is clamped to now
            publishedAt: NOW,
          },
        ],
      },
    ],
    [
      'podcast.rss',
      {
        format: 'rss',
        formatName: 'RSS 2.0',
        title: 'Night Shift Radio',
        items: [
          {
            key: 'ns-ep-12',
            author: 'Dr. Owl',
            publishedAt: iso('2026-11-21T03:00:00Z'),
            enclosure: { url: 'https://cdn.radio.example/ep12.mp3', type: 'audio/mpeg', length: 34216300 },
          },
        ],
      },
    ],
    [
      'latin1.rss',
      {
        format: 'rss',
        formatName: 'RSS 2.0',
        title: 'Não é café',
        items: [{ title: 'Ação à moda', summary: 'Olá, mundo - São Paulo' }],
      },
    ],
    [
      'windows-1252.rss',
      {
        format: 'rss',
        formatName: 'RSS 2.0',
        title: 'Smart “quotes”',
        items: [{ title: 'It’s 5 € — cheap…' }],
      },
    ],
    [
      'utf8-bom.atom',
      {
        format: 'atom',
        formatName: 'Atom 1.0',
        title: 'Zürich Notizen',
        items: [{ title: 'Grüße aus Zürich' }],
      },
    ],
    [
      'malformed-recoverable.rss',
      {
        format: 'rss',
        formatName: 'RSS 2.0',
        title: 'Rough & Ready',
        items: [
          {
            title: 'Fish & chips — a review',
            link: 'http://rough.example/a?x=1&y=2',
            summary: 'Café © 2026 &unknownentity; done',
          },
          { title: 'Keeps & in CDATA' },
        ],
      },
    ],
    [
      'rss-091.rss',
      {
        format: 'rss',
        formatName: 'RSS 0.91',
        title: 'Old School',
        items: [{ key: 'old.example/still-here', title: 'Still here', publishedAt: null }],
      },
    ],
    [
      'identity.rss',
      {
        format: 'rss',
        formatName: 'RSS 2.0',
        title: 'Identity Test',
        items: [
          // no guid: the canonical link (no scheme, www., utm_*, fragment or trailing slash)
          { key: 'id.example/post/1', publishedAt: iso('2026-11-19T10:00:00Z') },
          // neither: a hash of title + date
          { key: expect.stringMatching(/^h:[0-9a-f]{8,16}$/) as unknown as string },
          { key: 'future-1', publishedAt: NOW },
          { key: 'bad-date', publishedAt: null },
        ],
      },
    ],
  ])('%s', async (name, expected) => {
    const feed = await parse(name);
    expect({ format: feed.format, formatName: feed.formatName, title: feed.title }).toEqual({
      format: expected.format,
      formatName: expected.formatName,
      title: expected.title,
    });
    expect(feed.items).toHaveLength(expected.items.length);
    expected.items.forEach((item, i) => {
      expect(feed.items[i]).toMatchObject(item);
    });
  });

  it('gives an item without a guid or link the same key on every parse', async () => {
    const [a, b] = await Promise.all([parse('identity.rss'), parse('identity.rss')]);
    expect(a.items[1]!.key).toBe(b.items[1]!.key);
  });
});

describe('parse: refusals say why', () => {
  it.each([
    [
      'not-a-feed.html',
      'not a feed: got an HTML page (the page links to a feed: https://fixture.example/feed.atom)',
    ],
    ['billion-laughs.xml', 'XML entity declarations (<!ENTITY> in a DOCTYPE) are not allowed'],
    ['xxe.rss', 'XML entity declarations (<!ENTITY> in a DOCTYPE) are not allowed'],
  ])('%s', async (name, message) => {
    await expect(parse(name)).rejects.toThrow(message);
  });

  it('names the media type of a page served as text/html', async () => {
    await expect(parse('not-a-feed.html', 'text/html; charset=utf-8')).rejects.toThrow(
      'not a feed: got text/html',
    );
  });

  it.each([
    ['', 'not a feed: the document is empty'],
    ['Hello, world', 'not a feed: the document starts with "Hello, world"'],
    ['<note><to>you</to></note>', 'not a feed: the root element is <note>'],
    ['{"hello": "json"}', 'not a feed: JSON without a JSON Feed "version" and "items"'],
    ['{"version": ', 'not a valid feed: invalid JSON'],
    ['<rss version="2.0"><channel><title>cut', 'not a valid feed'],
  ])('%j', async (text, message) => {
    await expect(parseFeedText(text, { url: 'https://x.example/' })).rejects.toThrow(message);
  });

  it('fails billion laughs fast, without expanding anything', async () => {
    const before = process.memoryUsage().heapUsed;
    await expect(parse('billion-laughs.xml')).rejects.toThrow();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('leaves Object.prototype untouched by a <__proto__> element', async () => {
    const feed = await parse('proto.rss');
    expect(feed.items.map((i) => i.title)).toEqual(['Safe item']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('decode: the character encoding', () => {
  const bytes = (s: string, enc: 'latin1' | 'utf8') => new Uint8Array(Buffer.from(s, enc));
  it.each([
    [
      'the HTTP charset',
      bytes('<rss>é</rss>', 'latin1'),
      'text/xml; charset=ISO-8859-1',
      'é',
      'windows-1252',
    ],
    [
      'the XML prolog',
      bytes('<?xml version="1.0" encoding="iso-8859-1"?><rss>é</rss>', 'latin1'),
      null,
      'é',
      'windows-1252',
    ],
    ['UTF-8 by default', bytes('<rss>é</rss>', 'utf8'), null, 'é', 'utf-8'],
    [
      'a UTF-8 body despite a wrong Latin-1 header',
      bytes('<?xml version="1.0" encoding="utf-8"?><rss>é</rss>', 'utf8'),
      'text/xml; charset=iso-8859-1',
      'é',
      'utf-8',
    ],
    [
      'Windows-1252 when "UTF-8" bytes are not UTF-8',
      bytes('<rss>\x93hi\x94</rss>', 'latin1'),
      'application/rss+xml; charset=utf-8',
      '“hi”',
      'windows-1252',
    ],
  ])('follows %s', (_name, input, contentType, expected, encoding) => {
    const decoded = decodeBody(input, contentType);
    expect(decoded.text).toContain(expected);
    expect(decoded.encoding).toBe(encoding);
  });

  it('reads a UTF-16 document with a byte-order mark', () => {
    const text = '<rss>ü</rss>';
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(decodeBody(new Uint8Array(buf)).text).toBe(text);
  });
});

describe('parse: bounded work per feed', () => {
  it('keeps the first 1,000 entries and the first 256 KiB of an entry’s HTML', async () => {
    const entries = Array.from(
      { length: 1200 },
      (_, i) => `<item><guid>g${i}</guid><title>Item ${i}</title></item>`,
    );
    const big = `<item><guid>big</guid><title>Big</title><description><![CDATA[<p>${'x'.repeat(400_000)}</p>]]></description></item>`;
    const feed = await parseFeedText(
      `<rss version="2.0"><channel><title>Many</title>${big}${entries.join('')}</channel></rss>`,
      {
        url: 'https://many.example/feed',
      },
    );
    expect(feed.items).toHaveLength(1000);
    expect(feed.items[0]!.contentHtml!.length).toBeLessThanOrEqual(256 * 1024 + 10);
    expect(feed.items[999]!.key).toBe('g998');
  });
});
