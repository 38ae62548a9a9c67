import type { IncomingMessage } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.ts';
import { createResendMailer } from '../../src/deliver/http-mailer.ts';
import { MailError, type Mailer } from '../../src/deliver/mailer.ts';
import { sendOutbox } from '../../src/deliver/send-outbox.ts';
import { fakeClock, tempDir, testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';
import { seedEditions } from './helpers.ts';

interface Call {
  key: string | undefined;
  auth: string | undefined;
  body: {
    from: string;
    to: string[];
    subject: string;
    html: string;
    text: string;
    headers: Record<string, string>;
  };
}

/**
 * A stand-in for Resend's API on 127.0.0.1: answers from a script of statuses, and deduplicates
 * by Idempotency-Key the way Resend does (the same key returns the first result, nothing resent).
 */
async function fakeResend(
  script: { status: number; headers?: Record<string, string>; body?: unknown }[] = [],
) {
  const calls: Call[] = [];
  const delivered = new Map<string, string>();
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
  const server = await startServer(async (req, res) => {
    const body = JSON.parse(await read(req));
    const key = req.headers['idempotency-key'] as string | undefined;
    calls.push({ key, auth: req.headers.authorization, body });
    const step = script.shift();
    if (step && step.status !== 200) {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      res.end(JSON.stringify(step.body ?? { name: 'error', message: `status ${step.status}` }));
      return;
    }
    let id = key ? delivered.get(key) : undefined;
    if (!id) {
      id = `re_${delivered.size + 1}`;
      if (key) delivered.set(key, id);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id }));
  });
  return { ...server, calls, delivered };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(api: Awaited<ReturnType<typeof fakeResend>>, url?: string) {
  const clock = fakeClock();
  const mailer = createResendMailer({ apiKey: 're_test_123', apiUrl: api.url, now: clock });
  const deps = await testDeps({ mailer, clock, url, env: { SIFT_SEND_RATE: '0' } });
  cleanups.push(api.close, deps.close);
  return { deps, clock, mailer };
}

describe('the Resend http mailer', () => {
  it('posts the rendered email with the outbox key as Idempotency-Key and the unsubscribe headers', async () => {
    const api = await fakeResend();
    const { deps } = await setup(api);
    await seedEditions(deps, ['ann@example.com']);
    expect(await sendOutbox(deps)).toMatchObject({ sent: 1 });

    const [row] = await deps.db.select().from(outbox).all();
    expect(api.calls).toHaveLength(1);
    const call = api.calls[0]!;
    expect(call.auth).toBe('Bearer re_test_123');
    expect(call.key).toBe(`sift-outbox-${row!.id}`);
    expect(call.body.to).toEqual(['ann@example.com']);
    expect(call.body.subject).toBe('3 picks: hockey');
    expect(call.body.html).toContain('<html lang="en"');
    expect(call.body.text).toContain('Unsubscribe: https://sift.test/u/');
    expect(call.body.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(call.body.headers['List-Unsubscribe']).toMatch(/^<https:\/\/sift\.test\/u\/[^>]+>$/);
    expect(call.body.headers['Message-ID']).toBe(row!.messageId);
  });

  it('retries 429 no sooner than Retry-After, and 5xx with backoff, then sends', async () => {
    const api = await fakeResend([{ status: 429, headers: { 'retry-after': '600' } }, { status: 503 }]);
    const { deps, clock } = await setup(api);
    await seedEditions(deps, ['ann@example.com']);

    expect(await sendOutbox(deps)).toMatchObject({ retried: 1 });
    let [row] = await deps.db.select().from(outbox).all();
    expect(row!.nextAttemptAt - clock()).toBeGreaterThanOrEqual(600_000);
    expect(row!.lastError).toMatch(/^http: 429/);

    clock.advance(600_000);
    expect(await sendOutbox(deps)).toMatchObject({ retried: 1 });
    [row] = await deps.db.select().from(outbox).all();
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 2,
      lastError: expect.stringMatching(/^http: 503/),
    });

    clock.advance(2 * 60_000);
    expect(await sendOutbox(deps)).toMatchObject({ sent: 1 });
    // Every try carried the same key, so the provider could never send it twice.
    expect(new Set(api.calls.map((c) => c.key)).size).toBe(1);
    expect(api.calls).toHaveLength(3);
  });

  it('fails a 422 at once and does not retry it', async () => {
    const api = await fakeResend([
      { status: 422, body: { name: 'validation_error', message: 'Invalid `to` field.' } },
    ]);
    const { deps, clock } = await setup(api);
    await seedEditions(deps, ['ann@example.com']);
    expect(await sendOutbox(deps)).toMatchObject({ failed: 1, retried: 0 });
    const [row] = await deps.db.select().from(outbox).all();
    expect(row).toMatchObject({
      status: 'failed',
      lastError: 'http: 422 validation_error Invalid `to` field.',
    });
    clock.advance(86_400_000);
    await sendOutbox(deps);
    expect(api.calls).toHaveLength(1);
  });

  it('maps transport trouble to MailError: network errors and a rejected API key are transient', async () => {
    const dead = createResendMailer({
      apiKey: 're_test_123',
      apiUrl: 'http://127.0.0.1:9',
      timeoutMs: 2_000,
    });
    const email = {
      to: 'a@example.com',
      from: 'Sift <s@x.test>',
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      headers: {},
      messageId: '<m@x>',
      idempotencyKey: 'k',
    };
    const err = await dead.send(email).catch((e) => e);
    expect(err).toBeInstanceOf(MailError);
    expect(err.permanent).toBe(false);

    const api = await fakeResend([
      { status: 401, body: { name: 'missing_api_key', message: 'API key is invalid' } },
    ]);
    cleanups.push(api.close);
    const bad = createResendMailer({ apiKey: 're_wrong_key', apiUrl: api.url });
    const e401 = await bad.send(email).catch((e) => e);
    expect(e401).toMatchObject({ permanent: false, status: 401 });
    expect(() => createResendMailer({ apiKey: '' })).toThrow(/API key/);
  });

  it('after a crash between "provider accepted" and "row marked sent", the retry carries the same key and nothing is sent twice', async () => {
    const api = await fakeResend();
    const dbUrl = `file:${tempDir()}/sift.db`;
    const { deps, clock, mailer } = await setup(api, dbUrl);
    await seedEditions(deps, ['ann@example.com', 'bob@example.com']);

    const dying: Mailer = {
      name: 'dying',
      async send(email) {
        const r = await mailer.send(email);
        if (email.to === 'ann@example.com') return new Promise(() => {});
        return r;
      },
    };
    void sendOutbox({ ...deps, mailer: dying });
    await expect.poll(() => api.calls.length, { timeout: 10_000 }).toBe(1);

    const restarted = await testDeps({
      url: dbUrl,
      mailer: createResendMailer({ apiKey: 're_test_123', apiUrl: api.url }),
      clock: fakeClock(clock() + 6 * 60_000),
      env: { SIFT_SEND_RATE: '0' },
    });
    cleanups.push(restarted.close);
    expect(await sendOutbox(restarted)).toMatchObject({ sent: 2 });

    const annCalls = api.calls.filter((c) => c.body.to[0] === 'ann@example.com');
    expect(annCalls).toHaveLength(2);
    expect(annCalls[0]!.key).toBe(annCalls[1]!.key);
    // Distinct keys delivered = distinct messages sent by the provider: one each.
    expect(api.delivered.size).toBe(2);
    const statuses = await restarted.db
      .select({ s: outbox.status })
      .from(outbox)
      .where(eq(outbox.status, 'sent'))
      .all();
    expect(statuses).toHaveLength(2);
  });
});
