import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.ts';
import { adminSetup, feedServer, type JsonResponse, seed, TOKEN } from './helpers.ts';

type Setup = Awaited<ReturnType<typeof adminSetup>>;

/** Every endpoint, with a valid-looking request, for the auth checks. */
const ENDPOINTS: [string, string, unknown?][] = [
  ['GET', '/api/admin/sources'],
  ['POST', '/api/admin/sources', { url: 'https://example.org/feed' }],
  ['GET', '/api/admin/sources/1'],
  ['POST', '/api/admin/sources/1/pause', {}],
  ['POST', '/api/admin/sources/1/resume'],
  ['DELETE', '/api/admin/sources/1'],
  ['GET', '/api/admin/sources/opml'],
  ['POST', '/api/admin/sources/opml'],
  ['GET', '/api/admin/topics'],
  ['POST', '/api/admin/topics', { name: 'x', terms: ['y'] }],
  ['GET', '/api/admin/topics/1'],
  ['PATCH', '/api/admin/topics/1', { name: 'z' }],
  ['DELETE', '/api/admin/topics/1'],
  ['GET', '/api/admin/subscribers'],
  ['GET', '/api/admin/subscribers/1'],
  ['PATCH', '/api/admin/subscribers/1', { status: 'active' }],
  ['POST', '/api/admin/subscribers/1/suppress', {}],
  ['DELETE', '/api/admin/subscribers/1'],
  ['GET', '/api/admin/subscribers/1/preview'],
  ['GET', '/api/admin/suppressions'],
  ['POST', '/api/admin/suppressions', { email: 'a@example.org' }],
  ['DELETE', '/api/admin/suppressions/a@example.org'],
  ['GET', '/api/admin/editions'],
  ['POST', '/api/admin/editions/1/resend'],
  ['GET', '/api/admin/stats'],
];

