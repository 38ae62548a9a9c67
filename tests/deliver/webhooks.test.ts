import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { outbox, suppressions } from '../../src/db/schema.ts';
import { sendOutbox } from '../../src/deliver/send-outbox.ts';
import { svixSignature } from '../../src/web/webhooks.ts';
import { fakeClock, memoryMailer, testDeps } from '../helpers/deps.ts';
import { seedEditions } from './helpers.ts';

// A Svix-style signing secret, as Resend shows it: "whsec_" + base64 key.
const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string> = { SIFT_WEBHOOK_SECRET: SECRET }) {
  const clock = fakeClock();
  const mailer = memoryMailer();
  const deps = await testDeps({ clock, mailer, env: { SIFT_SEND_RATE: '0', ...env } });
  cleanups.push(deps.close);
  return { deps, clock, mailer, app: createApp(deps) };
}

async function resendPost(app: ReturnType<typeof createApp>, event: unknown, at: number, secret = SECRET) {
  const body = JSON.stringify(event);
  const ts = String(Math.floor(at / 1000));
  const sig = await svixSignature(secret, 'msg_1', ts, body);
  return app.request('/webhooks/resend', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': 'msg_1',
      'svix-timestamp': ts,
      'svix-signature': `v1,bogus v1,${sig}`,
    },
    body,
  });
}

const suppressed = async (deps: Awaited<ReturnType<typeof testDeps>>) =>
  (await deps.db.select().from(suppressions).all()).map((s) => [s.email, s.reason.split(':')[0]]);

describe('bounce and complaint webhooks', () => {
  it('Resend: a signed complaint suppresses at once, and the send loop then skips that address', async () => {
    const { deps, clock, app, mailer } = await setup();
    await seedEditions(deps, ['ann@example.com', 'bob@example.com']);
    const res = await resendPost(
      app,
      { type: 'email.complained', data: { to: ['Ann@Example.com'] } },
      clock(),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ suppressed: 1, ignored: 0 });
    expect(await suppressed(deps)).toEqual([['ann@example.com', 'complaint']]);

    expect(await sendOutbox(deps)).toEqual({ sent: 1, failed: 0, retried: 0, suppressed: 1 });
    expect(mailer.sent.map((m) => m.to)).toEqual(['bob@example.com']);
    const rows = await deps.db.select().from(outbox).orderBy(outbox.id).all();
    expect(rows.map((r) => [r.status, r.lastError])).toEqual([
      ['suppressed', 'address is on the suppression list'],
      ['sent', null],
    ]);
  });

  it('Resend: hard bounces suppress, soft ones and other events are ignored', async () => {
    const { deps, clock, app } = await setup();
    const bounce = (type: string) => ({
      type: 'email.bounced',
      data: { to: ['gone@example.com'], bounce: { type, message: 'mailbox does not exist' } },
    });
    expect(await (await resendPost(app, bounce('Transient'), clock())).json()).toEqual({
      suppressed: 0,
      ignored: 1,
    });
    expect(await (await resendPost(app, { type: 'email.delivered', data: {} }, clock())).json()).toEqual({
      suppressed: 0,
      ignored: 1,
    });
    expect(await suppressed(deps)).toEqual([]);
    expect(await (await resendPost(app, bounce('Permanent'), clock())).json()).toEqual({
      suppressed: 1,
      ignored: 0,
    });
    expect(await suppressed(deps)).toEqual([['gone@example.com', 'bounce']]);
  });

  it('Resend: rejects a wrong signature, a stale timestamp and missing headers', async () => {
    const { clock, app } = await setup();
    const event = { type: 'email.complained', data: { to: ['a@example.com'] } };
    const other = `whsec_${Buffer.from('another-key-another-key-another!').toString('base64')}`;
    const wrong = await resendPost(app, event, clock(), other);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'webhook rejected: signature does not match' });
    const stale = await resendPost(app, event, clock() - 10 * 60_000);
    expect(await stale.json()).toEqual({ error: 'webhook rejected: timestamp too old or in the future' });
    const bare = await app.request('/webhooks/resend', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bare.status).toBe(401);
  });

  it('generic JSON form: bearer secret, one event or a list, clear 400s', async () => {
    const { deps, app } = await setup();
    const post = (body: unknown, auth = `Bearer ${SECRET}`) =>
      app.request('/webhooks/mail', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    expect((await post({ type: 'complaint', email: 'a@example.com' }, 'Bearer nope')).status).toBe(401);
    const one = await post({ type: 'complaint', email: 'a@example.com' });
    expect(await one.json()).toEqual({ suppressed: 1, ignored: 0 });
    const many = await post({
      events: [
        { type: 'bounce', email: 'b@example.com' },
        { type: 'bounce', email: 'c@example.com', permanent: false },
        { type: 'complaint', email: 'a@example.com' },
      ],
    });
    expect(await many.json()).toEqual({ suppressed: 1, ignored: 2 });
    expect((await suppressed(deps)).sort()).toEqual([
      ['a@example.com', 'complaint'],
      ['b@example.com', 'bounce'],
    ]);
    const bad = await post({ type: 'unsubscribe', email: 'not-an-address' });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: string; issues: string[] };
    expect(err.error).toMatch(/expected \{"type": "bounce"\|"complaint"/);
    expect(err.issues.length).toBeGreaterThan(0);
    expect((await post('not json')).status).toBe(400);
  });

  it('answers 503 with the setting to change while no secret is configured', async () => {
    const { app } = await setup({});
    const res = await app.request('/webhooks/mail', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'webhooks are off: set SIFT_WEBHOOK_SECRET to enable them' });
  });
});
