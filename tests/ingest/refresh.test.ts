import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_BACKOFF_MS,
  nextCheckAfterFailure,
  nextCheckAfterSuccess,
} from '../../src/ingest/check-schedule.ts';
import { refreshSource } from '../../src/ingest/refresh-source.ts';
import { USER_AGENT } from '../../src/ingest/user-agent.ts';
import { ingestDue } from '../../src/jobs/ingest-due.ts';
import { countItems, listRecentItems } from '../../src/store/items.ts';
import { getSource, listSources, updateSource, upsertSource } from '../../src/store/sources.ts';
import { fakeClock, tempDir, testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';

const goodFeed = readFileSync(new URL('../fixtures/feeds/hockey-news.rss', import.meta.url), 'utf8');
const HOUR = 3_600_000;

function rss(title: string, items: { title: string; link: string; description: string; guid?: string }[]) {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://${title.toLowerCase().replace(/\W+/g, '')}.example/</link>${items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link.replace(/&/g, '&amp;')}</link><guid>${i.guid ?? i.link.replace(/&/g, '&amp;')}</guid><description>${i.description}</description><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>`,
    )
    .join('')}</channel></rss>`;
}

describe('politeness: conditional GET, user agent, schedules, backoff and pausing', () => {
  it('sends Sift’s User-Agent and the stored validators, and skips parsing on 304', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const server = await startServer((req, res) => {
      seen.push({
        ua: req.headers['user-agent'],
        inm: req.headers['if-none-match'],
        ims: req.headers['if-modified-since'],
      });
      if (req.headers['if-none-match'] === '"abc"') {
        res.writeHead(304, { 'cache-control': 'max-age=7200' });
        return res.end();
      }
      res.writeHead(200, {
        'content-type': 'application/rss+xml',
        etag: '"abc"',
        'last-modified': 'Mon, 23 Nov 2026 08:00:00 GMT',
      });
      res.end(goodFeed);
    });
    const clock = fakeClock();
    const deps = await testDeps({ clock, env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    const source = await upsertSource(deps.db, { url: `${server.url}/feed` });
    const first = await refreshSource(deps, source);
    expect(first).toMatchObject({ ok: true, items: 4, newItems: 4, notModified: false });
    const stored = (await getSource(deps.db, source.id))!;
    expect(stored).toMatchObject({
      etag: '"abc"',
      lastModified: 'Mon, 23 Nov 2026 08:00:00 GMT',
      format: 'RSS 2.0',
      title: 'Rink Report',
    });
    clock.advance(HOUR);
    const second = await refreshSource(deps, stored);
    expect(second).toMatchObject({ ok: true, items: 0, notModified: true });
    // max-age=7200 is longer than the 30-minute interval: the next check waits for it.
    expect(second.nextCheckAt).toBeGreaterThanOrEqual(clock() + 2 * HOUR);
    expect(seen).toEqual([
      { ua: USER_AGENT, inm: undefined, ims: undefined },
      { ua: USER_AGENT, inm: '"abc"', ims: 'Mon, 23 Nov 2026 08:00:00 GMT' },
    ]);
    await server.close();
  });

  it('treats an identical body from a server without validators as not modified', async () => {
    let body = goodFeed;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(body);
    });
    const deps = await testDeps({ env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    const source = await upsertSource(deps.db, { url: `${server.url}/feed` });
    expect(await refreshSource(deps, source)).toMatchObject({ ok: true, items: 4, notModified: false });
    const again = await refreshSource(deps, (await getSource(deps.db, source.id))!);
    expect(again).toMatchObject({ ok: true, items: 0, notModified: true });
    body = goodFeed.replace('Rink Report', 'Rink Report (new)');
    const changed = await refreshSource(deps, (await getSource(deps.db, source.id))!);
    expect(changed).toMatchObject({ ok: true, items: 4, newItems: 0, notModified: false });
    await server.close();
  });

  it('follows a feed that moved permanently (301/308), but not a temporary redirect', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/newer' });
      else if (req.url === '/newer') res.writeHead(308, { location: '/new' });
      else if (req.url === '/temp') res.writeHead(302, { location: '/new' });
      else {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        return res.end(goodFeed);
      }
      res.end();
    });
    const deps = await testDeps({ env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    const moved = await upsertSource(deps.db, { url: `${server.url}/old` });
    const temporary = await upsertSource(deps.db, { url: `${server.url}/temp` });
    expect(await refreshSource(deps, moved)).toMatchObject({ ok: true, items: 4 });
    expect(await refreshSource(deps, temporary)).toMatchObject({ ok: true, items: 4 });
    expect((await getSource(deps.db, moved.id))!.url).toBe(`${server.url}/new`);
    expect((await getSource(deps.db, temporary.id))!.url).toBe(`${server.url}/temp`);
    await server.close();
  });

  it('says who it is: Sift/<version> (+<homepage>) from package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(USER_AGENT).toBe(`Sift/${pkg.version} (+${pkg.homepage})`);
  });

  it('backs off exponentially on consecutive errors, pauses after the limit with the reason, and resets on success', async () => {
    let status = 404;
    const server = await startServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/rss+xml' });
      res.end(status === 200 ? goodFeed : 'gone');
    });
    const clock = fakeClock();
    const deps = await testDeps({
      clock,
      env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1', SIFT_PAUSE_AFTER_FAILURES: '4' },
    });
    let source = await upsertSource(deps.db, { url: `${server.url}/feed` });
    const waits: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const outcome = await refreshSource(deps, source);
      expect(outcome).toMatchObject({ ok: false, error: 'HTTP 404 Not Found', paused: false });
      waits.push(outcome.nextCheckAt - clock());
      source = (await getSource(deps.db, source.id))!;
      expect(source).toMatchObject({ errorCount: i, lastError: 'HTTP 404 Not Found', paused: false });
    }
    // 30 min × 2^(n-1) with equal jitter: within [half, full] of each step.
    [30, 60, 120].forEach((minutes, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual((minutes / 2) * 60_000);
      expect(waits[i]).toBeLessThanOrEqual(minutes * 60_000);
    });
    const fourth = await refreshSource(deps, source);
    expect(fourth).toMatchObject({ ok: false, paused: true });
    source = (await getSource(deps.db, source.id))!;
    expect(source).toMatchObject({
      paused: true,
      pausedReason: 'paused after 4 consecutive failures; last error: HTTP 404 Not Found',
    });
    // A paused source is not due; after the operator resumes it, one success clears the record.
    await updateSource(deps.db, source.id, { paused: false, pausedReason: null, nextCheckAt: clock() });
    status = 200;
    expect(await ingestDue(deps)).toMatchObject([{ ok: true, items: 4 }]);
    expect(await getSource(deps.db, source.id)).toMatchObject({
      errorCount: 0,
      lastError: null,
      lastSuccessAt: clock(),
    });
    await server.close();
  });

  it('pauses at once on 410 Gone', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(410);
      res.end();
    });
    const deps = await testDeps({ env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    const source = await upsertSource(deps.db, { url: `${server.url}/feed` });
    expect(await refreshSource(deps, source)).toMatchObject({ ok: false, paused: true });
    expect(await getSource(deps.db, source.id)).toMatchObject({
      paused: true,
      pausedReason: 'paused: HTTP 410 Gone (the publisher removed this feed)',
    });
    await server.close();
  });

  it('schedules: never sooner than max-age or Retry-After, backoff capped at a day', () => {
    const now = 1_000_000;
    expect(nextCheckAfterSuccess(now, 30 * 60_000, null, () => 0)).toBe(now + 30 * 60_000);
    expect(nextCheckAfterSuccess(now, 30 * 60_000, 3 * HOUR, () => 0)).toBe(now + 3 * HOUR);
    expect(nextCheckAfterSuccess(now, 30 * 60_000, 90 * 24 * HOUR, () => 0)).toBe(now + 24 * HOUR);
    expect(nextCheckAfterFailure(now, 30 * 60_000, 30, undefined, () => 1)).toBe(now + MAX_BACKOFF_MS);
    expect(nextCheckAfterFailure(now, 30 * 60_000, 1, 5 * HOUR, () => 0)).toBe(now + 5 * HOUR);
    expect(nextCheckAfterFailure(now, 30 * 60_000, 1, 30 * 24 * HOUR, () => 0)).toBe(now + 7 * 24 * HOUR);
  });
});

describe('scheduling: leases and per-host concurrency', () => {
  it('never lets two runners on one database fetch the same source', async () => {
    const hits = new Map<string, number>();
    const server = await startServer((req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(goodFeed);
      }, 30);
    });
    const url = `file:${tempDir()}/sift.db`;
    const env = { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1', SIFT_INGEST_PER_HOST: '4' };
    const a = await testDeps({ url, env });
    const b = await testDeps({ url, env });
    for (let i = 0; i < 12; i++) await upsertSource(a.db, { url: `${server.url}/feed/${i}` });
    const [ra, rb] = await Promise.all([ingestDue(a), ingestDue(b)]);
    expect(ra.length + rb.length).toBe(12);
    expect([...hits.values()].every((n) => n === 1)).toBe(true);
    expect(hits.size).toBe(12);
    a.close();
    b.close();
    await server.close();
  });

  it('fetches at most SIFT_INGEST_PER_HOST sources of one host at once, other hosts in parallel', async () => {
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    const server = await startServer((req, res) => {
      const host = req.headers.host!.split(':')[0]!;
      active.set(host, (active.get(host) ?? 0) + 1);
      peak.set(host, Math.max(peak.get(host) ?? 0, active.get(host)!));
      setTimeout(() => {
        active.set(host, active.get(host)! - 1);
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(goodFeed);
      }, 40);
    });
    const port = new URL(server.url).port;
    const deps = await testDeps({
      env: {
        SIFT_ALLOW_PRIVATE_HOSTS: `127.0.0.1:${port},localhost:${port}`,
        SIFT_INGEST_PER_HOST: '2',
        SIFT_INGEST_CONCURRENCY: '8',
      },
    });
    for (let i = 0; i < 6; i++) {
      await upsertSource(deps.db, { url: `http://127.0.0.1:${port}/a/${i}` });
      await upsertSource(deps.db, { url: `http://localhost:${port}/b/${i}` });
    }
    const outcomes = await ingestDue(deps);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(12);
    expect(peak.get('127.0.0.1')).toBe(2);
    expect(peak.get('localhost')).toBe(2);
    await server.close();
  });
});