describe('admin API authentication', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await adminSetup();
  });

  it.each(ENDPOINTS)(
    '%s %s answers 401 without a token, with a wrong one, and never changes anything',
    async (method, path, body) => {
      for (const token of [null, 'wrong-token', `${TOKEN}x`]) {
        const res = await s.call(method, path, body, token);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect((await res.json()).error.code).toBe('unauthorized');
      }
    },
  );

  it('is off (401 with the reason) while SIFT_ADMIN_TOKEN is unset', async () => {
    const off = await adminSetup({ SIFT_ADMIN_TOKEN: '' });
    const res = await off.call('GET', '/api/admin/stats');
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/SIFT_ADMIN_TOKEN/);
  });

  it('accepts the scheme name in any case', async () => {
    const res = await s.app.request('/api/admin/stats', { headers: { authorization: `bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it('answers unknown admin paths with a JSON 404 after auth', async () => {
    expect((await s.call('GET', '/api/admin/nope', undefined, null)).status).toBe(401);
    const res = await s.call('GET', '/api/admin/nope');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});

describe('ids in paths', () => {
  /** Every endpoint with an {id}: a body that would be valid, so only the id decides. */
  const WITH_ID: [string, string, unknown?][] = [
    ['GET', '/api/admin/sources/ID'],
    ['POST', '/api/admin/sources/ID/pause', {}],
    ['POST', '/api/admin/sources/ID/resume'],
    ['DELETE', '/api/admin/sources/ID'],
    ['GET', '/api/admin/topics/ID'],
    ['PATCH', '/api/admin/topics/ID', { name: 'x' }],
    ['DELETE', '/api/admin/topics/ID'],
    ['GET', '/api/admin/subscribers/ID'],
    ['PATCH', '/api/admin/subscribers/ID', { status: 'active' }],
    ['POST', '/api/admin/subscribers/ID/suppress', {}],
    ['DELETE', '/api/admin/subscribers/ID'],
    ['GET', '/api/admin/subscribers/ID/preview'],
    ['POST', '/api/admin/editions/ID/resend'],
  ];
  let s: Setup;
  beforeAll(async () => {
    s = await adminSetup();
  });

  it.each(WITH_ID)(
    '%s %s: 400 naming "id" for a malformed id, 404 for an unknown one',
    async (method, path, body) => {
      for (const bad of ['abc', '0', '-3', '1.5']) {
        const res = await s.call(method, path.replace('ID', bad), body);
        expect(res.status, bad).toBe(400);
        const error = (await res.json()).error;
        expect(error.fields.map((f: { field: string }) => f.field)).toEqual(['id']);
        expect(error.message).toMatch(/^id: /);
      }
      const missing = await s.call(method, path.replace('ID', '424242'), body);
      expect(missing.status).toBe(404);
      expect((await missing.json()).error).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('424242'),
      });
    },
  );
});

describe('OpenAPI document', () => {
  it('is served at /api/admin/openapi.json and describes every endpoint with bearer security', async () => {
    const { app } = await adminSetup();
    const res = (await app.request('/api/admin/openapi.json')) as JsonResponse;
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [method, path] of ENDPOINTS) {
      const template = path
        .replace('/api/admin', '')
        .replace(/\/1(?=\/|$)/, '/{id}')
        .replace('a@example.org', '{email}');
      expect(doc.paths[template]?.[method.toLowerCase()], `${method} ${template}`).toBeDefined();
    }
    expect(doc.paths['/sources'].post.requestBody.content['application/json'].schema).toBeDefined();
  });
});

describe('sources', () => {
  let s: Setup;
  let server: Awaited<ReturnType<typeof feedServer>>;
  beforeAll(async () => {
    s = await adminSetup();
    server = await feedServer();
  });
  afterAll(() => server.close());

  it('adds a source after fetching it, then lists, pauses, resumes and deletes it', async () => {
    const add = await s.call('POST', '/api/admin/sources', {
      url: `${server.url}/feed.xml`,
      title: 'Local hockey',
    });
    expect(add.status).toBe(201);
    const added = await add.json();
    expect(added.feed.itemCount).toBeGreaterThan(0);
    expect(added.source).toMatchObject({ title: 'Local hockey', state: 'ok', paused: false });
    expect(added.source.items).toBe(added.feed.itemCount);
    const id = added.source.id;

    const list = await (await s.call('GET', '/api/admin/sources')).json();
    expect(list.rows.map((r: { id: number }) => r.id)).toContain(id);

    const paused = await s.call('POST', `/api/admin/sources/${id}/pause`, { reason: 'too noisy' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({
      state: 'paused',
      paused: true,
      pausedReason: 'too noisy',
      nextCheckAt: null,
    });

    const pausedNoBody = await s.call('POST', `/api/admin/sources/${id}/pause`);
    expect(pausedNoBody.status).toBe(200);

    const resumed = await (await s.call('POST', `/api/admin/sources/${id}/resume`)).json();
    expect(resumed).toMatchObject({ paused: false, nextCheckAt: s.clock() });

    expect((await s.call('GET', `/api/admin/sources/${id}`)).status).toBe(200);
    expect((await s.call('DELETE', `/api/admin/sources/${id}`)).status).toBe(204);
    expect((await s.call('GET', `/api/admin/sources/${id}`)).status).toBe(404);
    expect((await s.call('DELETE', `/api/admin/sources/${id}`)).status).toBe(404);
  });

  it('refuses a second add of the same feed with 409', async () => {
    const url = `${server.url}/feed.xml?again`;
    expect((await s.call('POST', '/api/admin/sources', { url })).status).toBe(201);
    const res = await s.call('POST', '/api/admin/sources', { url });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/already/);
  });

  it('imports OPML (reporting refused feeds) and exports it again', async () => {
    const { call, app } = await adminSetup();
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
      <outline text="News"><outline text="Hockey" type="rss" xmlUrl="https://hockey.example.org/feed.xml"/></outline>
      <outline text="Metadata" type="rss" xmlUrl="http://169.254.169.254/latest/meta-data"/>
    </body></opml>`;
    const post = async (body: string): Promise<JsonResponse> =>
      app.request('/api/admin/sources/opml', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/x-opml' },
        body,
      });
    const res = await post(opml);
    expect(res.status).toBe(200);
    const summary = await res.json();
    expect(summary).toMatchObject({ added: 1, existing: 0, refused: 1 });
    expect(summary.lines.find((l: { status: string }) => l.status === 'refused').error).toMatch(
      /refused|link-local/,
    );
    expect((await (await post(opml)).json()).existing).toBe(1);
    const exported = await call('GET', '/api/admin/sources/opml');
    expect(exported.headers.get('content-type')).toMatch(/text\/x-opml/);
    const text = await exported.text();
    expect(text).toContain('xmlUrl="https://hockey.example.org/feed.xml"');
    const notOpml = await post('<rss></rss>');
    expect(notOpml.status).toBe(400);
    expect((await notOpml.json()).error.message).toMatch(/OPML/);
    const empty = await post('');
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.message).toMatch(/^body: /);
  });

  it('400s name the field for a malformed URL or a missing body field', async () => {
    const bad = await s.call('POST', '/api/admin/sources', { url: 'not a url' });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.fields[0].field).toBe('url');
    expect(body.error.message).toMatch(/^url: /);
    const missing = await (await s.call('POST', '/api/admin/sources', {})).json();
    expect(missing.error.fields.map((f: { field: string }) => f.field)).toEqual(['url']);
    const ftp = await (await s.call('POST', '/api/admin/sources', { url: 'ftp://example.org/feed' })).json();
    expect(ftp.error.fields[0].field).toBe('url');
    // Read as addSource reads it: "mailto:" is a scheme (not a host to put https:// before).
    const mailto = await (await s.call('POST', '/api/admin/sources', { url: 'mailto:x@example.org' })).json();
    expect(mailto.error.fields[0]).toMatchObject({ field: 'url', message: 'expected an http(s) URL' });
  });

  it('400s with the reason when the URL is refused, missing or not a feed', async () => {
    const refused = await s.call('POST', '/api/admin/sources', { url: 'http://169.254.169.254/latest' });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(/refused/);
    const missing = await s.call('POST', '/api/admin/sources', { url: `${server.url}/gone.xml` });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toMatch(/404/);
    const html = await s.call('POST', '/api/admin/sources', { url: `${server.url}/page.html` });
    expect(html.status).toBe(400);
  });

  it('400s for an id that is not a number, 404 for an unknown one', async () => {
    const res = await s.call('GET', '/api/admin/sources/abc');
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields[0].field).toBe('id');
    expect((await s.call('POST', '/api/admin/sources/9999/pause', {})).status).toBe(404);
    expect((await s.call('POST', '/api/admin/sources/9999/resume')).status).toBe(404);
    const tooLong = await s.call('POST', '/api/admin/sources/1/pause', { reason: 'x'.repeat(300) });
    expect(tooLong.status).toBe(400);
  });

  it('lists health in words: failing sources first, with the last error', async () => {
    const { deps, call } = await adminSetup();
    const seeded = await seed(deps);
    const { rows } = await (await call('GET', '/api/admin/sources')).json();
    expect(rows[0]).toMatchObject({ id: seeded.broken.id, state: 'failing', lastError: 'HTTP 404' });
    expect(rows[0].summary).toBe('failing 3 times in a row: HTTP 404');
    expect(rows[1]).toMatchObject({ id: seeded.source.id, state: 'ok', items: 2 });
  });
});

