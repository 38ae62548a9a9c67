// Parser + normaliser: bytes of a feed → ParsedFeed. `sift parse` and refreshSource both call
// parseFeedBytes, so what the operator debugs locally is exactly what ingestion stores.
import Parser from 'rss-parser';
import { canonicalUrl, stripTracking } from './canonical-url.ts';
import { decodeBody } from './decode.ts';
import { parseJsonFeed } from './json-feed.ts';
import { htmlToText, sanitizeItemHtml, truncateText } from './sanitize.ts';
import { fnv1a } from './simhash.ts';

/** A podcast file or other attachment of an item. */
export interface Enclosure {
  url: string;
  type: string | null;
  length: number | null;
}

/** One feed entry after parsing, sanitising and normalising. */
export interface NormalizedItem {
  /** Stable identity within the source: guid, else canonical link, else a hash of title + date. */
  key: string;
  title: string;
  link: string | null;
  summary: string;
  contentHtml: string | null;
  author: string | null;
  categories: string[];
  /** Epoch ms; null when the feed gives no usable date (storage uses the time first seen). */
  publishedAt: number | null;
  enclosure: Enclosure | null;
}

// Work per feed is bounded whatever a server sends, so one feed cannot hold the event loop (and
// with it every other source of the run) for long: a feed's first 1,000 entries (feeds list the
// newest first), and the first 256 KiB of an entry's HTML.
/** Entries read per feed. */
export const MAX_ITEMS = 1000;
/** Characters of HTML read per entry. */
export const MAX_HTML = 256 * 1024;

/** Feed formats Sift reads. */
export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

/** A parsed feed: its metadata and normalised items. */
export interface ParsedFeed {
  format: FeedFormat;
  /** Format with version, for people: "RSS 2.0", "Atom 1.0", "JSON Feed 1.1". */
  formatName: string;
  title: string | null;
  siteUrl: string | null;
  items: NormalizedItem[];
}

/** A feed body that could not be read; the message is shown to the operator. */
export class FeedParseError extends Error {
  constructor(
    message: string,
    /** Feed URLs an HTML page advertises (<link rel="alternate">), for autodiscovery. */
    readonly alternates: string[] = [],
  ) {
    super(`ingest: ${message}`);
    this.name = 'FeedParseError';
  }
}

/** Where a body came from: its URL (for relative links) and HTTP Content-Type. */
export interface ParseContext {
  url: string;
  contentType?: string | null;
  now?: number;
}

/** The whole pipeline for one body: decode → parse → normalise → sanitise. */
export async function parseFeedBytes(bytes: Uint8Array, context: ParseContext): Promise<ParsedFeed> {
  const { text } = decodeBody(bytes, context.contentType);
  return parseFeedText(text, context);
}

/** Parses decoded feed text (RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed 1.x). */
export async function parseFeedText(text: string, context: ParseContext): Promise<ParsedFeed> {
  const now = context.now ?? Date.now();
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body === '') throw new FeedParseError('not a feed: the document is empty');
  if (body.startsWith('{')) return parseJsonFeed(body, context.url, now);
  const start = body.slice(0, 4096);
  if (/^(<!--[\s\S]*?-->\s*)*<!doctype\s+html|<html[\s>]/i.test(start) || !/^</.test(body)) {
    const mediaType = (context.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const got = !/^</.test(body)
      ? `the document starts with ${JSON.stringify(body.slice(0, 30))}`
      : mediaType && mediaType !== 'text/xml' && mediaType !== 'application/xml'
        ? `got ${mediaType}`
        : 'got an HTML page';
    const alternates = discoverFeeds(body, context.url);
    const hint = alternates.length ? ` (the page links to a feed: ${alternates[0]})` : '';
    throw new FeedParseError(`not a feed: ${got}${hint}`, alternates);
  }
  return parseXmlFeed(body, context.url, now);
}

const parser = new Parser({
  // `<rss>` without a version attribute is read as RSS 2.0, the superset of 0.9x.
  defaultRSS: 2,
  customFields: {
    item: [
      ['summary', 'atomSummary'],
      ['description', 'rawDescription'],
      ['dc:date', 'dcDate'],
      ['updated', 'updated'],
      ['link', 'links', { keepArray: true }],
      ['media:content', 'mediaContent'],
      ['category', 'rawCategories', { keepArray: true }],
    ],
  },
});

