/** Matching followed / muted sources against items: by display name, feed URL or host. */
import type { RankItem } from './types.ts';

/** Canonical form of a source reference: lowercased, no scheme, no "www.", no trailing slash. */
export function normalizeSource(ref: string): string {
  return ref
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
}

function host(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const n = normalizeSource(url);
  const slash = n.indexOf('/');
  return slash < 0 ? n : n.slice(0, slash);
}

/** The keys under which an item's source can be named by a subscriber. */
export function sourceKeys(item: RankItem): string[] {
  const keys: string[] = [];
  if (item.source) keys.push(normalizeSource(item.source));
  if (item.sourceUrl) keys.push(normalizeSource(item.sourceUrl));
  const h = host(item.sourceUrl) ?? host(item.url);
  if (h) keys.push(h);
  return keys;
}