describe('topics', () => {
  it('creates, reads, renames, replaces terms and deletes a topic', async () => {
    const { call } = await adminSetup();
    const created = await call('POST', '/api/admin/topics', {
      name: 'Climate',
      terms: [' climate ', 'carbon', 'Carbon'],
    });
    expect(created.status).toBe(201);
    const topic = await created.json();
    expect(topic).toMatchObject({ name: 'Climate', terms: ['climate', 'carbon'] });
    expect((await (await call('GET', '/api/admin/topics')).json()).rows).toHaveLength(1);
    expect(await (await call('GET', `/api/admin/topics/${topic.id}`)).json()).toMatchObject({
      name: 'Climate',
    });
    const renamed = await call('PATCH', `/api/admin/topics/${topic.id}`, { name: 'Climate policy' });
    expect(await renamed.json()).toMatchObject({ name: 'Climate policy', terms: ['climate', 'carbon'] });
    const reterm = await call('PATCH', `/api/admin/topics/${topic.id}`, { terms: ['emissions'] });
    expect((await reterm.json()).terms).toEqual(['emissions']);
    expect((await call('DELETE', `/api/admin/topics/${topic.id}`)).status).toBe(204);
    expect((await call('GET', `/api/admin/topics/${topic.id}`)).status).toBe(404);
    expect((await call('PATCH', `/api/admin/topics/${topic.id}`, { name: 'x' })).status).toBe(404);
    expect((await call('DELETE', `/api/admin/topics/${topic.id}`)).status).toBe(404);
  });

  it('409s a duplicate name (case-insensitively) and 400s naming the bad field', async () => {
    const { call } = await adminSetup();
    await call('POST', '/api/admin/topics', { name: 'Science', terms: ['science'] });
    expect((await call('POST', '/api/admin/topics', { name: 'science', terms: ['x'] })).status).toBe(409);
    const noTerms = await (await call('POST', '/api/admin/topics', { name: 'Space', terms: [] })).json();
    expect(noTerms.error.fields[0].field).toBe('terms');
    const emptyTerm = await (
      await call('POST', '/api/admin/topics', { name: 'Space', terms: ['ok', ' '] })
    ).json();
    expect(emptyTerm.error.fields[0].field).toBe('terms.1');
    const emptyPatch = await call('PATCH', '/api/admin/topics/1', {});
    expect(emptyPatch.status).toBe(400);
    expect((await emptyPatch.json()).error.fields[0].field).toBe('name');
    const notJson = await call('POST', '/api/admin/topics', { name: 42, terms: 'x' });
    const fields = (await notJson.json()).error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(['name', 'terms']);
  });
});