async function parseXmlFeed(input: string, feedUrl: string, now: number): Promise<ParsedFeed> {
  const body = xhtmlAsHtml(hardenXml(input));
  const first = rootElement(body);
  if (first && !/^(rss|feed|rdf:rdf)$/i.test(first)) {
    if (/^(html|head|body|title|meta|div|p|h\d)$/i.test(first))
      throw new FeedParseError('not a feed: got an HTML page');
    throw new FeedParseError(`not a feed: the root element is <${first}>, not <rss>, <feed> or <rdf:RDF>`);
  }
  let feed: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    feed = await parser.parseString(body);
  } catch (first) {
    // Real feeds ship bare '&' and HTML entities; repair those (outside CDATA) and try once more.
    try {
      feed = await parser.parseString(repairXml(body));
    } catch {
      throw new FeedParseError(`not a valid feed: ${describeXmlError(first as Error)}`);
    }
  }
  const root = /<(rss|feed|rdf:RDF)\b[^>]*>/i.exec(body.slice(0, 65_536));
  if (!root) throw new FeedParseError('not a feed: no <rss>, <feed> or <rdf:RDF> root element');
  const rootName = root[1]!.toLowerCase();
  const format: FeedFormat = rootName === 'feed' ? 'atom' : rootName === 'rss' ? 'rss' : 'rdf';
  const version = /\bversion\s*=\s*["']([\d.]+)["']/.exec(root[0])?.[1];
  const formatName =
    format === 'atom' ? 'Atom 1.0' : format === 'rdf' ? 'RSS 1.0 (RDF)' : `RSS ${version ?? '2.0'}`;
  // rss-parser ignores xml:base; honour the root element's, which Atom feeds use for relative links.
  const xmlBase = /\sxml:base\s*=\s*["']([^"']+)["']/i.exec(root[0])?.[1];
  // A local file (sift parse) has no http URL to resolve against: the feed's own site link is the
  // next best base.
  const fallback = /^https?:/i.test(feedUrl)
    ? feedUrl
    : (resolveUrl(feed.link, 'http://invalid/') ?? feedUrl);
  const base = xmlBase ? (resolveUrl(xmlBase, fallback) ?? fallback) : fallback;
  const items: NormalizedItem[] = [];
  for (const item of (feed.items ?? []).slice(0, MAX_ITEMS))
    items.push(normalizeXmlItem(item as unknown as XmlItem, base, now));
  return {
    format,
    formatName,
    title: htmlToText(feed.title ?? '', 300) || null,
    siteUrl: resolveUrl(feed.link, base),
    items,
  };
}

type XmlItem = Record<string, unknown> & {
  title?: string;
  link?: string;
  guid?: string;
  id?: string;
  isoDate?: string;
  pubDate?: string;
  content?: string;
  contentSnippet?: string;
  creator?: string;
  author?: unknown;
  categories?: unknown[];
  enclosure?: { url?: string; type?: string; length?: string | number };
};

function normalizeXmlItem(entry: XmlItem, feedBase: string, now: number): NormalizedItem {
  const links = (entry.links as { $?: Record<string, string>; _?: string }[] | undefined) ?? [];
  const alternate = links.find((l) => l.$?.href && (!l.$.rel || l.$.rel === 'alternate'));
  const base = alternate?.$?.['xml:base']
    ? (resolveUrl(alternate.$['xml:base'], feedBase) ?? feedBase)
    : feedBase;
  const link = resolveUrl(alternate?.$?.href ?? str(entry.link), base);
  const encoded = str(entry['content:encoded']);
  const rawHtml = (encoded || str(entry.content) || '').slice(0, MAX_HTML);
  const contentHtml = rawHtml ? sanitizeItemHtml(rawHtml, link ?? base) || null : null;
  const summarySource = str(entry.atomSummary) || (encoded ? str(entry.rawDescription) : '') || rawHtml;
  const summary = htmlToText(summarySource.slice(0, MAX_HTML));
  const title = htmlToText(str(entry.title), 300) || truncateText(summary, 80) || 'Untitled';
  const publishedAt = normalizeDate(
    [entry.isoDate, entry.pubDate, str(entry.dcDate), str(entry.updated)].map(str),
    now,
  );
  const relEnclosure = links.find((l) => l.$?.rel === 'enclosure' && l.$.href);
  const enclosureUrl = resolveUrl(entry.enclosure?.url ?? relEnclosure?.$?.href, base);
  const enclosure: Enclosure | null = enclosureUrl
    ? {
        url: enclosureUrl,
        type: entry.enclosure?.type ?? relEnclosure?.$?.type ?? null,
        length: toLength(entry.enclosure?.length ?? relEnclosure?.$?.length),
      }
    : null;
  return {
    key: itemKey(str(entry.guid) || str(entry.id), link, title, publishedAt),
    title,
    link: link ? stripTracking(link) : null,
    summary,
    contentHtml,
    author: authorOf(entry),
    categories: categoriesOf(entry),
    publishedAt,
    enclosure,
  };
}