describe('scheduling: shutting down mid-run', () => {
  it('finishes fetches in flight, starts nothing new, and releases the unstarted leases', async () => {
    const controller = new AbortController();
    let served = 0;
    const server = await startServer((_req, res) => {
      served++;
      // The first response arrives after shutdown was requested.
      controller.abort();
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(goodFeed);
      }, 20);
    });
    const deps = await testDeps({
      env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1', SIFT_INGEST_CONCURRENCY: '1' },
    });
    for (let i = 0; i < 4; i++) await upsertSource(deps.db, { url: `${server.url}/f/${i}` });
    const outcomes = await ingestDue(deps, { signal: controller.signal });
    expect(outcomes).toMatchObject([{ ok: true, items: 4 }]);
    expect(served).toBe(1);
    const rest = (await listSources(deps.db)).filter((s) => s.id !== outcomes[0]!.sourceId);
    expect(rest.map((s) => s.leaseUntil)).toEqual([null, null, null]);
    // The next runner picks the three up right away.
    expect(await ingestDue(deps)).toHaveLength(3);
    await server.close();
  });
});

describe('scheduling: a per-run cap (Workers subrequest limits)', () => {
  it('checks at most SIFT_INGEST_MAX_PER_RUN sources and leaves the rest due for the next run', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(goodFeed);
    });
    const deps = await testDeps({
      env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1', SIFT_INGEST_MAX_PER_RUN: '3', SIFT_INGEST_PER_HOST: '8' },
    });
    for (let i = 0; i < 5; i++) await upsertSource(deps.db, { url: `${server.url}/f/${i}` });
    expect((await ingestDue(deps)).map((o) => o.sourceId).sort()).toEqual([1, 2, 3]);
    expect((await ingestDue(deps)).map((o) => o.sourceId).sort()).toEqual([4, 5]);
    expect(await ingestDue(deps)).toEqual([]);
    await server.close();
  });
});

