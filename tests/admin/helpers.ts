import { readFileSync } from 'node:fs';
import { createApp } from '../../src/app.tsx';
import { editions, feedback, items, outbox, type Subscriber, sources } from '../../src/db/schema.ts';
import type { Deps } from '../../src/deps.ts';
import { addSubscriber } from '../../src/operator/subscribers.ts';
import { fakeClock, testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';

/** A response whose JSON body tests read without declaring its shape. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on the parsed body field by field.
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/** The admin token every admin test configures. */
export const TOKEN = 'admin-token-0123456789abcdefghijklmnopqrstuv';

/** A real app over a real in-memory database, with the admin token set and 127.0.0.1 allowed. */
export async function adminSetup(env: Record<string, string> = {}) {
  const clock = fakeClock(Date.UTC(2026, 10, 24, 9, 0));
  const deps = await testDeps({
    clock,
    env: { SIFT_ADMIN_TOKEN: TOKEN, SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1', ...env },
  });
  const app = createApp(deps);
  const call = (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = TOKEN,
  ): Promise<JsonResponse> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    // Scripts send JSON; app.tsx's csrf() treats a body-less POST without a type as a form.
    if (method !== 'GET') headers['content-type'] = 'application/json';
    return Promise.resolve(
      app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    );
  };
  return { deps, app, clock, call };
}

/** A local HTTP server serving the hockey fixture feed at /feed.xml, a 404 elsewhere. */
export async function feedServer() {
  const rss = readFileSync(new URL('../fixtures/feeds/hockey-news.rss', import.meta.url), 'utf8');
  return startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/feed.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(rss);
    } else if (path === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Not a feed</title><p>Hello</p>');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('nope');
    }
  });
}

/**
 * Seeds a small instance: two subscribers, a source with two items, an edition per subscriber
 * (one sent, one failed), feedback clicks and a suppressed address.
 */
export async function seed(deps: Deps) {
  const now = deps.clock();
  const ada = await addSubscriber(deps, {
    email: 'ada@example.org',
    preferences: { interests: ['hockey'] },
  });
  const bob = await addSubscriber(deps, { email: 'Bob@Example.org', status: 'pending' });
  const [source] = await deps.db
    .insert(sources)
    .values({
      url: 'https://feeds.example.org/hockey.xml',
      title: 'Hockey Wire',
      lastSuccessAt: now - 3_600_000,
    })
    .returning();
  const [broken] = await deps.db
    .insert(sources)
    .values({ url: 'https://broken.example.org/feed', lastError: 'ingest: HTTP 404', errorCount: 3 })
    .returning();
  const made = await deps.db
    .insert(items)
    .values([
      {
        sourceId: source!.id,
        key: 'a',
        title: 'Hockey final goes to overtime',
        summary: 'hockey',
        fetchedAt: now,
      },
      {
        sourceId: source!.id,
        key: 'b',
        title: 'Hockey trade deadline',
        summary: 'hockey trade',
        fetchedAt: now,
      },
    ])
    .returning();
  const [e1, e2] = await deps.db
    .insert(editions)
    .values([
      {
        subscriberId: ada.id,
        editionKey: '2026-11-23',
        picks: made.map((i) => ({ itemId: i.id, score: 1, reasons: ["matches your interest 'hockey'"] })),
        createdAt: now - 86_400_000,
      },
      {
        subscriberId: ada.id,
        editionKey: '2026-11-24',
        picks: [{ itemId: made[0]!.id, score: 1, reasons: ["matches your interest 'hockey'"] }],
        createdAt: now - 60_000,
      },
    ])
    .returning();
  await deps.db.insert(outbox).values([
    {
      subscriberId: ada.id,
      editionKey: e1!.editionKey,
      editionId: e1!.id,
      status: 'sent',
      attempts: 1,
      sentAt: now - 86_000_000,
      createdAt: now - 86_400_000,
    },
    {
      subscriberId: ada.id,
      editionKey: e2!.editionKey,
      editionId: e2!.id,
      status: 'failed',
      attempts: 8,
      lastError: '550 mailbox unavailable',
      createdAt: now - 60_000,
    },
  ]);
  await deps.db.insert(feedback).values([
    { subscriberId: ada.id, itemId: made[0]!.id, direction: 'more', change: {}, createdAt: now - 1000 },
    { subscriberId: ada.id, itemId: made[1]!.id, direction: 'less', change: {}, createdAt: now - 1000 },
    {
      subscriberId: ada.id,
      itemId: made[1]!.id,
      direction: 'less',
      change: {},
      createdAt: now - 900,
      undoneAt: now,
    },
  ]);
  return { ada, bob, source: source!, broken: broken!, items: made, editions: [e1!, e2!] };
}

/**
 * Adds two weeks of history for charts: five readers with one edition a day each, most sent,
 * a few failed, and some feedback clicks.
 */
export async function seedHistory(deps: Deps) {
  const now = deps.clock();
  const day = 86_400_000;
  const readers: Subscriber[] = [];
  for (let r = 0; r < 5; r++)
    readers.push(
      await addSubscriber(deps, { email: `reader${r}@example.org`, preferences: { interests: ['hockey'] } }),
    );
  for (let d = 13; d >= 0; d--) {
    const at = now - d * day - 3_600_000;
    const key = new Date(at).toISOString().slice(0, 10);
    const made = await deps.db
      .insert(editions)
      .values(readers.map((r) => ({ subscriberId: r.id, editionKey: `h-${key}`, picks: [], createdAt: at })))
      .returning();
    await deps.db.insert(outbox).values(
      made.map((e, i) => {
        const failed = (d + i) % 7 === 0;
        return {
          subscriberId: e.subscriberId,
          editionKey: e.editionKey,
          editionId: e.id,
          status: failed ? ('failed' as const) : ('sent' as const),
          attempts: failed ? 8 : 1,
          lastError: failed ? '421 try again later' : null,
          sentAt: failed ? null : at + 60_000,
          createdAt: at,
        };
      }),
    );
    const clicks = (d * 3) % 5;
    if (clicks > 0)
      await deps.db.insert(feedback).values(
        Array.from({ length: clicks }, (_, i) => ({
          subscriberId: readers[i % readers.length]!.id,
          direction: i % 3 === 0 ? ('less' as const) : ('more' as const),
          change: {},
          createdAt: at,
        })),
      );
  }
  return readers;
}