function authorOf(entry: XmlItem): string | null {
  const itunes = entry.itunes as { author?: unknown } | undefined;
  const candidates = [entry.creator, entry['dc:creator'], entry.author, itunes?.author];
  for (const c of candidates) {
    const value = typeof c === 'string' ? c : (c as { name?: unknown } | undefined)?.name;
    const text = htmlToText(str(Array.isArray(value) ? value[0] : value), 200);
    if (text) return text;
  }
  return null;
}

function categoriesOf(entry: XmlItem): string[] {
  const out = new Set<string>();
  const add = (c: unknown) => {
    const v =
      typeof c === 'string'
        ? c
        : ((c as { _?: string; $?: { term?: string; label?: string } } | undefined)?._ ??
          (c as { $?: { label?: string; term?: string } } | undefined)?.$?.label ??
          (c as { $?: { term?: string } } | undefined)?.$?.term);
    const text = htmlToText(str(v), 100);
    if (text) out.add(text);
  };
  for (const c of entry.categories ?? []) add(c);
  for (const c of (entry.rawCategories as unknown[] | undefined) ?? []) add(c);
  return [...out].slice(0, 30);
}

/** Identity: guid/id, else canonical link, else a hash of title + date (issue 3). */
export function itemKey(
  guid: string,
  link: string | null,
  title: string,
  publishedAt: number | null,
): string {
  const id = guid.trim();
  if (id) return id.slice(0, 500);
  const canonical = canonicalUrl(link);
  if (canonical) return canonical;
  return `h:${fnv1a(`${title}|${publishedAt ?? ''}`).toString(16)}${fnv1a(`${publishedAt ?? ''}|${title}`, 7).toString(16)}`;
}

// Dates before the web existed are placeholders ("1970-01-01"), not publication dates.
const EARLIEST = Date.UTC(1991, 0, 1);

/** The first parseable date, clamped to `now` (a future date is a publisher's clock or typo). */
export function normalizeDate(candidates: string[], now: number): number | null {
  for (const c of candidates) {
    if (!c) continue;
    const t = parseDate(c);
    if (t === null || t < EARLIEST) continue;
    return Math.min(t, now);
  }
  return null;
}

const TZ: Record<string, string> = {
  UT: '+0000',
  Z: '+0000',
  CEST: '+0200',
  CET: '+0100',
  BST: '+0100',
  IST: '+0530',
  AEST: '+1000',
  AEDT: '+1100',
  JST: '+0900',
};

function parseDate(value: string): number | null {
  const v = value.trim();
  let t = Date.parse(v);
  if (!Number.isNaN(t)) return t;
  // RFC 822 variants Date.parse rejects: named zones it does not know, missing weekday comma.
  const zone = /\s([A-Z]{1,5})$/.exec(v)?.[1];
  if (zone && TZ[zone]) t = Date.parse(v.replace(/\s[A-Z]{1,5}$/, ` ${TZ[zone]}`));
  return Number.isNaN(t) ? null : t;
}

function toLength(v: string | number | undefined): number | null {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : null;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return str(v[0]);
  if (v && typeof v === 'object' && '_' in v) return str((v as { _: unknown })._);
  return '';
}

/** An absolute http(s) URL, or null. */
export function resolveUrl(href: string | undefined | null, base: string): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim(), /^https?:/i.test(base) ? base : undefined);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * XML hardening before the parser sees the text: a DOCTYPE with entity declarations is refused
 * (billion laughs, external entities: sax never fetches them, but refusing is clearer and bounded);
 * any other DOCTYPE is dropped.
 */
