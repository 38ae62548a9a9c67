import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMjml } from '../../scripts/build-templates.ts';
import { templates } from '../../src/render/compiled/templates.ts';
import {
  dateLabel,
  digestFillData,
  MAX_HTML_BYTES,
  renderDigest,
  subjectLine,
  truncate,
} from '../../src/render/email.ts';
import { type FillData, fillBytes, MemoKey, prepareTemplate } from '../../src/render/slots.ts';
import { renderTransactional } from '../../src/render/transactional.ts';
import { itemPool, sampleView } from './sample-view.ts';

const pool = itemPool(300);
const hrefs = (html: string) =>
  [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const urls = (text: string) => [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);

describe('the digest email', () => {
  it('has a personal subject line naming what the subscriber asked for', () => {
    const pick = (r: string) => ({ ...pool[0]!, reasons: [r] });
    const picks = [
      pick("matches your interest 'hockey'"),
      pick("matches your interest 'golf' (via 'PGA')"),
      pick("is in your topic 'Science'"),
      pick("matches your interest 'rust'"),
      pick('recent item that passed your filters'),
      pick("matches your interest 'hockey'"),
      pick("matches your interest 'golf'"),
    ];
    expect(subjectLine({ picks })).toBe('7 picks: hockey, golf and 2 more');
    expect(subjectLine({ picks: picks.slice(0, 2) })).toBe('2 picks: hockey and golf');
    expect(subjectLine({ picks: [picks[4]!] })).toBe('1 pick for you');
  });

  it('shows on every card the title link, source, summary, reasons, coverage and both feedback links', () => {
    const view = sampleView(12, pool);
    view.picks[0]!.reasons = ["matches your interest 'hockey'", 'also covered by 2 other sources'];
    view.picks[1]!.alsoCoveredBy = ['Rink Report', 'The Ledger'];
    const { html, text, picksShown } = renderDigest(view);
    expect(picksShown).toBe(10);
    expect(html).toMatch(/<html lang="en" dir="ltr"/);
    expect(html.match(/<h1 /g)).toHaveLength(1);
    expect(html.match(/<h2 /g)).toHaveLength(10);
    expect(html).toContain('<meta name="color-scheme" content="light dark"');
    expect(html).toContain('prefers-color-scheme: dark');
    expect(html).toContain('<strong>Also covered by</strong> 2 other sources');
    expect(html).toContain('<strong>Also covered by</strong> Rink Report, The Ledger');
    expect(html).not.toMatch(/Why:<\/strong>[^<]*also covered by/);
    for (const p of view.picks) {
      expect(html).toContain(`href="${p.url!.replace(/&/g, '&amp;')}"`);
      expect(html).toContain(`href="${view.links.feedback(p.itemId, 'more')}"`);
      expect(html).toContain(`href="${view.links.feedback(p.itemId, 'less')}"`);
      expect(text).toContain(p.url!);
    }
    expect(html).toContain(view.links.unsubscribe);
    expect(new Set(hrefs(html))).toEqual(new Set(urls(text)));
    expect(text).toContain('Also covered by Rink Report, The Ledger');
  });

  it('drops picks from the end to stay under the size budget, keeping the unsubscribe link in both parts', async () => {
    const long = 'Word '.repeat(400);
    const view = sampleView(7, pool, 100);
    for (const p of view.picks) p.summary = long;
    const full = renderDigest(view, { maxHtmlBytes: 10_000_000 });
    expect(Buffer.byteLength(full.html)).toBeGreaterThan(MAX_HTML_BYTES);

    const email = renderDigest(view);
    expect(Buffer.byteLength(email.html)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(email.picksShown).toBeGreaterThan(5);
    expect(email.picksShown).toBeLessThan(100);
    // As many as fit: one more would not.
    const tpl = prepareTemplate('digest', templates.digest);
    const oneMore = fillBytes(tpl, digestFillData(view, view.picks.slice(0, email.picksShown! + 1)));
    expect(oneMore.length).toBeGreaterThan(MAX_HTML_BYTES);
    const dropped = 100 - email.picksShown!;
    expect(email.html).toContain(`${dropped} more picks did not fit in this email`);
    expect(email.text).toContain(`${dropped} more picks did not fit in this email`);
    expect(email.html).toContain(view.links.unsubscribe);
    expect(email.text).toContain(`Unsubscribe: ${view.links.unsubscribe}`);
    expect(email.html.match(/<h2 /g)).toHaveLength(email.picksShown!);
    expect(email.text.match(/^\d+\. /gm)).toHaveLength(email.picksShown!);
    // Summaries are shortened at a word boundary.
    expect(email.text).toContain(`${truncate(long, 320)}`);
    // The budgeted email still equals MJML run on the same data.
    const reference = await compileMjml(
      'digest',
      digestFillData(view, view.picks.slice(0, email.picksShown)),
    );
    const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/> </g, '><').trim();
    expect(norm(email.html)).toBe(norm(reference));
  });

  it('shows an item as it is now: cards shared between subscribers follow edits, and own-URL-less picks link to each feed', () => {
    const a = sampleView(41, pool);
    const b = sampleView(42, pool);
    b.picks[0] = { ...a.picks[0]!, reasons: ["matches your interest 'golf'"] };
    expect(renderDigest(a).html).toContain(`>${a.picks[0]!.title.replace(/&/g, '&amp;')}</a>`);
    // The same item, edited since: the next subscriber sees the new title and URL, never the old card.
    b.picks[0] = { ...b.picks[0]!, title: 'Edited & updated', url: 'https://news.example/edited' };
    const html = renderDigest(b).html;
    expect(html).toContain('>Edited &amp; updated</a>');
    expect(html).toContain('href="https://news.example/edited"');
    // Without its own URL a card links to the subscriber's own feed, not to someone else's.
    for (const view of [a, b]) view.picks[1] = { ...pool[5]!, url: null, reasons: ['x'] };
    expect(renderDigest(a).html).toContain(`href="${a.links.feeds.atom}" style`);
    expect(renderDigest(b).html).toContain(`href="${b.links.feeds.atom}" style`);
    expect(renderDigest(b).html).not.toContain(a.links.feeds.atom);
    // Such a card is kept nowhere: its id is plain bytes, not a MemoKey that would hold its parts.
    const cards = digestFillData(a, a.picks).picks as FillData[];
    expect(cards[1]!.itemId).not.toBeInstanceOf(MemoKey);
    expect(cards[0]!.itemId).toBeInstanceOf(MemoKey);
  });

  it('shortens text at a word boundary, without trailing spaces or punctuation', () => {
    // The rule as a regex (what truncate does without scanning the whole text).
    const reference = (text: string, max: number) => {
      if (text.length <= max) return text;
      const cut = text.slice(0, max - 1);
      const space = cut.lastIndexOf(' ');
      return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:–—-]+$/, '')}…`;
    };
    const text = fc.string({
      unit: fc.constantFrom('a', 'é', ' ', '\u00a0', ',', '.', ';', '—', '-'),
      maxLength: 60,
    });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (t, max) => {
        expect(truncate(t, max)).toBe(reference(t, max));
      }),
      { numRuns: 3000 },
    );
    expect(truncate('One two three, four', 15)).toBe('One two three…');
  });

  it('labels daily and weekly editions in words', () => {
    expect(dateLabel('2026-11-24')).toBe('Tuesday 24 November 2026');
    expect(dateLabel('2026-W48')).toBe('Week 48, 2026');
    expect(dateLabel('2026-02-30')).toBe('2026-02-30');
    expect(dateLabel('special')).toBe('special');
  });
});

describe('transactional emails', () => {
  it('confirmation, sign-in and unsubscribe each carry their action in both parts', () => {
    const url = 'https://sift.test/x/abc?y=1';
    const confirm = renderTransactional('confirm', { actionUrl: url });
    const signin = renderTransactional('signin', { actionUrl: url, expiresInMinutes: 15 });
    const bye = renderTransactional('unsubscribed', { actionUrl: url });
    for (const e of [confirm, signin, bye]) {
      expect(e.html).toContain(`href="${url}"`);
      expect(e.text).toContain(url);
      expect(e.html).toMatch(/<html lang="en"/);
    }
    expect(signin.html).toContain('expires in 15 minutes');
    expect(signin.text).toContain('expires in 15 minutes');
    expect(bye.subject).toBe('You are unsubscribed from Sift');
    expect(() => renderTransactional('confirm', { actionUrl: '/relative' })).toThrow(
      /absolute http\(s\) URL/,
    );
  });
});
