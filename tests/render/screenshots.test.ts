import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDigest } from '../../src/render/email.ts';
import { launchChromium } from '../helpers/browser.ts';
import { itemPool, sampleView } from './sample-view.ts';

// Screenshots land here for a human to look at (gitignored; CI keeps them as artefacts).
const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

/** A digest built to break layouts: long words, a long URL-like title, non-Latin text, no summary. */
function awkwardDigest() {
  const view = sampleView(5, itemPool(200));
  view.picks[0]!.title = `Supercalifragilisticexpialidocious-${'x'.repeat(80)} hockey`;
  view.picks[1]!.summary = `See https://example.org/${'very-long-path-segment/'.repeat(12)} for details`;
  view.picks[2]!.summary = '';
  view.picks[3]!.title = 'Zürich 東京 مرحبا — “quoted” & <escaped>';
  view.picks[4]!.reasons = ["matches your interest 'climate policy'", 'also covered by 4 other sources'];
  view.picks[5]!.alsoCoveredBy = ['Policy & Planet', 'The Ledger', 'Le Monde Diplo'];
  return renderDigest(view);
}

describe('the digest in a real browser (headless Chromium)', () => {
  let browser: Browser;
  const { html } = awkwardDigest();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const width of [320, 600]) {
    it(`fits ${width} px: no card and no text overflows, and a screenshot is saved`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      // No network: the email must render from itself alone.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      const report = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const cards = [...document.querySelectorAll('.card')];
        const overflowing = [...document.querySelectorAll('.card *')]
          .filter(
            (el) => el instanceof HTMLElement && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0,
          )
          .map((el) => `${el.tagName}.${el.className}: ${(el.textContent ?? '').slice(0, 40)}`);
        return {
          pageScroll: document.documentElement.scrollWidth - vw,
          cards: cards.length,
          outside: cards.filter((c) => {
            const r = c.getBoundingClientRect();
            return r.left < -0.5 || r.right > vw + 0.5;
          }).length,
          overflowing,
          h2: document.querySelectorAll('h2').length,
        };
      });
      await page.screenshot({ path: join(ARTIFACTS, `digest-${width}.png`), fullPage: true });
      expect(report.cards).toBe(10);
      expect(report.h2).toBe(10);
      expect(report.pageScroll).toBeLessThanOrEqual(0);
      expect(report.outside).toBe(0);
      expect(report.overflowing).toEqual([]);
      await page.close();
    });
  }

  for (const scheme of ['light', 'dark'] as const)
    it(`keeps every text on a card at a contrast of at least 4.5:1 (${scheme})`, async () => {
      const page = await browser.newPage({ viewport: { width: 600, height: 800 }, colorScheme: scheme });
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      const worst = await page.evaluate(() => {
        const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const lum = ([r, g, b]: number[]) => {
          const f = (v: number) => {
            const x = v / 255;
            return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
          };
          return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
        };
        let min = 21;
        let what = '';
        for (const card of document.querySelectorAll('.card')) {
          const bg = lum(rgb(getComputedStyle(card).backgroundColor));
          for (const el of card.querySelectorAll('div, a, strong, h2')) {
            if (!el.textContent?.trim()) continue;
            const fg = lum(rgb(getComputedStyle(el).color));
            const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
            if (ratio < min) {
              min = ratio;
              what = `${el.tagName} ${getComputedStyle(el).color}`;
            }
          }
        }
        return { min, what };
      });
      expect(worst.min, worst.what).toBeGreaterThanOrEqual(4.5);
      await page.close();
    });

  it('switches to the dark palette when the reader prefers dark mode', async () => {
    const page = await browser.newPage({ viewport: { width: 600, height: 800 }, colorScheme: 'dark' });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const colors = await page.evaluate(() => ({
      card: getComputedStyle(document.querySelector('.card')!).backgroundColor,
      text: getComputedStyle(document.querySelector('.txt div')!).color,
      body: getComputedStyle(document.body).backgroundColor,
    }));
    await page.screenshot({ path: join(ARTIFACTS, 'digest-600-dark.png'), fullPage: true });
    expect(colors).toEqual({ card: 'rgb(28, 33, 40)', text: 'rgb(230, 232, 235)', body: 'rgb(17, 20, 24)' });
    await page.close();
  });
});