function hardenXml(body: string): string {
  const doctype = /<!DOCTYPE\b/i.exec(body.slice(0, 65_536));
  if (!doctype) return body;
  const rest = body.slice(doctype.index);
  const head = /^<!DOCTYPE[^[>]*(\[)?/i.exec(rest)!;
  let length: number;
  if (head[1]) {
    if (/<!ENTITY/i.test(rest.slice(0, 65_536)))
      throw new FeedParseError(
        'not a valid feed: XML entity declarations (<!ENTITY> in a DOCTYPE) are not allowed',
      );
    const close = /\]\s*>/.exec(rest);
    if (!close) throw new FeedParseError('not a valid feed: unterminated DOCTYPE');
    length = close.index + close[0].length;
  } else {
    const close = rest.indexOf('>');
    if (close < 0) throw new FeedParseError('not a valid feed: unterminated DOCTYPE');
    length = close + 1;
  }
  return body.slice(0, doctype.index) + rest.slice(length);
}

const HTML_ENTITIES: Record<string, number> = {
  nbsp: 160,
  copy: 169,
  reg: 174,
  trade: 8482,
  mdash: 8212,
  ndash: 8211,
  hellip: 8230,
  lsquo: 8216,
  rsquo: 8217,
  ldquo: 8220,
  rdquo: 8221,
  laquo: 171,
  raquo: 187,
  bull: 8226,
  middot: 183,
  euro: 8364,
  pound: 163,
  yen: 165,
  cent: 162,
  deg: 176,
  times: 215,
  divide: 247,
  eacute: 233,
  egrave: 232,
  aacute: 225,
  agrave: 224,
  ouml: 246,
  auml: 228,
  uuml: 252,
  Ouml: 214,
  Auml: 196,
  Uuml: 220,
  szlig: 223,
  ccedil: 231,
  ntilde: 241,
  oacute: 243,
  iacute: 237,
  uacute: 250,
  shy: 173,
  sect: 167,
  para: 182,
};

/** Escapes bare '&' and turns HTML named entities into numeric ones, outside CDATA sections. */
function repairXml(body: string): string {
  return body
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/&(#x[0-9a-f]+;|#\d+;|([a-z][a-z0-9]*);)?/gi, (m, ref, name) => {
            if (!ref) return '&amp;';
            if (!name || ['amp', 'lt', 'gt', 'quot', 'apos'].includes(name)) return m;
            const code = HTML_ENTITIES[name];
            return code ? `&#${code};` : `&amp;${name};`;
          }),
    )
    .join('');
}

/**
 * Atom `type="xhtml"` content is inline markup; the XML parser would turn it into objects and
 * lose its order, so it is handed over as an HTML string (CDATA) instead (RFC 4287 §3.1.1.3).
 */
function xhtmlAsHtml(body: string): string {
  if (!/type\s*=\s*["']xhtml["']/i.test(body)) return body;
  return body.replace(
    /<(content|summary|title)(\s[^>]*?)type\s*=\s*["']xhtml["']([^>]*)>([\s\S]*?)<\/\1>/gi,
    (_m, tag: string, before: string, after: string, inner: string) => {
      const html = inner
        .trim()
        .replace(/^<div\b[^>]*>([\s\S]*)<\/div>$/i, '$1')
        .replace(/]]>/g, ']]]]><![CDATA[>');
      return `<${tag}${before}type="html"${after}><![CDATA[${html}]]></${tag}>`;
    },
  );
}

/** Name of the first element after the prolog, comments and processing instructions. */
function rootElement(body: string): string | null {
  const m = /^(?:\s*(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->))*\s*<([A-Za-z_][\w:.-]*)/.exec(body.slice(0, 65_536));
  return m ? m[1]! : null;
}

function describeXmlError(e: Error): string {
  const [first = '', ...rest] = e.message.split('\n');
  const where = rest.find((l) => /^Line:/.test(l));
  return `${first}${where ? ` (${where.replace(/\s+/g, ' ').trim()})` : ''}`;
}

/** Feed links advertised by an HTML page (<link rel="alternate" type="application/rss+xml">). */
export function discoverFeeds(html: string, pageUrl: string): string[] {
  const out: string[] = [];
  for (const m of html.slice(0, 200_000).matchAll(/<link\b[^>]*>/gi)) {
    const tag = m[0];
    const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];
    if (!/alternate/i.test(attr('rel') ?? '')) continue;
    if (!/application\/(rss|atom|feed|rdf)\+(xml|json)|application\/json/i.test(attr('type') ?? '')) continue;
    const href = resolveUrl(attr('href')?.replace(/&amp;/g, '&'), pageUrl);
    if (href && !out.includes(href)) out.push(href);
  }
  return out;
}
