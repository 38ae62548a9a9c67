import sanitizeHtml from 'sanitize-html';

// An allowlist, not a blocklist: anything not named here is dropped (scripts, styles,
// iframes, forms, event handlers, javascript:/data: URLs).
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'a',
    'abbr',
    'b',
    'blockquote',
    'br',
    'caption',
    'code',
    'dd',
    'del',
    'dl',
    'dt',
    'em',
    'figcaption',
    'figure',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'i',
    'img',
    'ins',
    'kbd',
    'li',
    'mark',
    'ol',
    'p',
    'pre',
    'q',
    's',
    'small',
    'strong',
    'sub',
    'sup',
    'table',
    'tbody',
    'td',
    'tfoot',
    'th',
    'thead',
    'tr',
    'u',
    'ul',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan', 'scope'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  exclusiveFilter: (frame) => frame.tag === 'img' && isTrackingPixel(frame.attribs),
};

// Hosts that serve only counters and "open" beacons, whatever size the image claims.
const TRACKER_HOSTS =
  /(^|\.)(feeds\.feedburner\.com|feedproxy\.google\.com|pixel\.wp\.com|stats\.wordpress\.com|pixel\.quantserve\.com|www\.google-analytics\.com|sb\.scorecardresearch\.com|ad\.doubleclick\.net|pi\.feedsportal\.com|feeds\.wordpress\.com)$/i;

function isTrackingPixel(attribs: Record<string, string>): boolean {
  const tiny = (v: string | undefined) => v !== undefined && /^\s*[01](px)?\s*$/.test(v);
  if (tiny(attribs.width) || tiny(attribs.height)) return true;
  if (!attribs.src) return true;
  try {
    return TRACKER_HOSTS.test(new URL(attribs.src).hostname);
  } catch {
    return false;
  }
}

function resolveAttr(value: string | undefined, base: string | undefined): string | undefined {
  if (!value || !base) return value;
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return value;
  }
}

const optionsFor = (base: string | undefined): sanitizeHtml.IOptions => ({
  ...OPTIONS,
  transformTags: {
    // Links open without giving the target page a handle on the reader's window or the referrer.
    a: (tagName, attribs) => ({
      tagName,
      attribs: {
        ...attribs,
        ...(attribs.href ? { href: resolveAttr(attribs.href, base)! } : {}),
        rel: 'noopener noreferrer',
      },
    }),
    img: (tagName, attribs) => ({
      tagName,
      attribs: attribs.src ? { ...attribs, src: resolveAttr(attribs.src, base)! } : attribs,
    }),
  },
});
const NO_BASE = optionsFor(undefined);

/**
 * Cleans feed HTML down to safe, inert markup: an allowlist (no script, style, iframe, form,
 * on* attributes, javascript:/data: links, srcdoc), links get rel="noopener noreferrer", tracking
 * pixels go, relative URLs resolve against `baseUrl`. Idempotent; call it before storage and
 * again before render.
 */
export function sanitizeItemHtml(html: string, baseUrl?: string): string {
  const options = baseUrl ? optionsFor(baseUrl) : NO_BASE;
  // sanitize-html keeps the nesting it was given (<p><p></p></p>), and reading its output again
  // re-nests it; a few passes reach the fixed point, which makes the function idempotent.
  let out = sanitizeHtml(html, options);
  for (let pass = 0; pass < 6; pass++) {
    const again = sanitizeHtml(out, options);
    if (again === out) return out;
    out = again;
  }
  return out;
}

/** Plain text of an HTML fragment, whitespace collapsed, cut at a word boundary near `max`. */
export function htmlToText(html: string, max = 600): string {
  // Most titles, names and categories are plain text already: skip the HTML parser for them.
  if (!/[<&]/.test(html)) return truncateText(html.replace(/\s+/g, ' ').trim(), max);
  const text = sanitizeHtml(html.replace(/<(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, ' $&'), {
    allowedTags: [],
    allowedAttributes: {},
  })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  return truncateText(text, max);
}

/** Plain text cut at a word boundary near `max`, with an ellipsis when cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
