import Parser from 'rss-parser';
import { htmlToText, sanitizeItemHtml } from './sanitize.ts';

/** One feed entry after parsing, sanitising and normalising. */
export interface NormalizedItem {
  /** Stable identity within the source: guid, else link, else a hash of title + date. */
  key: string;
  title: string;
  link: string | null;
  summary: string;
  contentHtml: string | null;
  author: string | null;
  categories: string[];
  publishedAt: number | null;
}

/** A parsed feed: its metadata and normalised items. */
export interface ParsedFeed {
  format: 'rss' | 'atom';
  title: string | null;
  siteUrl: string | null;
  items: NormalizedItem[];
}

/** A feed body that could not be read; the message is shown to the operator. */
export class FeedParseError extends Error {
  constructor(message: string) {
    super(`ingest: ${message}`);
    this.name = 'FeedParseError';
  }
}

const parser = new Parser({ customFields: { item: [['summary', 'atomSummary']] } });

/** Parses an RSS or Atom document into normalised, sanitised items. */
export async function parseFeed(xml: string, feedUrl: string, now = Date.now()): Promise<ParsedFeed> {
  const body = xml.replace(/^\uFEFF/, '').trimStart();
  if (!/^<(\?xml|rss|feed|rdf:RDF)/i.test(body) && !/^<!--/.test(body)) {
    throw new FeedParseError(`not a feed: the document starts with ${JSON.stringify(body.slice(0, 30))}`);
  }
  let feed: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    feed = await parser.parseString(body);
  } catch (e) {
    throw new FeedParseError(`not a valid feed: ${(e as Error).message.split('\n')[0]}`);
  }
  const format = /<feed[\s>]/i.test(body.slice(0, 2000)) ? 'atom' : 'rss';
  // rss-parser ignores xml:base; honour the root element's, which Atom feeds use for relative links.
  const xmlBase = /<(?:feed|rss|channel)\b[^>]*\sxml:base="([^"]+)"/i.exec(body.slice(0, 4000))?.[1];
  const base = xmlBase ? (resolveUrl(xmlBase, feedUrl) ?? feedUrl) : feedUrl;
  const items: NormalizedItem[] = [];
  for (const item of feed.items ?? []) {
    const entry = item as typeof item & Record<string, unknown>;
    const link = resolveUrl(entry.link, base);
    const rawHtml = (entry['content:encoded'] as string | undefined) ?? entry.content ?? '';
    const contentHtml = rawHtml ? sanitizeItemHtml(rawHtml) : null;
    const summarySource =
      entry.contentSnippet || (entry.atomSummary as string | undefined) || entry.summary || rawHtml;
    const title =
      htmlToText(entry.title ?? '', 300) || htmlToText(String(summarySource ?? ''), 80) || 'Untitled';
    const date = Date.parse(entry.isoDate ?? entry.pubDate ?? '');
    // A date in the future is a publisher's clock or typo; treat it as "now" so it does not stick to the top.
    const publishedAt = Number.isNaN(date) ? null : Math.min(date, now);
    items.push({
      key: entry.guid || (entry.id as string | undefined) || link || `${title}|${entry.isoDate ?? ''}`,
      title,
      link,
      summary: htmlToText(String(summarySource ?? '')),
      contentHtml,
      author: (entry.creator as string | undefined) ?? (entry.author as string | undefined) ?? null,
      categories: (entry.categories ?? [])
        .map((c) => (typeof c === 'string' ? c : String((c as { _?: string })._ ?? '')))
        .filter(Boolean),
      publishedAt,
    });
  }
  return { format, title: feed.title?.trim() || null, siteUrl: resolveUrl(feed.link, base), items };
}

function resolveUrl(href: string | undefined, base: string): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim(), base.startsWith('http') ? base : undefined);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
