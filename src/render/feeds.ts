import { escapeHtml } from './slots.ts';
import type { EditionView, PickView } from './view.ts';

/** A subscriber's private feed: their latest editions, newest first. */
export interface FeedView {
  title: string;
  selfUrl: { atom: string; rss: string; json: string };
  homeUrl: string;
  /** Newest edition time (feed `updated`); null when there is no edition yet. */
  updatedAt: number | null;
  editions: EditionView[];
}

// XML 1.0 forbids most control characters even when escaped; feed text may contain them.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const xml = (s: string) => escapeHtml(s.replace(INVALID_XML, ''));

function entries(feed: FeedView): { pick: PickView; edition: EditionView }[] {
  const seen = new Set<number>();
  const out = [];
  for (const edition of feed.editions)
    for (const pick of edition.picks) {
      if (seen.has(pick.itemId)) continue;
      seen.add(pick.itemId);
      out.push({ pick, edition });
    }
  return out;
}

const entryId = (feed: FeedView, pick: PickView) => `${feed.homeUrl}/items/${pick.itemId}`;

function contentHtml(pick: PickView): string {
  const reasons = pick.reasons.map((r) => `<li>${xml(r)}</li>`).join('');
  return `<p>${xml(pick.summary)}</p><p><strong>Why:</strong></p><ul>${reasons}</ul><p>From ${xml(pick.source)}</p>`;
}

/** Atom 1.0 (RFC 4287). */
export function renderAtom(feed: FeedView): string {
  const updated = new Date(feed.updatedAt ?? 0).toISOString();
  const body = entries(feed).map(({ pick, edition }) => {
    const link = pick.url ? `\n    <link rel="alternate" href="${xml(pick.url)}"/>` : '';
    return `  <entry>
    <id>${xml(entryId(feed, pick))}</id>
    <title>${xml(pick.title)}</title>${link}
    <updated>${new Date(edition.createdAt).toISOString()}</updated>
    ${pick.publishedAt ? `<published>${new Date(pick.publishedAt).toISOString()}</published>\n    ` : ''}<author><name>${xml(pick.source)}</name></author>
    <summary type="text">${xml(pick.summary || pick.title)}</summary>
    <content type="html">${xml(contentHtml(pick))}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xml(feed.selfUrl.atom)}</id>
  <title>${xml(feed.title)}</title>
  <updated>${updated}</updated>
  <link rel="self" type="application/atom+xml" href="${xml(feed.selfUrl.atom)}"/>
  <link rel="alternate" type="text/html" href="${xml(feed.homeUrl)}"/>
  <generator uri="https://github.com/sift-news/sift">Sift</generator>
${body.join('\n')}
</feed>
`;
}

/** RSS 2.0. */
export function renderRss(feed: FeedView): string {
  const body = entries(feed).map(({ pick, edition }) => {
    const date = new Date(pick.publishedAt ?? edition.createdAt).toUTCString();
    return `    <item>
      <title>${xml(pick.title)}</title>${pick.url ? `\n      <link>${xml(pick.url)}</link>` : ''}
      <guid isPermaLink="false">${xml(entryId(feed, pick))}</guid>
      <pubDate>${date}</pubDate>
      <description>${xml(contentHtml(pick))}</description>
    </item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${xml(feed.title)}</title>
    <link>${xml(feed.homeUrl)}</link>
    <description>Your personal Sift picks</description>
    <atom:link rel="self" type="application/rss+xml" href="${xml(feed.selfUrl.rss)}"/>
    <lastBuildDate>${new Date(feed.updatedAt ?? 0).toUTCString()}</lastBuildDate>
${body.join('\n')}
  </channel>
</rss>
`;
}

/** JSON Feed 1.1. */
export function renderJsonFeed(feed: FeedView): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrl.json,
    items: entries(feed).map(({ pick, edition }) => ({
      id: entryId(feed, pick),
      url: pick.url ?? undefined,
      title: pick.title,
      content_html: contentHtml(pick),
      summary: pick.summary,
      date_published: new Date(pick.publishedAt ?? edition.createdAt).toISOString(),
      date_modified: new Date(edition.createdAt).toISOString(),
      authors: [{ name: pick.source }],
      _sift: { reasons: pick.reasons },
    })),
  });
}