describe('subscribers and suppressions', () => {
  let s: Setup;
  let seeded: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    s = await adminSetup();
    seeded = await seed(s.deps);
  });

  it('lists newest first, searches by address part and filters by status', async () => {
    const all = await (await s.call('GET', '/api/admin/subscribers')).json();
    expect(all).toMatchObject({ total: 2, limit: 50, offset: 0 });
    const found = await (await s.call('GET', '/api/admin/subscribers?q=ADA')).json();
    expect(found.rows.map((r: { email: string }) => r.email)).toEqual(['ada@example.org']);
    const pending = await (await s.call('GET', '/api/admin/subscribers?status=pending')).json();
    expect(pending.rows.map((r: { email: string }) => r.email)).toEqual(['bob@example.org']);
    const wildcard = await (await s.call('GET', '/api/admin/subscribers?q=%25')).json();
    expect(wildcard.total).toBe(0);
    const paged = await (await s.call('GET', '/api/admin/subscribers?limit=1&offset=1')).json();
    expect(paged.rows).toHaveLength(1);
  });

  it('400s name the query field', async () => {
    const res = await s.call('GET', '/api/admin/subscribers?status=gone&limit=0');
    expect(res.status).toBe(400);
    const fields = (await res.json()).error.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['limit', 'status']);
  });

  it('shows one subscriber with preferences, and 404s an unknown one', async () => {
    const res = await (await s.call('GET', `/api/admin/subscribers/${seeded.ada.id}`)).json();
    expect(res).toMatchObject({ email: 'ada@example.org', status: 'active', suppressed: false });
    expect(res.preferences.interests).toEqual([{ term: 'hockey', weight: 1 }]);
    expect((await s.call('GET', '/api/admin/subscribers/9999')).status).toBe(404);
  });

  it('sets the status, stamping when, and 400s an unknown status', async () => {
    const res = await s.call('PATCH', `/api/admin/subscribers/${seeded.bob.id}`, { status: 'active' });
    expect(await res.json()).toMatchObject({ status: 'active', confirmedAt: s.clock() });
    const bad = await s.call('PATCH', `/api/admin/subscribers/${seeded.bob.id}`, { status: 'gone' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0].field).toBe('status');
    expect((await s.call('PATCH', '/api/admin/subscribers/9999', { status: 'active' })).status).toBe(404);
  });

  it('suppresses a subscriber and lists, adds and removes suppression entries', async () => {
    const res = await s.call('POST', `/api/admin/subscribers/${seeded.bob.id}/suppress`, {
      reason: 'hard bounce',
    });
    expect(await res.json()).toMatchObject({ suppressed: true });
    expect((await s.call('POST', '/api/admin/subscribers/9999/suppress', {})).status).toBe(404);
    const added = await s.call('POST', '/api/admin/suppressions', { email: 'Spam@Example.org ' });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({
      email: 'spam@example.org',
      reason: 'suppressed by the operator',
    });
    const list = (await (await s.call('GET', '/api/admin/suppressions')).json()).rows;
    expect(list.map((r: { email: string }) => r.email).sort()).toEqual([
      'bob@example.org',
      'spam@example.org',
    ]);
    expect(list.find((r: { email: string }) => r.email === 'bob@example.org').reason).toBe('hard bounce');
    expect((await s.call('DELETE', '/api/admin/suppressions/spam@example.org')).status).toBe(204);
    expect((await s.call('DELETE', '/api/admin/suppressions/spam@example.org')).status).toBe(404);
    const bad = await s.call('POST', '/api/admin/suppressions', { email: 'nope' });
    expect((await bad.json()).error.fields[0].field).toBe('email');
    expect((await s.call('DELETE', '/api/admin/suppressions/nope')).status).toBe(400);
  });

  it('deletes a subscriber with their editions; the suppression entry stays', async () => {
    expect((await s.call('DELETE', `/api/admin/subscribers/${seeded.bob.id}`)).status).toBe(204);
    expect((await s.call('GET', `/api/admin/subscribers/${seeded.bob.id}`)).status).toBe(404);
    expect((await s.call('DELETE', `/api/admin/subscribers/${seeded.bob.id}`)).status).toBe(404);
    const list = (await (await s.call('GET', '/api/admin/suppressions')).json()).rows;
    expect(list.map((r: { email: string }) => r.email)).toContain('bob@example.org');
  });
});

