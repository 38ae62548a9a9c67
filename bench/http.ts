/**
 * HTTP bench (issue 6): the private Atom feed (200 and 304) and the preferences page, served
 * by Sift exactly as src/entry/node.ts serves it, against plain node:http serving the same bytes,
 * measured with autocannon on 127.0.0.1 in the same run. Both servers live in one child
 * process (measured one at a time) so autocannon never shares their event loop.
 *
 * Last stdout line: {"bench":"http","rps":{…},"prefs_p99_ms":…,"ratios":{"feed200_vs_node":…,"feed304_vs_node":…}}
 * (the human-readable lines before it also give the p99 of node:http serving the page statically).
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { createApp } from '../src/app.tsx';
import { parseConfig } from '../src/config.ts';
import { migrateLibsql, openLibsql } from '../src/db/libsql.ts';
import type { Deps } from '../src/deps.ts';
import { paths } from '../src/entry/node-deps.ts';
import { createNodeListener } from '../src/entry/node-listener.ts';
import { silentLog } from '../src/log.ts';
import { parsePreferences } from '../src/preferences/schema.ts';
import { SESSION_COOKIE, signSession } from '../src/security/session.ts';
import { subscriberLinks } from '../src/security/subscriber-links.ts';
import { storeEdition } from '../src/store/editions.ts';
import { upsertItems } from '../src/store/items.ts';
import { upsertSource } from '../src/store/sources.ts';
import { createSubscriber } from '../src/store/subscribers.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 50;

interface Ports {
  node: number;
  sift: number;
  feedPath: string;
  etag: string;
  cookie: string;
  bodyBytes: number;
}

/** Child: seeds a database, starts both servers, reports their ports. */
async function serveBoth(): Promise<void> {
  const secret = 'bench-secret-0123456789abcdef0123456789abcdef';
  const { db } = openLibsql(':memory:');
  await migrateLibsql(db, paths.migrations);
  const now = Date.now();
  const source = await upsertSource(db, { url: 'https://news.example/feed.xml', title: 'Example News' });
  const words = 'hockey climate policy rust compiler election market science space football transit housing';
  await upsertItems(
    db,
    Array.from({ length: 45 }, (_, i) => ({
      sourceId: source.id,
      key: `item-${i}`,
      url: `https://news.example/story/${i}`,
      title: `Story ${i}: ${words.split(' ')[i % 12]} news of the day`,
      summary: `${words} `.repeat(8).slice(0, 220 + (i % 5) * 20),
      categories: [words.split(' ')[i % 12]!],
      publishedAt: now - i * 600_000,
      fetchedAt: now - i * 600_000,
    })),
  );
  const subscriber = await createSubscriber(
    db,
    { email: 'reader@example.com', status: 'active' },
    parsePreferences({ interests: ['hockey', 'climate policy', 'rust'], mutes: ['football'] }),
  );
  for (let e = 0; e < 10; e++)
    await storeEdition(db, {
      subscriberId: subscriber.id,
      editionKey: `2026-11-${String(10 + e).padStart(2, '0')}`,
      picks: Array.from({ length: 10 }, (_, k) => ({
        itemId: e * 10 + k + 1,
        score: 1,
        reasons: ["matches your interest 'hockey'", 'from Example News'],
      })),
      email: false,
      now: now - (10 - e) * 86_400_000,
    });
  const config = parseConfig({
    SIFT_DEMO: 'off',
    SIFT_BASE_URL: 'http://127.0.0.1:8787',
    LOG_LEVEL: 'silent',
  });
  const deps: Deps = {
    db,
    config,
    secret,
    mailer: { name: 'null', send: async () => ({}) },
    log: silentLog,
    clock: Date.now,
    fetch: globalThis.fetch,
    bundled: async () => '',
  };
  const app = createApp(deps);
  const links = await subscriberLinks(config.baseUrl, secret, subscriber);
  const feedPath = new URL(links.feeds.atom).pathname;
  const first = await app.request(feedPath);
  const body = Buffer.from(await first.arrayBuffer());
  const headers: Record<string, string> = {};
  first.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const etag = headers.etag!;
  const cookieHeader = `${SESSION_COOKIE}=${await signSession(secret, {
    subscriberId: subscriber.id,
    version: subscriber.tokenVersion,
    expiresAt: now + 86_400_000,
  })}`;
  // The preferences page as our app renders it, for the baseline to serve as static bytes.
  const prefsPage = await app.request('/preferences', { headers: { cookie: cookieHeader } });
  const prefsBody = Buffer.from(await prefsPage.arrayBuffer());
  // The baseline: node:http answering the same bytes and headers, 304 on a matching ETag.
  const node = createServer((req, res) => {
    if (req.url === '/preferences') {
      res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8', 'cache-control': 'no-store' });
      res.end(prefsBody);
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': headers['cache-control']! });
      res.end();
      return;
    }
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
  // Sift exactly as src/entry/node.ts serves it.
  const siftServer = createServer(createNodeListener(app.fetch, deps.db));
  await new Promise<void>((r) => siftServer.listen(0, '127.0.0.1', r));
  const sift = siftServer.address() as AddressInfo;
  const cookie = cookieHeader;
  const ports: Ports = {
    node: (node.address() as AddressInfo).port,
    sift: sift.port,
    feedPath,
    etag,
    cookie,
    bodyBytes: body.length,
  };
  process.send!(ports);
}

/** The parts of autocannon's result this bench reads. */
interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  errors: number;
  statusCodeStats?: Record<string, { count: number }>;
}

interface Result {
  rps: number;
  p99: number;
  errors: number;
}

function run(url: string, headers: Record<string, string>, expectStatus: number) {
  return new Promise<Result>((resolve, reject) => {
    autocannon(
      { url, headers, connections: CONNECTIONS, duration: DURATION, pipelining: 1 },
      (err: Error | null, r: AutocannonResult) => {
        if (err) return reject(err);
        const wrong = Object.entries(r.statusCodeStats ?? {})
          .filter(([code]) => Number(code) !== expectStatus)
          .reduce((n, [, v]) => n + v.count, 0);
        resolve({ rps: r.requests.average, p99: r.latency.p99, errors: r.errors + wrong });
      },
    );
  });
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise<Ports>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ports));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  try {
    const nodeUrl = `http://127.0.0.1:${ports.node}${ports.feedPath}`;
    const siftUrl = `http://127.0.0.1:${ports.sift}${ports.feedPath}`;
    const inm = { 'if-none-match': ports.etag };
    console.log(`feed body ${ports.bodyBytes} bytes; ${CONNECTIONS} connections, ${DURATION}s per run`);
    // Warm both (JIT, caches), then alternate baseline and ours in rounds and keep each side's
    // median: other processes on the machine shift absolute numbers, alternation keeps the
    // ratio fair.
    await run(siftUrl, {}, 200);
    await run(nodeUrl, {}, 200);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const samples: Record<string, Result[]> = { node200: [], feed200: [], node304: [], feed304: [] };
    for (let i = 0; i < rounds; i++) {
      samples.node200!.push(await run(nodeUrl, {}, 200));
      samples.feed200!.push(await run(siftUrl, {}, 200));
      samples.node304!.push(await run(nodeUrl, inm, 304));
      samples.feed304!.push(await run(siftUrl, inm, 304));
    }
    const median = (xs: Result[]) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;
    const node200 = median(samples.node200!);
    const feed200 = median(samples.feed200!);
    const node304 = median(samples.node304!);
    const feed304 = median(samples.feed304!);
    // The preferences page, and for context node:http serving its bytes statically (what
    // p99 this machine gives at 50 connections when the server does no work at all).
    await run(`http://127.0.0.1:${ports.sift}/preferences`, { cookie: ports.cookie }, 200);
    const nodePrefs = await run(`http://127.0.0.1:${ports.node}/preferences`, {}, 200);
    const prefs = await run(`http://127.0.0.1:${ports.sift}/preferences`, { cookie: ports.cookie }, 200);
    for (const [name, r] of Object.entries({ node200, feed200, node304, feed304, nodePrefs, prefs }))
      console.log(
        `${name.padEnd(8)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99} ms  unexpected ${r.errors}`,
      );
    const bad = [node200, feed200, node304, feed304, prefs].some((r) => r.errors > 0);
    if (bad) console.error('warning: some responses had an unexpected status (see "unexpected")');
    const round = (x: number) => Math.round(x * 1000) / 1000;
    console.log(
      JSON.stringify({
        bench: 'http',
        rps: {
          node_feed200: Math.round(node200.rps),
          feed200: Math.round(feed200.rps),
          node_feed304: Math.round(node304.rps),
          feed304: Math.round(feed304.rps),
          node_prefs_static: Math.round(nodePrefs.rps),
          prefs: Math.round(prefs.rps),
        },
        prefs_p99_ms: prefs.p99,
        ratios: {
          feed200_vs_node: round(feed200.rps / node200.rps),
          feed304_vs_node: round(feed304.rps / node304.rps),
        },
      }),
    );
  } finally {
    child.kill();
  }
}

if (process.argv[2] === 'serve') await serveBoth();
else await main();
