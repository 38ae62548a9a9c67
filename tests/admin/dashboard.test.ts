import { describe, expect, it } from 'vitest';
import { getSource } from '../../src/store/sources.ts';
import { adminSetup, seed, TOKEN } from './helpers.ts';

/** Cookie header value from a response's Set-Cookie lines (name=value pairs only). */
function cookiesOf(res: Response, jar = new Map<string, string>()) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [name, ...value] = pair!.split('=');
    if (/Max-Age=0/i.test(line)) jar.delete(name!.trim());
    else jar.set(name!.trim(), value.join('='));
  }
  return jar;
}
const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function signIn(s: Awaited<ReturnType<typeof adminSetup>>) {
  const form = await s.app.request('/admin/login');
  const jar = cookiesOf(form);
  const nonce = /name="_login" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await s.app.request('/admin/login', {
    method: 'POST',
    headers: {
      cookie: header(jar),
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'http://localhost',
    },
    body: new URLSearchParams({ _login: nonce, token: TOKEN }),
  });
  return { res, jar: cookiesOf(res, jar) };
}

/** Follows an action's redirect back to the dashboard and returns the notice or error shown. */
async function outcome(s: Awaited<ReturnType<typeof adminSetup>>, res: Response, jar: Map<string, string>) {
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/admin');
  const headers = { cookie: header(cookiesOf(res, new Map(jar))) };
  const page = await (await s.app.request('/admin', { headers })).text();
  return /<p class="(?:notice|error)" role="(?:status|alert)">([^<]*)<\/p>/.exec(page)?.[1] ?? null;
}

function post(
  s: Awaited<ReturnType<typeof adminSetup>>,
  path: string,
  jar: Map<string, string>,
  form: Record<string, string>,
) {
  return s.app.request(path, {
    method: 'POST',
    headers: {
      cookie: header(jar),
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'http://localhost',
    },
    body: new URLSearchParams(form),
  });
}