describe('editions', () => {
  let s: Setup;
  let seeded: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    s = await adminSetup();
    seeded = await seed(s.deps);
  });

  it('lists editions newest first with their delivery state', async () => {
    const res = await (await s.call('GET', `/api/admin/editions?subscriberId=${seeded.ada.id}`)).json();
    expect(res.total).toBe(2);
    expect(res.rows[0]).toMatchObject({
      editionKey: '2026-11-24',
      pickCount: 1,
      email: 'ada@example.org',
      delivery: { status: 'failed', attempts: 8, lastError: '550 mailbox unavailable' },
    });
    expect(res.rows[1].delivery.status).toBe('sent');
    const bad = await s.call('GET', '/api/admin/editions?subscriberId=x');
    expect((await bad.json()).error.fields[0].field).toBe('subscriberId');
  });

  it('previews the latest edition as JSON, HTML or text, a given one, or the next one', async () => {
    const latest = await (await s.call('GET', `/api/admin/subscribers/${seeded.ada.id}/preview`)).json();
    expect(latest).toMatchObject({ kind: 'stored', editionId: seeded.editions[1]!.id, picks: 1 });
    expect(latest.html).toContain('Hockey final goes to overtime');
    const html = await s.call('GET', `/api/admin/subscribers/${seeded.ada.id}/preview?format=html`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const text = await s.call('GET', `/api/admin/subscribers/${seeded.ada.id}/preview?format=text`);
    expect(await text.text()).toContain('Hockey final goes to overtime');
    const given = await s.call(
      'GET',
      `/api/admin/subscribers/${seeded.ada.id}/preview?editionId=${seeded.editions[0]!.id}`,
    );
    expect((await given.json()).picks).toBe(2);
    const next = await (
      await s.call('GET', `/api/admin/subscribers/${seeded.ada.id}/preview?next=true`)
    ).json();
    expect(next).toMatchObject({ kind: 'next', editionId: null });
    const count = (await s.deps.db.select().from(outbox).all()).length;
    expect(count).toBe(2);
  });

  it('404s a preview of an unknown subscriber or someone else’s edition; 400s a bad format', async () => {
    expect((await s.call('GET', '/api/admin/subscribers/9999/preview')).status).toBe(404);
    const other = await s.call(
      'GET',
      `/api/admin/subscribers/${seeded.bob.id}/preview?editionId=${seeded.editions[0]!.id}`,
    );
    expect(other.status).toBe(404);
    const bad = await s.call('GET', `/api/admin/subscribers/${seeded.ada.id}/preview?format=pdf`);
    expect((await bad.json()).error.fields[0].field).toBe('format');
  });

  it('resends: the failed row goes back to pending with a fresh attempt count', async () => {
    const res = await s.call('POST', `/api/admin/editions/${seeded.editions[1]!.id}/resend`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'pending', nextAttemptAt: s.clock() });
    const rows = await s.deps.db.select().from(outbox).all();
    expect(rows.find((r) => r.editionId === seeded.editions[1]!.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: null,
    });
    expect((await s.call('POST', '/api/admin/editions/9999/resend')).status).toBe(404);
    expect((await s.call('POST', '/api/admin/editions/x/resend')).status).toBe(400);
  });

  it('refuses (409) to resend while a sender holds the email', async () => {
    const { deps, call } = await adminSetup();
    const seeded = await seed(deps);
    await deps.db.update(outbox).set({ status: 'sending', leaseUntil: deps.clock() + 60_000 });
    const res = await call('POST', `/api/admin/editions/${seeded.editions[1]!.id}/resend`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/being sent right now/);
  });

  it('refuses (409) to resend to an unsubscribed or suppressed address', async () => {
    await s.call('PATCH', `/api/admin/subscribers/${seeded.ada.id}`, { status: 'unsubscribed' });
    const res = await s.call('POST', `/api/admin/editions/${seeded.editions[0]!.id}/resend`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/unsubscribed/);
    await s.call('PATCH', `/api/admin/subscribers/${seeded.ada.id}`, { status: 'active' });
    await s.call('POST', `/api/admin/subscribers/${seeded.ada.id}/suppress`, {});
    const suppressed = await s.call('POST', `/api/admin/editions/${seeded.editions[0]!.id}/resend`);
    expect(suppressed.status).toBe(409);
  });
});

