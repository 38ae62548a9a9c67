import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { createOutboxMailer } from '../../src/deliver/outbox-mailer.ts';
import { sendOutbox } from '../../src/deliver/send-outbox.ts';
import { editionRunStatus } from '../../src/store/outbox.ts';
import { fakeClock, tempDir, testDeps } from '../helpers/deps.ts';
import { seedEditions } from './helpers.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string>) {
  const deps = await testDeps({
    mailer: createOutboxMailer(tempDir()),
    clock: fakeClock(),
    env: { SIFT_SEND_RATE: '0', ...env },
  });
  cleanups.push(deps.close);
  return { deps, app: createApp(deps) };
}

describe('dev outbox viewer', () => {
  it('lists written emails with the edition run status and shows each as HTML and .eml', async () => {
    const { deps, app } = await setup({ SIFT_BASE_URL: 'http://localhost:8787' });
    await seedEditions(deps, ['ann@example.com']);
    await sendOutbox(deps);

    const page = await (await app.request('/dev/outbox')).text();
    expect(page).toContain('3 picks: hockey');
    expect(page).toContain('ann@example.com');
    expect(page).toMatch(
      /<td>2026-11-24<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>complete<\/td>/,
    );
    const href = /href="(\/dev\/outbox\/[^"]+\.html)"/.exec(page)![1]!;
    const html = await app.request(href);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('Manage preferences');
    const eml = await app.request(href.replace(/\.html$/, '.eml'));
    expect(eml.headers.get('content-type')).toBe('message/rfc822');
    expect(await eml.text()).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect((await app.request('/dev/outbox/..%2F..%2Fsecret.html')).status).toBe(404);
    expect((await app.request('/dev/outbox/nothing-here.html')).status).toBe(404);
  });

  it('is off on a public base URL unless forced, and off when forced off', async () => {
    expect(
      (await (await setup({ SIFT_BASE_URL: 'https://news.example.org' })).app.request('/dev/outbox')).status,
    ).toBe(404);
    const forced = await setup({ SIFT_BASE_URL: 'https://news.example.org', SIFT_OUTBOX_VIEWER: 'on' });
    expect((await forced.app.request('/dev/outbox')).status).toBe(200);
    const off = await setup({ SIFT_BASE_URL: 'http://localhost:8787', SIFT_OUTBOX_VIEWER: 'off' });
    expect((await off.app.request('/dev/outbox')).status).toBe(404);
  });
});

describe('edition run status', () => {
  it('counts outcomes per edition key and is complete only when nothing is pending or sending', async () => {
    const { deps } = await setup({});
    await seedEditions(deps, ['ann@example.com', 'bob@example.com'], '2026-11-24');
    await seedEditions(deps, ['cat@example.com'], '2026-11-25');
    expect(await editionRunStatus(deps.db)).toEqual([
      {
        editionKey: '2026-11-25',
        pending: 1,
        sending: 0,
        sent: 0,
        failed: 0,
        suppressed: 0,
        complete: false,
      },
      {
        editionKey: '2026-11-24',
        pending: 2,
        sending: 0,
        sent: 0,
        failed: 0,
        suppressed: 0,
        complete: false,
      },
    ]);
    await sendOutbox(deps);
    expect(await editionRunStatus(deps.db, { editionKeys: ['2026-11-24'] })).toEqual([
      { editionKey: '2026-11-24', pending: 0, sending: 0, sent: 2, failed: 0, suppressed: 0, complete: true },
    ]);
  });
});
