import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { parsePreferences } from '../../src/preferences/schema.ts';
import { signLink } from '../../src/security/signed-links.ts';
import { createSubscriber, getSubscriber } from '../../src/store/subscribers.ts';
import { testDeps } from '../helpers/deps.ts';

describe('unsubscribe', () => {
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let token: string;
  let id: number;
  beforeEach(async () => {
    deps = await testDeps();
    const s = await createSubscriber(
      deps.db,
      { email: 'a@example.com', status: 'active' },
      parsePreferences({}),
    );
    id = s.id;
    token = await signLink(deps.secret, 'unsubscribe', s.id, s.tokenVersion);
  });
  afterEach(() => deps.close());

  it('GET shows a button and changes nothing (mail scanners open links)', async () => {
    const res = await createApp(deps).request(`/u/${token}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form method="post">');
    expect((await getSubscriber(deps.db, id))?.status).toBe('active');
  });

  it('the RFC 8058 one-click POST unsubscribes without a cookie, and repeating it is harmless', async () => {
    const app = createApp(deps);
    const post = () =>
      app.request(`/u/${token}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://mail.provider.example',
        },
        body: 'List-Unsubscribe=One-Click',
      });
    expect((await post()).status).toBe(200);
    const first = await getSubscriber(deps.db, id);
    expect(first?.status).toBe('unsubscribed');
    expect((await post()).status).toBe(200);
    expect((await getSubscriber(deps.db, id))?.unsubscribedAt).toBe(first?.unsubscribedAt);
  });

  it('answers 404 to a forged token or a token made for another purpose', async () => {
    const app = createApp(deps);
    const manage = await signLink(deps.secret, 'manage', id, 1);
    expect((await app.request(`/u/${manage}`, { method: 'POST' })).status).toBe(404);
    expect((await app.request(`/u/${id}.1.AAAAAAAAAAAAAAAAAAAAAA`, { method: 'POST' })).status).toBe(404);
    expect((await getSubscriber(deps.db, id))?.status).toBe('active');
  });
});

describe('unsubscribe takes effect at once', () => {
  it('one-click suppresses unsent editions, the planner skips the subscriber, and signing up again works', async () => {
    const { world, edition, seedItems } = await import('./helpers.ts');
    const { outbox } = await import('../../src/db/schema.ts');
    const { listPlannable } = await import('../../src/store/subscribers.ts');
    const w = await world();
    await seedItems(w.deps, w.clock());
    const s = await createSubscriber(
      w.deps.db,
      { email: 'one@example.com', status: 'active' },
      parsePreferences({}),
    );
    await edition(w.deps, s.id, '2026-11-24', [1]);
    const token = await signLink(w.deps.secret, 'unsubscribe', s.id, s.tokenVersion);
    const res = await w.app.request(`/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect((await w.deps.db.select().from(outbox).all()).map((r) => r.status)).toEqual(['suppressed']);
    expect((await listPlannable(w.deps.db, w.clock())).map((r) => r.subscriber.id)).not.toContain(s.id);
    // Another route is still protected from cross-site posts.
    expect(
      (await w.post('/subscribe', { email: 'one@example.com' }, { origin: 'https://mail.example' })).status,
    ).toBe(403);
    await w.post('/subscribe', { email: 'one@example.com' });
    expect((await w.post(w.lastLink('one@example.com'))).status).toBe(303);
    expect((await getSubscriber(w.deps.db, s.id))?.status).toBe('active');
    w.deps.close();
  });
});
