import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeItemHtml } from '../../src/ingest/sanitize.ts';

// Payloads rewritten from DOMPurify's test/fixtures/expect.mjs and Miniflux's
// internal/reader/sanitizer tests: each must come out with no executable sink.
const XSS: string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="  javascript:alert(1)">x</a>',
  '<a href="java&#x09;script:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<svg onload=alert(1)><circle r=10 /></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="evil.swf"></object><embed src="evil.swf">',
  '<form action="https://evil.example"><input name=a><button formaction="javascript:alert(1)">go</button></form>',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p style="position:fixed;top:0">overlay</p>',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<body onload=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<audio src=x onerror=alert(1)>',
  '<marquee onstart=alert(1)>',
  '<a href="#" onclick="alert(1)" onmouseover="alert(2)">x</a>',
  '<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x">',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<!--<img src=x onerror=alert(1)>-->',
  '<scr<script>ipt>alert(1)</script>',
  '<<script>script>alert(1)<</script>/script>',
  '<img """><script>alert(1)</script>">',
  '<a href="https://ok.example" target="_blank">x</a>',
  '<template><img src=x onerror=alert(1)></template>',
  '<isindex action=javascript:alert(1) type=image>',
  '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
  '<xss:script xmlns:xss="http://www.w3.org/1999/xhtml">alert(1)</xss:script>',
  '<a href="https://ok.example/?q=<script>">x</a>',
];

const DANGEROUS_TAGS =
  /^(script|style|iframe|object|embed|form|input|button|base|meta|link|svg|math|template|frame|frameset|applet|noscript)$/i;
const DANGEROUS_ATTRS = /^(on.*|srcdoc|style|formaction|background|srcset|xmlns.*)$/i;

/**
 * True when markup still has a way to run code or load active content. Reads the output as a
 * browser would: tags, then each attribute name and (entity-decoded) value.
 */
function hasSink(html: string): boolean {
  for (const tag of html.matchAll(
    /<\s*([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g,
  )) {
    if (DANGEROUS_TAGS.test(tag[1]!)) return true;
    for (const attr of tag[2]!.matchAll(/([^\s=>/]+)(?:\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      if (DANGEROUS_ATTRS.test(attr[1]!)) return true;
      const value = (attr[3] ?? attr[4] ?? attr[5] ?? '')
        .replace(/&#x([0-9a-f]+);?/gi, (_m, h) => String.fromCodePoint(Number.parseInt(h, 16)))
        .replace(/&#(\d+);?/g, (_m, d) => String.fromCodePoint(Number(d)))
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
        .replace(/[\s\u0000-\u001f]/g, '');
      if (/^(href|src|action|xlink:href)$/i.test(attr[1]!) && /^(javascript|vbscript|data):/i.test(value))
        return true;
    }
  }
  return false;
}

describe('sanitizeItemHtml: XSS payloads come out inert', () => {
  it('checks with a detector that does flag the raw payloads (so the suite can fail)', () => {
    const flagged = XSS.filter(hasSink);
    expect(flagged.length).toBeGreaterThan(XSS.length * 0.8);
  });

  it.each(XSS)('%s', (payload) => {
    const out = sanitizeItemHtml(payload);
    expect(hasSink(out)).toBe(false);
    expect(sanitizeItemHtml(out)).toBe(out);
  });

  it('keeps ordinary article markup and makes links safe to open', () => {
    expect(
      sanitizeItemHtml(
        '<h2>Title</h2><p>A <a href="https://ok.example/a" target="_blank">link</a> and <em>emphasis</em>.</p>',
      ),
    ).toBe(
      '<h2>Title</h2><p>A <a href="https://ok.example/a" rel="noopener noreferrer">link</a> and <em>emphasis</em>.</p>',
    );
  });

  it('drops 1×1 tracking pixels and known beacon hosts, keeps real images', () => {
    const out = sanitizeItemHtml(
      '<img src="https://t.example/p.gif" width="1" height="1"><img src="https://pixel.wp.com/g.gif"><img src="https://ok.example/photo.jpg" alt="Photo" width="600">',
    );
    expect(out).toBe('<img src="https://ok.example/photo.jpg" alt="Photo" width="600" />');
  });

  it('resolves relative links against the item URL', () => {
    expect(sanitizeItemHtml('<a href="../b">b</a><img src="/i.png">', 'https://site.example/posts/a/')).toBe(
      '<a href="https://site.example/posts/b" rel="noopener noreferrer">b</a><img src="https://site.example/i.png" />',
    );
  });
});

describe('htmlToText: the plain-text summary for ranking and email', () => {
  it('keeps words apart across block elements, decodes entities and drops scripts', () => {
    expect(htmlToText('<p>One</p><p>Two&nbsp;&amp; three</p><script>alert(1)</script><br>Four')).toBe(
      'One Two & three Four',
    );
  });

  it('cuts long text at a word boundary', () => {
    const text = htmlToText(`<p>${'word '.repeat(200)}</p>`, 50);
    expect(text.length).toBeLessThanOrEqual(51);
    expect(text.endsWith('word…')).toBe(true);
  });
});

describe('sanitizeItemHtml: properties over generated HTML', () => {
  const tag = fc.constantFrom(
    'p',
    'a',
    'img',
    'script',
    'style',
    'iframe',
    'svg',
    'b',
    'div',
    'form',
    'table',
    'td',
    'math',
    'noscript',
  );
  const attrName = fc.constantFrom(
    'href',
    'src',
    'onclick',
    'onerror',
    'style',
    'srcdoc',
    'title',
    'width',
    'height',
    'alt',
    'rel',
  );
  const attrValue = fc.oneof(
    fc.constantFrom(
      'javascript:alert(1)',
      'https://ok.example/x',
      'data:text/html,x',
      '1',
      'x" onerror="alert(1)',
      ' JAVASCRIPT:x',
      '/rel/path',
    ),
    fc.string({ maxLength: 12 }),
  );
  const element: fc.Arbitrary<string> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 10 }),
      fc
        .tuple(
          tag,
          fc.array(fc.tuple(attrName, attrValue), { maxLength: 3 }),
          fc.array(tie('node'), { maxLength: 3 }),
        )
        .map(
          ([t, attrs, children]) =>
            `<${t}${attrs.map(([n, v]) => ` ${n}="${v.replace(/"/g, '&quot;')}"`).join('')}>${children.join('')}</${t}>`,
        ),
    ),
  })).node as fc.Arbitrary<string>;
  const html = fc.oneof(
    element,
    fc.string({ maxLength: 40 }),
    fc.array(element, { maxLength: 4 }).map((a) => a.join('')),
  );

  it('is idempotent: sanitize(sanitize(x)) === sanitize(x)', () => {
    fc.assert(
      fc.property(html, (x) => {
        const once = sanitizeItemHtml(x);
        expect(sanitizeItemHtml(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('never leaves an executable sink', () => {
    fc.assert(
      fc.property(html, (x) => {
        expect(hasSink(sanitizeItemHtml(x))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
