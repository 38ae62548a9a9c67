import { mkdirSync } from 'node:fs';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { getSource } from '../../src/store/sources.ts';
import { launchChromium } from '../helpers/browser.ts';
import { fakeClock, testDeps } from '../helpers/deps.ts';
import { seed, seedHistory, TOKEN } from './helpers.ts';

const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

describe('dashboard in headless Chromium, JavaScript off', { timeout: 120_000 }, () => {
  let browser: Browser;
  let base: string;
  let close: () => void;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let seeded: Awaited<ReturnType<typeof seed>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    let fetchApp: (req: Request) => Response | Promise<Response> = () =>
      new Response('starting', { status: 503 });
    const server = serve({ fetch: (req) => fetchApp(req), port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    close = () => server.close();
    deps = await testDeps({
      clock: fakeClock(Date.UTC(2026, 10, 24, 9, 0)),
      env: { SIFT_BASE_URL: base, SIFT_ADMIN_TOKEN: TOKEN },
    });
    seeded = await seed(deps);
    await seedHistory(deps);
    const app = createApp(deps);
    fetchApp = (req) => app.fetch(req);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    close?.();
  });

  it('signs in through the form, shows charts and source health, and pauses a source with a button', async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard');

    // Charts: one bar per day with data, each with its hover text.
    const sendBars = page.locator('svg[data-chart="sends"] rect:has(title)');
    expect(await sendBars.count()).toBeGreaterThanOrEqual(14);
    expect(await page.locator('svg[data-chart="feedback"] rect:has(title)').count()).toBeGreaterThan(0);
    const box = await page.locator('svg[data-chart="sends"]').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(80);

    const failing = page.locator(`tr[data-source="${seeded.broken.id}"]`);
    await expect(failing.textContent()).resolves.toContain('HTTP 404');
    await page.screenshot({ path: `${ARTIFACTS}admin-dashboard-1280.png`, fullPage: true });

    const row = page.locator(`tr[data-source="${seeded.source.id}"]`);
    await Promise.all([page.waitForNavigation(), row.locator('button', { hasText: 'Pause' }).click()]);
    await expect(page.locator('[role="status"]').textContent()).resolves.toContain('Paused Hockey Wire.');
    expect((await getSource(deps.db, seeded.source.id))!.paused).toBe(true);
    await expect(page.locator(`tr[data-source="${seeded.source.id}"] .badge`).textContent()).resolves.toBe(
      'paused',
    );
    await context.close();
  });

  it('fits a phone screen: no horizontal page overflow at 390 px (wide tables scroll inside)', async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
      extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
    });
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}admin-dashboard-390.png`, fullPage: true });
    await context.close();
  });
});
