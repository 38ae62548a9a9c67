// Canonical URLs: one story linked with and without tracking parameters is still one story.

// Query parameters that identify a campaign or a click, never the page (Miniflux's list, extended).
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'yclid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'igshid',
  'ref_src',
  'ref_url',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  's_cid',
  'vero_conv',
  'vero_id',
  'wickedid',
  'ncid',
  'sr_share',
  'cmpid',
  'at_medium',
  'at_campaign',
  'guccounter',
  'guce_referrer',
  'guce_referrer_sig',
]);

function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || n.startsWith('__') || TRACKING_PARAMS.has(n);
}

/**
 * The canonical form of an article URL: http(s) only, lower-case host without `www.`, no
 * default port, no fragment, no tracking parameters, remaining parameters sorted, no trailing
 * slash on the path. Returns null for anything that is not an http(s) URL.
 */
export function canonicalUrl(href: string | null | undefined, base?: string): string | null {
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const params = [...url.searchParams].filter(([k]) => !isTrackingParam(k));
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  const host = url.hostname.replace(/^www\./, '');
  const port = url.port ? `:${url.port}` : '';
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '';
  // The scheme is left out: the http and https copies of one page are the same story.
  return `${host}${port}${path}${query ? `?${query}` : ''}`;
}

/** The URL with tracking parameters removed, otherwise as published (for links people click). */
export function stripTracking(href: string): string {
  try {
    const url = new URL(href);
    const keep = [...url.searchParams].filter(([k]) => !isTrackingParam(k));
    if (keep.length === [...url.searchParams].length) return href;
    url.search = new URLSearchParams(keep).toString();
    return url.href;
  } catch {
    return href;
  }
}
