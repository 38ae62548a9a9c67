// OPML 2.0 (http://opml.org/spec2.opml) import and export of sources: the format every feed
// reader exchanges subscription lists in.
import type { Source } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { getSourceByUrl, listSources, upsertSource } from '../store/sources.ts';
import { checkUrl, parseAllowList } from './address-policy.ts';

/** One feed listed in an OPML file. */
export interface OpmlFeed {
  url: string;
  title: string | null;
  /** Names of the enclosing folders, outermost first. */
  folders: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Feeds in an OPML document (outlines with an xmlUrl, at any depth). Throws for a non-OPML file. */
export function parseOpml(text: string): OpmlFeed[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/<opml[\s>]/i.test(body.slice(0, 4096)))
    throw new AppError('bad_request', 'not an OPML file: no <opml> element');
  const feeds: OpmlFeed[] = [];
  const folders: string[] = [];
  // Outlines nest; a tag scan with a folder stack is enough for OPML's flat attribute-only shape.
  for (const m of body.matchAll(/<(\/?)outline\b([^>]*?)(\/?)>/gi)) {
    const [, closing, attrText = '', selfClosing] = m;
    if (closing) {
      folders.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g))
      attrs[a[1]!.toLowerCase()] = decodeEntities(a[3] ?? a[4] ?? '');
    const title = (attrs.title || attrs.text || '').trim() || null;
    if (attrs.xmlurl) feeds.push({ url: attrs.xmlurl.trim(), title, folders: [...folders] });
    if (!selfClosing) folders.push(title ?? '');
  }
  return feeds;
}

/** An OPML 2.0 document listing every source (bundled demo feeds left out). */
export function exportOpml(sources: Source[], now = Date.now()): string {
  const lines = sources
    .filter((s) => s.kind === 'http')
    .map((s) => {
      const title = escapeXml(s.title ?? s.url);
      const site = s.siteUrl ? ` htmlUrl="${escapeXml(s.siteUrl)}"` : '';
      return `    <outline type="rss" text="${title}" title="${title}" xmlUrl="${escapeXml(s.url)}"${site}/>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Sift sources</title>
    <dateCreated>${new Date(now).toUTCString()}</dateCreated>
  </head>
  <body>
${lines.join('\n')}
  </body>
</opml>
`;
}

/** What happened to one feed of an import. */
export type ImportLine =
  | { url: string; status: 'added'; sourceId: number }
  | { url: string; status: 'exists'; sourceId: number }
  | { url: string; status: 'refused'; error: string };

/**
 * Imports an OPML file: every allowed http(s) feed becomes a source due for its first check at the
 * next ingest run (fetching hundreds of feeds here would make the import slow and fragile; the
 * first check reports each feed's health). Refused URLs are listed with the reason. Idempotent.
 */
export async function importOpml(deps: Deps, text: string): Promise<ImportLine[]> {
  const allow = parseAllowList(deps.config.SIFT_ALLOW_PRIVATE_HOSTS);
  const out: ImportLine[] = [];
  const seen = new Set<string>();
  for (const feed of parseOpml(text)) {
    let url: string;
    try {
      url = checkUrl(feed.url, allow).href;
    } catch (e) {
      out.push({ url: feed.url, status: 'refused', error: (e as Error).message });
      continue;
    }
    if (seen.has(url)) continue;
    seen.add(url);
    const existing = await getSourceByUrl(deps.db, url);
    if (existing) {
      out.push({ url, status: 'exists', sourceId: existing.id });
      continue;
    }
    const source = await upsertSource(deps.db, { url, title: feed.title });
    out.push({ url, status: 'added', sourceId: source.id });
  }
  return out;
}

/** Export use case: the OPML of all sources. */
export async function exportSourcesOpml(deps: Deps): Promise<string> {
  return exportOpml(await listSources(deps.db), deps.clock());
}