describe('stats', () => {
  it('counts subscribers by status, sends and failures per day, and feedback', async () => {
    const { deps, call } = await adminSetup();
    await seed(deps);
    const res = await call('GET', '/api/admin/stats?days=7');
    expect(res.status).toBe(200);
    const stats = await res.json();
    expect(stats.subscribers).toEqual({ pending: 1, active: 1, unsubscribed: 0, total: 2 });
    expect(stats.sendsPerDay).toHaveLength(7);
    expect(stats.sendsPerDay.at(-1)).toEqual({ day: '2026-11-24', sent: 0, failed: 1 });
    expect(stats.sendsPerDay.at(-2)).toEqual({ day: '2026-11-23', sent: 1, failed: 0 });
    expect(stats.feedback).toEqual({ more: 1, less: 1, undone: 1 });
    expect(stats.feedbackPerDay.at(-1)).toEqual({ day: '2026-11-24', more: 1, less: 1 });
    expect(stats.outbox).toMatchObject({ sent: 1, failed: 1 });
    expect(stats.sources).toMatchObject({ total: 2, ok: 1, failing: 1 });
    expect(stats.recentFailures[0]).toMatchObject({
      email: 'ada@example.org',
      lastError: '550 mailbox unavailable',
    });
    // Edition runs: per-key outcome counts, complete once nothing is pending or sending.
    const runs = stats.editionRuns as { sent: number; failed: number; pending: number; complete: boolean }[];
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(runs.reduce((n, r) => n + r.failed, 0)).toBe(1);
    for (const r of runs) expect(r.complete).toBe(r.pending === 0);
    const bad = await call('GET', '/api/admin/stats?days=0');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0].field).toBe('days');
  });
});
