// JSON Feed 1.0 / 1.1 (https://www.jsonfeed.org/version/1.1/) → ParsedFeed.
import { stripTracking } from './canonical-url.ts';
import {
  type Enclosure,
  FeedParseError,
  itemKey,
  MAX_HTML,
  MAX_ITEMS,
  type NormalizedItem,
  normalizeDate,
  type ParsedFeed,
  resolveUrl,
} from './parse.ts';
import { htmlToText, sanitizeItemHtml, truncateText } from './sanitize.ts';

type Json = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Parses a JSON Feed document. Throws FeedParseError for invalid JSON or a non-feed object. */
export function parseJsonFeed(body: string, feedUrl: string, now: number): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new FeedParseError(`not a valid feed: invalid JSON (${(e as Error).message})`);
  }
  const feed = doc as Json;
  const version = text(feed?.version);
  if (!/^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/.test(version) || !Array.isArray(feed.items))
    throw new FeedParseError('not a feed: JSON without a JSON Feed "version" and "items"');
  const base = resolveUrl(text(feed.feed_url), feedUrl) ?? feedUrl;
  const items: NormalizedItem[] = [];
  for (const raw of (feed.items as unknown[]).slice(0, MAX_ITEMS)) {
    if (!raw || typeof raw !== 'object') continue;
    const entry = raw as Json;
    const link = resolveUrl(text(entry.url) || text(entry.external_url), base);
    const html = text(entry.content_html).slice(0, MAX_HTML);
    const plain = text(entry.content_text).slice(0, MAX_HTML);
    const rawHtml = html || (plain ? `<p>${escapeHtml(plain).replace(/\n{2,}/g, '</p><p>')}</p>` : '');
    const contentHtml = rawHtml ? sanitizeItemHtml(rawHtml, link ?? base) || null : null;
    const summary = htmlToText((text(entry.summary) || html || escapeHtml(plain)).slice(0, MAX_HTML));
    const title = htmlToText(text(entry.title), 300) || truncateText(summary, 80) || 'Untitled';
    const publishedAt = normalizeDate([text(entry.date_published), text(entry.date_modified)], now);
    const authors = Array.isArray(entry.authors)
      ? (entry.authors as Json[])
      : entry.author
        ? [entry.author as Json]
        : [];
    const author =
      authors
        .map((a) => htmlToText(text(a?.name), 200))
        .filter(Boolean)
        .join(', ') || null;
    const attachment = Array.isArray(entry.attachments)
      ? (entry.attachments[0] as Json | undefined)
      : undefined;
    const enclosureUrl = resolveUrl(text(attachment?.url), base);
    const enclosure: Enclosure | null = enclosureUrl
      ? {
          url: enclosureUrl,
          type: text(attachment?.mime_type) || null,
          length: Number(attachment?.size_in_bytes) > 0 ? Number(attachment?.size_in_bytes) : null,
        }
      : null;
    items.push({
      key: itemKey(text(entry.id), link, title, publishedAt),
      title,
      link: link ? stripTracking(link) : null,
      summary,
      contentHtml,
      author,
      categories: Array.isArray(entry.tags)
        ? [...new Set((entry.tags as unknown[]).map(text).filter(Boolean))]
        : [],
      publishedAt,
      enclosure,
    });
  }
  return {
    format: 'json',
    formatName: `JSON Feed ${version.replace(/^.*version\/|\/$/g, '')}`,
    title: htmlToText(text(feed.title), 300) || null,
    siteUrl: resolveUrl(text(feed.home_page_url), base),
    items,
  };
}
