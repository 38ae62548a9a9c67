// `npm run bench -- ingest`: 1,000 feeds × 50 items from a local HTTP server through the real
// ingest job (safe fetch, decode, parse, sanitise, cluster, libsql file), once all fresh and once
// all 304; then where parse time goes: xml2js (the XML parser under rss-parser) vs rss-parser vs
// Sift's whole parse pipeline, on the same bodies. Last stdout line: one JSON summary.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { parseConfig } from '../src/config.ts';
import { migrateLibsql, openLibsql } from '../src/db/libsql.ts';
import { sources } from '../src/db/schema.ts';
import type { Deps } from '../src/deps.ts';
import { createSourceFetch, diskBundledFeeds, paths } from '../src/entry/node-deps.ts';
import { parseFeedText } from '../src/ingest/parse.ts';
import { ingestDue } from '../src/jobs/ingest-due.ts';
import { silentLog } from '../src/log.ts';
import { countItems } from '../src/store/items.ts';
import { upsertSource } from '../src/store/sources.ts';

const FEEDS = Number(process.env.BENCH_FEEDS ?? 1000);
const ITEMS = 50;
// A few thousand made-up words, so texts differ the way real news does (and clustering sees
// realistic, mostly distinct fingerprints).
const SYLLABLES = 'ka lo mi ne ra su ti vo be da fe gi ho ju ly pa qe si to wu'.split(' ');
const WORDS = Array.from({ length: 4000 }, (_, i) =>
  [i % 20, Math.floor(i / 20) % 20, Math.floor(i / 400) % 20].map((n) => SYLLABLES[n]).join(''),
);

function words(seed: number, n: number): string {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    out.push(WORDS[(x >>> 12) % WORDS.length]!);
  }
  return out.join(' ');
}

function feedBody(f: number): string {
  const items = Array.from({ length: ITEMS }, (_, i) => {
    const seed = f * 1000 + i;
    return `<item><title>${words(seed, 8)} #${f}-${i}</title><link>https://site${f}.example/story/${i}?utm_source=rss</link><guid>s${f}-i${i}</guid><pubDate>${new Date(Date.UTC(2026, 10, 20) + seed * 60_000).toUTCString()}</pubDate><description><![CDATA[<p>${words(seed + 7, 60)}</p><p><a href="/more/${i}">more</a> <img src="https://img.example/${i}.jpg"></p><script>track()</script>]]></description><category>${WORDS[i % WORDS.length]}</category></item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Site ${f}</title><link>https://site${f}.example/</link>\n${items}\n</channel></rss>\n`;
}

const bodies = Array.from({ length: FEEDS }, (_, f) => Buffer.from(feedBody(f)));
const server = createServer((req, res) => {
  const f = Number(/\/feed\/(\d+)/.exec(req.url ?? '')?.[1]);
  const etag = `"f${f}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag });
  res.end(bodies[f]);
});
server.keepAliveTimeout = 30_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;

const dir = mkdtempSync(join(tmpdir(), 'sift-bench-ingest-'));
const config = parseConfig({
  SIFT_DEMO: 'off',
  SIFT_BASE_URL: 'https://sift.bench',
  // The bench server is on 127.0.0.1 (explicit opt-in), and all feeds share its one host, so the
  // per-host cap is raised to the global concurrency here.
  SIFT_ALLOW_PRIVATE_HOSTS: `127.0.0.1:${port}`,
  SIFT_INGEST_CONCURRENCY: '16',
  SIFT_INGEST_PER_HOST: '16',
});
const { db, close } = openLibsql(`file:${join(dir, 'sift.db')}`);
await migrateLibsql(db, paths.migrations);
if (process.env.BENCH_WAL !== '0') {
  // WAL + synchronous=NORMAL: one fsync per checkpoint instead of per statement (see README).
  await db.run('PRAGMA journal_mode = WAL');
  await db.run('PRAGMA synchronous = NORMAL');
}
const deps: Deps = {
  db,
  config,
  secret: 'bench-secret-0123456789abcdef0123456789abcdef',
  mailer: {
    name: 'none',
    async send() {
      return {};
    },
  },
  log: silentLog,
  clock: Date.now,
  fetch: createSourceFetch(config),
  bundled: diskBundledFeeds(Date.now),
};
for (let f = 0; f < FEEDS; f++) await upsertSource(db, { url: `http://127.0.0.1:${port}/feed/${f}` });

let t = performance.now();
const fresh = await ingestDue(deps);
const freshSeconds = (performance.now() - t) / 1000;
const failed = fresh.filter((o) => !o.ok);
if (failed.length) throw new Error(`bench: ${failed.length} sources failed: ${JSON.stringify(failed[0])}`);
const stored = await countItems(db);

await db.update(sources).set({ nextCheckAt: 0 });
t = performance.now();
const second = await ingestDue(deps);
const nmSeconds = (performance.now() - t) / 1000;
if (!second.every((o) => o.ok && o.notModified)) throw new Error('bench: the second round was not all 304');

// Where parse time goes, on the same bodies: the XML parser alone, rss-parser, Sift's pipeline.
const rssParser = new Parser();
const xml2js = (
  rssParser as unknown as {
    xmlParser: { parseString(x: string, cb: (e: unknown, r: unknown) => void): void };
  }
).xmlParser;
const sample = bodies.slice(0, Math.min(200, FEEDS)).map((b) => b.toString('utf8'));
const time = async (fn: (x: string) => Promise<unknown>) => {
  for (const x of sample.slice(0, 20)) await fn(x); // warm-up
  const s = performance.now();
  for (const x of sample) await fn(x);
  return (performance.now() - s) / sample.length;
};
const xmlMs = await time(
  (x) => new Promise((res, rej) => xml2js.parseString(x, (e, r) => (e ? rej(e) : res(r)))),
);
const rssMs = await time((x) => rssParser.parseString(x));
const pipelineMs = await time((x) => parseFeedText(x, { url: 'https://bench.example/feed' }));

const peakRss = Math.round(process.resourceUsage().maxRSS / 1024);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
console.error(
  `ingest bench: ${FEEDS} feeds × ${ITEMS} items (${stored} stored); fresh ${freshSeconds.toFixed(2)} s, all-304 ${nmSeconds.toFixed(2)} s; ` +
    `parse per feed: xml2js ${xmlMs.toFixed(2)} ms, rss-parser ${rssMs.toFixed(2)} ms, Sift pipeline (decode+parse+normalise+sanitise) ${pipelineMs.toFixed(2)} ms`,
);
server.close();
close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'ingest',
    feeds: FEEDS,
    items_per_feed: ITEMS,
    feeds_per_s: { fresh: round(FEEDS / freshSeconds), not_modified: round(FEEDS / nmSeconds) },
    items_per_s: round(stored / freshSeconds),
    peak_rss_mb: peakRss,
    parse_ms_per_feed: {
      xml2js: round(xmlMs, 2),
      rss_parser: round(rssMs, 2),
      sift_pipeline: round(pipelineMs, 2),
    },
    ratios: {
      not_modified_vs_fresh: round(freshSeconds / nmSeconds, 2),
      rss_parser_vs_xml2js: round(rssMs / xmlMs, 2),
      pipeline_vs_rss_parser: round(pipelineMs / rssMs, 2),
    },
  }),
);
process.exit(0);
