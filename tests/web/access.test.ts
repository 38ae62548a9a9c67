import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokens } from '../../src/db/schema.ts';
import { signLink } from '../../src/security/signed-links.ts';
import { getSubscriber, getSubscriberByEmail } from '../../src/store/subscribers.ts';
import { activeSubscriber, cookieOf, ORIGIN, world } from './helpers.ts';

let w: Awaited<ReturnType<typeof world>>;
beforeEach(async () => {
  w = await world();
});
afterEach(() => w.deps.close());

const MIN = 60_000;

describe('sign-up (double opt-in)', () => {
  it('the landing page has a sign-up form, a CSP with a nonce, and its one script carries that nonce', async () => {
    const res = await w.get('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await res.text();
    expect(html).toContain('action="/subscribe"');
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('a new address becomes pending and receives exactly one email: the confirmation', async () => {
    const res = await w.post('/subscribe', {
      email: ' New@Example.com ',
      timezone: 'Europe/Paris',
      interests: 'hockey, rust',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Check your inbox');
    const s = await getSubscriberByEmail(w.deps.db, 'new@example.com');
    expect(s?.status).toBe('pending');
    expect(s?.timezone).toBe('Europe/Paris');
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.mailer.sent[0]!.subject).toMatch(/confirm/i);
    expect(w.mailer.sent[0]!.to).toBe('new@example.com');
  });

  it('signing up again sends at most one email per ten minutes, and the answer never reveals the address exists', async () => {
    const first = await (await w.post('/subscribe', { email: 'a@example.com' })).text();
    const again = await (await w.post('/subscribe', { email: 'a@example.com' })).text();
    const stranger = await (await w.post('/subscribe', { email: 'b@example.com' })).text();
    const strip = (h: string) => h.replace(/nonce(="[^"]*"|-[^']*)/g, '');
    expect(strip(again)).toBe(strip(first));
    expect(strip(stranger)).toBe(strip(first));
    expect(w.mailer.sent.filter((m) => m.to === 'a@example.com')).toHaveLength(1);
    w.clock.advance(10 * MIN + 1);
    await w.post('/subscribe', { email: 'a@example.com' });
    expect(w.mailer.sent.filter((m) => m.to === 'a@example.com')).toHaveLength(2);
  });

  it('an already active subscriber who signs up again gets a sign-in link, not a second subscription', async () => {
    await activeSubscriber(w.deps, 'on@example.com');
    await w.post('/subscribe', { email: 'on@example.com' });
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.mailer.sent[0]!.subject).toMatch(/sign-in/i);
  });

  it('rejects an invalid address with a clear message and sends nothing', async () => {
    const res = await w.post('/subscribe', { email: 'not-an-address' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Enter a valid email address');
    expect(w.mailer.sent).toHaveLength(0);
  });

  it('answers 429 with Retry-After past the per-address limit (known or not)', async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (await w.post('/subscribe', { email: 'x@example.com' }, { 'cf-connecting-ip': `10.0.0.${i}` }))
          .status,
      ).toBe(200);
    const res = await w.post('/subscribe', { email: 'x@example.com' }, { 'cf-connecting-ip': '10.0.0.99' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).toContain('Too many requests');
    w.clock.advance(61 * MIN);
    expect((await w.post('/subscribe', { email: 'x@example.com' })).status).toBe(200);
  });

  it('answers 429 past the per-IP limit, across addresses', async () => {
    const ip = { 'cf-connecting-ip': '203.0.113.7' };
    for (let i = 0; i < 30; i++)
      expect((await w.post('/subscribe', { email: `p${i}@example.com` }, ip)).status).toBe(200);
    const res = await w.post('/signin', { email: 'p0@example.com' }, ip);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(
      (await w.post('/subscribe', { email: 'q@example.com' }, { 'cf-connecting-ip': '203.0.113.8' })).status,
    ).toBe(200);
  });

  it('refuses a cross-site form POST with 403 and does nothing', async () => {
    const res = await w.post('/subscribe', { email: 'c@example.com' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await getSubscriberByEmail(w.deps.db, 'c@example.com')).toBeUndefined();
    expect(w.mailer.sent).toHaveLength(0);
  });

  it('the confirmation link shows a button (GET changes nothing); the POST confirms and signs in', async () => {
    await w.post('/subscribe', { email: 'c@example.com' });
    const link = w.lastLink('c@example.com');
    const page = await w.get(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await getSubscriberByEmail(w.deps.db, 'c@example.com'))?.status).toBe('pending');
    const res = await w.post(link);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/preferences?welcome=1');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Secure/);
    expect((await getSubscriberByEmail(w.deps.db, 'c@example.com'))?.status).toBe('active');
    const prefs = await w.get('/preferences', { cookie: cookieOf(res) });
    expect(prefs.status).toBe(200);
    expect(await prefs.text()).toContain('Signed in as c@example.com');
    // Among other sites' cookies on the same host, with spaces around the pairs.
    const among = await w.get('/preferences', { cookie: `theme=dark;  ${cookieOf(res)} ; lang="en"` });
    expect(await among.text()).toContain('Signed in as c@example.com');
  });

  it('a confirmation link works once, expires, and is useless for signing in', async () => {
    await w.post('/subscribe', { email: 'd@example.com' });
    const link = w.lastLink('d@example.com');
    const token = link.split('/').at(-1)!;
    expect((await w.post(`/signin/${token}`)).status).toBe(404);
    expect((await w.post(link)).status).toBe(303);
    expect((await w.post(link)).status).toBe(404);
    w.clock.advance(11 * MIN);
    await w.post('/subscribe', { email: 'e@example.com' });
    const late = w.lastLink('e@example.com');
    w.clock.advance(8 * 24 * 60 * MIN);
    const res = await w.post(late);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('does not work any more');
  });

  it('never stores a link token, only its hash; tokens carry 128 random bits', async () => {
    await w.post('/subscribe', { email: 'f@example.com' });
    const token = w.lastLink('f@example.com').split('/').at(-1)!;
    expect(Buffer.from(token, 'base64url')).toHaveLength(16);
    const rows = await w.deps.db.select().from(tokens).all();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('passwordless sign-in', () => {
  it('an unknown address gets the same answer as a known one, and no email', async () => {
    await activeSubscriber(w.deps, 'known@example.com');
    const known = await (await w.post('/signin', { email: 'known@example.com' })).text();
    const unknown = await (await w.post('/signin', { email: 'nobody@example.com' })).text();
    const strip = (h: string) => h.replace(/nonce(="[^"]*"|-[^']*)/g, '');
    expect(strip(unknown)).toBe(strip(known));
    expect(w.mailer.sent.map((m) => m.to)).toEqual(['known@example.com']);
  });

  it('a pending address gets its confirmation again, never a sign-in link', async () => {
    await w.post('/subscribe', { email: 'p@example.com' });
    w.clock.advance(11 * MIN);
    await w.post('/signin', { email: 'p@example.com' });
    expect(w.mailer.sent.map((m) => m.subject.toLowerCase())).toEqual([
      expect.stringContaining('confirm'),
      expect.stringContaining('confirm'),
    ]);
  });

  it('the link opens a button page (GET does not spend it), signs in once, and expires after 30 minutes', async () => {
    const s = await activeSubscriber(w.deps, 'in@example.com');
    await w.post('/signin', { email: 'in@example.com' });
    const link = w.lastLink('in@example.com');
    expect((await w.get(link)).status).toBe(200);
    expect((await w.get(link)).status).toBe(200);
    const res = await w.post(link);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/preferences');
    expect((await w.post(link)).status).toBe(404);
    w.clock.advance(11 * MIN);
    await w.post('/signin', { email: 'in@example.com' });
    const second = w.lastLink('in@example.com');
    w.clock.advance(31 * MIN);
    expect((await w.post(second)).status).toBe(404);
    expect(s.id).toBeGreaterThan(0);
  });

  it('without a session the preferences page sends you to sign in; a forged cookie is no session', async () => {
    const res = await w.get('/preferences');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/signin');
    const forged = await w.get('/preferences', {
      cookie: 'sift_session=1.1.9999999999999.AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(forged.status).toBe(303);
    const form = await w.post('/preferences', { maxItems: '5' }, { cookie: 'sift_session=garbage' });
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('/signin');
  });

  it('the manage link opens the page; an unsubscribe or feed token does not; a version bump revokes links and sessions', async () => {
    const s = await activeSubscriber(w.deps, 'm@example.com');
    const manage = await signLink(w.deps.secret, 'manage', s.id, s.tokenVersion);
    const unsub = await signLink(w.deps.secret, 'unsubscribe', s.id, s.tokenVersion);
    const feed = await signLink(w.deps.secret, 'feed', s.id, s.feedVersion);
    const page = await w.get(`/p/${manage}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your preferences');
    expect((await w.get(`/p/${unsub}`)).status).toBe(404);
    expect((await w.get(`/p/${feed}`)).status).toBe(404);
    expect((await w.get(`/p/${s.id}.1.AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    const oldCookie = cookieOf(page);
    const other = await w.get(`/p/${manage}`);
    const revoke = await w.post('/preferences/revoke', {}, { cookie: cookieOf(other) });
    expect(revoke.status).toBe(303);
    expect((await getSubscriber(w.deps.db, s.id))?.tokenVersion).toBe(2);
    expect((await w.get(`/p/${manage}`)).status).toBe(404);
    expect((await w.get(`/u/${unsub}`)).status).toBe(404);
    expect((await w.get('/preferences', { cookie: oldCookie })).status).toBe(303);
    expect((await w.get('/preferences', { cookie: cookieOf(revoke) })).status).toBe(200);
  });

  it('signing out ends the session cookie', async () => {
    const s = await activeSubscriber(w.deps, 'out@example.com');
    const page = await w.get(`/p/${await signLink(w.deps.secret, 'manage', s.id, 1)}`);
    const res = await w.post('/signout', {}, { cookie: cookieOf(page) });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/sift_session=;.*Max-Age=0/);
  });

  it('same-site requests without an Origin header but with Sec-Fetch-Site: same-origin pass csrf()', async () => {
    const res = await w.app.request('/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: 'email=z@example.com',
    });
    expect(res.status).toBe(200);
    expect(ORIGIN).toBe('https://sift.test');
  });
});

describe('the database holds no plain tokens', () => {
  it('sign-in tokens are stored hashed too', async () => {
    const s = await activeSubscriber(w.deps, 'h@example.com');
    await w.post('/signin', { email: 'h@example.com' });
    const token = w.lastLink('h@example.com').split('/').at(-1)!;
    const rows = await w.deps.db.select().from(tokens).where(eq(tokens.subscriberId, s.id)).all();
    expect(rows.map((r) => r.purpose)).toEqual(['signin']);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('logs', () => {
  it('an unexpected error is logged without the link token in its path', async () => {
    const { createApp, redactTokens } = await import('../../src/app.tsx');
    expect(redactTokens('/confirm/AbCdEfGhIjKlMnOpQrStUv')).toBe('/confirm/[token]');
    expect(redactTokens('/feeds/12.1.AbCdEfGhIjKlMnOpQrStUv.atom')).toBe('/feeds/[token]');
    const lines: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn() {},
      error: (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f)}`),
    };
    const db = new Proxy(w.deps.db, {
      get: (target, key) =>
        key === 'update'
          ? () => {
              throw new Error('boom');
            }
          : Reflect.get(target, key),
    });
    const broken = createApp({ ...w.deps, log, db });
    const res = await broken.request('/confirm/AbCdEfGhIjKlMnOpQrStUv', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(500);
    expect(lines.join('\n')).toContain('/confirm/[token]');
    expect(lines.join('\n')).not.toContain('AbCdEfGhIjKlMnOpQrStUv');
  });
});

describe('request limits', () => {
  it('refuses a form body over 64 KiB with 413 and a clear message', async () => {
    const res = await w.post('/subscribe', { email: 'big@example.com', interests: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('64 KiB');
    expect(w.mailer.sent).toHaveLength(0);
  });
});