describe('dashboard sign-in', () => {
  it('sends visitors without a session to the sign-in form', async () => {
    const s = await adminSetup();
    const res = await s.app.request('/admin');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login');
    const form = await s.app.request('/admin/login');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="token"');
  });

  it('signs in with the admin token: an HttpOnly, SameSite=Strict session cookie scoped to /admin', async () => {
    const s = await adminSetup();
    const { res, jar } = await signIn(s);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sift_admin='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/Secure/); // SIFT_BASE_URL is https in tests
    expect(cookie).not.toContain(TOKEN);
    const page = await s.app.request('/admin', { headers: { cookie: header(jar) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Dashboard</h1>');
  });

  it('refuses a wrong token (401) and a form not served by us (403)', async () => {
    const s = await adminSetup();
    const form = await s.app.request('/admin/login');
    const jar = cookiesOf(form);
    const nonce = /name="_login" value="([^"]+)"/.exec(await form.text())![1]!;
    const wrong = await post(s, '/admin/login', jar, { _login: nonce, token: 'guess' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That is not the admin token.');
    expect(wrong.headers.getSetCookie().some((c) => c.startsWith('sift_admin='))).toBe(false);
    const forged = await post(s, '/admin/login', new Map(), { _login: 'x', token: TOKEN });
    expect(forged.status).toBe(403);
  });

  it('rejects a tampered or expired session', async () => {
    const s = await adminSetup();
    const { jar } = await signIn(s);
    const tampered = new Map(jar);
    tampered.set(
      'sift_admin',
      jar.get('sift_admin')!.replace(/^\d+/, (n) => String(Number(n) + 1)),
    );
    expect((await s.app.request('/admin', { headers: { cookie: header(tampered) } })).status).toBe(303);
    s.clock.advance(13 * 3_600_000);
    expect((await s.app.request('/admin', { headers: { cookie: header(jar) } })).status).toBe(303);
  });

  it('accepts the bearer token instead of a session (scripts, curl)', async () => {
    const s = await adminSetup();
    const res = await s.app.request('/admin', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect((await s.app.request('/admin', { headers: { authorization: 'Bearer nope' } })).status).toBe(303);
  });

  it('says how to turn it on while SIFT_ADMIN_TOKEN is unset', async () => {
    const s = await adminSetup({ SIFT_ADMIN_TOKEN: '' });
    for (const path of ['/admin', '/admin/login']) {
      const res = await s.app.request(path);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('SIFT_ADMIN_TOKEN');
    }
  });
});

describe('dashboard page', () => {
  it('shows source health, charts, failures and the suppression list, server-rendered', async () => {
    const s = await adminSetup();
    await seed(s.deps);
    await s.call('POST', '/api/admin/suppressions', { email: 'bounced@example.org', reason: 'hard bounce' });
    const html = await (
      await s.app.request('/admin', { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(html).not.toContain('<script');
    expect(html).toContain('data-chart="sends"');
    expect(html).toContain('data-chart="feedback"');
    expect(html).toMatch(/<title>2026-11-24: 1 failed<\/title>/);
    expect(html).toMatch(/<title>2026-11-23: 1 sent<\/title>/);
    expect(html).toContain('Hockey Wire');
    expect(html).toContain('HTTP 404');
    expect(html).toContain('1 h ago');
    expect(html).toContain('550 mailbox unavailable');
    expect(html).toContain('bounced@example.org');
    expect(html).toContain('hard bounce');
    expect(html).toContain('<h2 id="runs">Edition runs</h2>');
    expect(html).toMatch(/<span class="badge state-ok">complete<\/span>/);
  });
});

describe('dashboard actions', () => {
  it('pause, resume, resend and suppression forms work with the session’s CSRF token', async () => {
    const s = await adminSetup();
    const seeded = await seed(s.deps);
    const { jar } = await signIn(s);
    const page = await (await s.app.request('/admin', { headers: { cookie: header(jar) } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;

    const pause = await post(s, `/admin/sources/${seeded.source.id}/pause`, jar, { _csrf: csrf });
    expect(await outcome(s, pause, jar)).toBe('Paused Hockey Wire.');
    expect((await getSource(s.deps.db, seeded.source.id))!.paused).toBe(true);
    await post(s, `/admin/sources/${seeded.source.id}/resume`, jar, { _csrf: csrf });
    expect((await getSource(s.deps.db, seeded.source.id))!.paused).toBe(false);

    const resend = await post(s, `/admin/editions/${seeded.editions[1]!.id}/resend`, jar, { _csrf: csrf });
    expect(await outcome(s, resend, jar)).toContain('Queued again');

    await post(s, '/admin/suppressions', jar, { _csrf: csrf, email: 'x@example.org', reason: 'complaint' });
    const list = await (await s.call('GET', '/api/admin/suppressions')).json();
    expect(list.rows[0]).toMatchObject({ email: 'x@example.org', reason: 'complaint' });
    const bad = await post(s, '/admin/suppressions', jar, { _csrf: csrf, email: 'nope' });
    expect(await outcome(s, bad, jar)).toBe('email: expected an email address');
    await post(s, '/admin/suppressions/remove', jar, { _csrf: csrf, email: 'x@example.org' });
    expect((await (await s.call('GET', '/api/admin/suppressions')).json()).rows).toHaveLength(0);

    const missing = await post(s, '/admin/sources/9999/pause', jar, { _csrf: csrf });
    expect(await outcome(s, missing, jar)).toBe('no source with id 9999');
  });

  it('shows nothing for notice text put in the URL (no reflected content)', async () => {
    const s = await adminSetup();
    const page = await (
      await s.app.request('/admin?notice=Your+token+expired&error=Go+to+evil.example', {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).text();
    expect(page).not.toContain('token expired');
    expect(page).not.toContain('evil.example');
  });

  it('refuses a form without the CSRF token (403) and changes nothing', async () => {
    const s = await adminSetup();
    const seeded = await seed(s.deps);
    const { jar } = await signIn(s);
    const res = await post(s, `/admin/sources/${seeded.source.id}/pause`, jar, {});
    expect(res.status).toBe(403);
    const other = await post(s, `/admin/sources/${seeded.source.id}/pause`, jar, {
      _csrf: 'AAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(other.status).toBe(403);
    expect((await getSource(s.deps.db, seeded.source.id))!.paused).toBe(false);
  });

  it('refuses actions without a session and signs out', async () => {
    const s = await adminSetup();
    const seeded = await seed(s.deps);
    const anonymous = await post(s, `/admin/sources/${seeded.source.id}/pause`, new Map(), {});
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/admin/login');
    const { jar } = await signIn(s);
    const page = await (await s.app.request('/admin', { headers: { cookie: header(jar) } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const out = await post(s, '/admin/logout', jar, { _csrf: csrf });
    expect(out.headers.get('location')).toBe('/admin/login');
    expect(cookiesOf(out, new Map(jar)).has('sift_admin')).toBe(false);
  });
});
