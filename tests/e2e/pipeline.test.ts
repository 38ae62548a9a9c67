import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { simpleParser } from 'mailparser';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { createOutboxMailer } from '../../src/deliver/outbox-mailer.ts';
import { runCycle } from '../../src/jobs/run-cycle.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';
import { upsertSource } from '../../src/store/sources.ts';
import { createSubscriber } from '../../src/store/subscribers.ts';
import { tempDir, testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';

const fixture = readFileSync(new URL('../fixtures/feeds/hockey-news.rss', import.meta.url), 'utf8');

describe('pipeline: feed over HTTP → ingest → edition → .eml and Atom feed', () => {
  const outboxDir = tempDir();
  let feedServer: Awaited<ReturnType<typeof startServer>>;
  let app: { url: string; close(): void };
  let deps: Awaited<ReturnType<typeof testDeps>>;

  beforeAll(async () => {
    feedServer = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(fixture);
    });
    const server = serve({ fetch: (req) => appFetch(req), port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const baseUrl = `http://127.0.0.1:${port}`;
    // The feed server is on 127.0.0.1: opt in to that private host explicitly (issue 3).
    deps = await testDeps({
      mailer: createOutboxMailer(outboxDir),
      env: { SIFT_BASE_URL: baseUrl, SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' },
    });
    const honoApp = createApp(deps);
    appFetch = (req) => honoApp.fetch(req);
    app = { url: baseUrl, close: () => server.close() };

    await upsertSource(deps.db, { url: `${feedServer.url}/feed.rss` });
    await createSubscriber(
      deps.db,
      { email: 'reader@example.com', status: 'active', timezone: 'UTC', deliveryHour: 0, deliveryMinute: 0 },
      parsePreferences({ interests: ['hockey'], mutes: ['prices'] }),
    );
  });
  let appFetch: (req: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });

  afterAll(async () => {
    app.close();
    await feedServer.close();
    deps.close();
  });

  it('delivers one email whose picks, links and headers are right, and a feed with the same items', async () => {
    const result = await runCycle(deps);
    expect(result.ingested).toEqual([expect.objectContaining({ ok: true, items: 4 })]);
    expect(result.planned.built).toBe(1);
    expect(result.sent.sent).toBe(1);

    const files = readdirSync(outboxDir);
    const eml = files.filter((f) => f.endsWith('.eml'));
    expect(eml).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(1);

    const mail = await simpleParser(readFileSync(join(outboxDir, eml[0]!)));
    expect(mail.headerLines.find((h) => h.key === 'content-type')?.line).toMatch(/multipart\/alternative/);
    expect(mail.text).toBeTruthy();
    expect(mail.html).toBeTruthy();
    const unsubscribe = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line;
    expect(unsubscribe).toMatch(
      new RegExp(`^List-Unsubscribe: <${app.url}/u/[0-9]+\\.[0-9]+\\.[A-Za-z0-9_-]{22}>$`),
    );
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );

    // The muted story and the unrelated one are not picked; script from the feed never reaches the email.
    const html = String(mail.html);
    expect(html).toContain('https://rink.example/oilers-overtime');
    expect(html).toContain('https://rink.example/curling-arena');
    expect(html).not.toContain('ticket-prices');
    expect(html).not.toContain('knitting');
    expect(html).not.toContain('<script');
    expect(mail.text).toContain('https://rink.example/oilers-overtime');

    // The email links to the private feed and the preferences page; both work.
    const feedUrl = /href="([^"]+\/feeds\/[^"]+\.atom)"/.exec(html)?.[1];
    const prefsUrl = /href="([^"]+\/p\/[^"]+)"/.exec(html)?.[1];
    expect(feedUrl).toBeDefined();
    expect(prefsUrl).toBeDefined();
    expect(mail.text).toContain(feedUrl!);
    const prefsPage = await fetch(prefsUrl!);
    expect(prefsPage.status).toBe(200);
    expect(await prefsPage.text()).toContain('hockey');

    const res = await fetch(feedUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/atom+xml');
    const feed = await new Parser().parseString(await res.text());
    const emailLinks = [...html.matchAll(/href="(https:\/\/rink\.example\/[^"]+)"/g)].map((m) => m[1]);
    expect(feed.items.map((i) => i.link).sort()).toEqual([...new Set(emailLinks)].sort());

    // A second run plans and sends nothing new.
    const again = await runCycle(deps);
    expect(again.planned.built).toBe(0);
    expect(again.sent.sent).toBe(0);
    expect(readdirSync(outboxDir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('answers 304 to a feed reader that already has the current version', async () => {
    const html = readFileSync(
      join(outboxDir, readdirSync(outboxDir).find((f) => f.endsWith('.html'))!),
      'utf8',
    );
    const feedUrl = /href="([^"]+\/feeds\/[^"]+\.atom)"/.exec(html)![1]!;
    const first = await fetch(feedUrl);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const second = await fetch(feedUrl, { headers: { 'if-none-match': etag! } });
    expect(second.status).toBe(304);
  });

  it('logs a broken source and goes on', async () => {
    await upsertSource(deps.db, { url: `${feedServer.url.replace(/:\d+$/, ':1')}/nothing-listens-here` });
    const result = await runCycle(deps);
    const failed = result.ingested.filter((o) => !o.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^(connection refused|refused: port 1 is not a web port)/),
    });
  });
});