describe('story clusters: one story from several sources shares a cluster key', () => {
  it('joins copies by canonical URL and by near-identical text, and keeps other stories apart', async () => {
    const wire =
      'The city council approved the new tram line on Tuesday after a two-year debate, with construction set to begin next spring and the first trams expected to run in 2029';
    const feeds: Record<string, string> = {
      '/verge': rss('The Verge', [
        {
          title: 'Council approves tram line',
          link: 'https://news.example/tram?utm_source=verge&utm_medium=rss',
          description: 'Trams are coming.',
        },
        {
          title: 'City approves new tram line after two-year debate',
          link: 'https://verge.example/tram-line',
          description: wire,
        },
        {
          title: 'A new phone with a bigger screen',
          link: 'https://verge.example/phone',
          description: 'Reviewers liked the battery life and the camera in low light.',
        },
      ]),
      '/ars': rss('Ars Technica', [
        {
          title: 'Tram line approved',
          link: 'http://www.news.example/tram#comments',
          description: 'Approved.',
        },
        {
          title: 'City approves new tram line after two year debate',
          link: 'https://arstechnica.example/tram',
          description: `${wire}.`,
        },
        {
          title: 'Rocket engine test ends early',
          link: 'https://arstechnica.example/rocket',
          description: 'The engine shut down after forty seconds because of a sensor fault.',
        },
      ]),
    };
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(feeds[req.url!] ?? '');
    });
    const deps = await testDeps({ env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    await upsertSource(deps.db, { url: `${server.url}/verge` });
    await upsertSource(deps.db, { url: `${server.url}/ars` });
    await ingestDue(deps);
    const items = await listRecentItems(deps.db, 0);
    const key = (title: string) => items.find((i) => i.title === title)!.clusterKey;
    expect(key('Council approves tram line')).toBe(key('Tram line approved'));
    expect(key('City approves new tram line after two-year debate')).toBe(
      key('City approves new tram line after two year debate'),
    );
    const distinct = new Set([
      key('Council approves tram line'),
      key('City approves new tram line after two-year debate'),
      key('A new phone with a bigger screen'),
      key('Rocket engine test ends early'),
    ]);
    expect(distinct.size).toBe(4);
    expect(await countItems(deps.db)).toBe(6);
    await server.close();
  });
});
