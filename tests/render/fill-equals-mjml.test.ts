import { describe, expect, it } from 'vitest';
import { compileMjml } from '../../scripts/build-templates.ts';
import { digestFillData, fillDigestHtml, renderDigest } from '../../src/render/email.ts';
import { renderTransactional, transactionalFillData } from '../../src/render/transactional.ts';
import { itemPool, sampleView } from './sample-view.ts';

/** Whitespace is not meaningful between these tags: compare with runs collapsed and trimmed at tags. */
function normalise(html: string): string {
  return html
    .replace(/\s+/g, ' ')
    .replace(/> </g, '><')
    .replace(/<!--sift:[a-z]+ [a-zA-Z]+-->/g, '')
    .trim();
}

describe('compiled fill equals mjml2html per email', () => {
  const pool = itemPool(200);

  it('for every digest of a sample of subscribers (picks, optional lines, escaping)', async () => {
    const views = [1, 2, 3, 5, 8, 13, 21, 34].map((id, n) => sampleView(id, pool, n + 1));
    // An awkward one: markup-looking text, quotes, non-ASCII and no summary.
    views[0]!.picks[0] = {
      ...views[0]!.picks[0]!,
      title: `<script>alert("x")</script> Tom & Jerry's “café”`,
      summary: '',
      alsoCoveredBy: ['Rink Report', 'The Ledger'],
    };
    for (const view of views) {
      const ours = renderDigest(view).html;
      const reference = await compileMjml('digest', digestFillData(view, view.picks));
      expect(normalise(ours)).toBe(normalise(reference));
    }
  });

  it('for each transactional email', async () => {
    const { templates } = await import('../../src/render/compiled/templates.ts');
    expect(Object.keys(templates).sort()).toEqual(['confirm', 'digest', 'signin', 'unsubscribed']);
    const now = Date.UTC(2026, 10, 24);
    for (const kind of ['confirm', 'signin', 'unsubscribed'] as const) {
      const url = 'https://sift.test/c/abc?x=1&y="2"';
      const ours = renderTransactional(kind, { actionUrl: url, now }).html;
      const reference = await compileMjml(kind, transactionalFillData(kind, { actionUrl: url, now }));
      expect(normalise(ours)).toBe(normalise(reference));
    }
  });

  it('keeps the fill free of MJML: the output is the same bytes on a second run', () => {
    const view = sampleView(99, pool);
    expect(Buffer.from(fillDigestHtml(view).bytes).equals(Buffer.from(fillDigestHtml(view).bytes))).toBe(
      true,
    );
  });
});
