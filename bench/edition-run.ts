/**
 * One full edition run at scale (issue #7): 100,000 subscribers, 10,000 recent items, a libsql
 * FILE database under the OS temp folder (deleted afterwards).
 *
 *   npm run bench -- edition-run [--subscribers 100000] [--items 10000] [--naive-sample 300]
 *
 * Ours, timed per stage: due check (one schedules query, Intl math shared per zone, one
 * "already planned" query) → rank (items and their stored sentence vectors loaded once, one
 * ranker, preferences, exclusions and interest vectors loaded per group of 500) → store editions and outbox rows (multi-row inserts, one batch per
 * group) → render and send with the product's own send loop, sendOutbox (claimed batches of up
 * to 500 loaded with a few queries, the compiled template filled per email, a null-sink mailer,
 * sent marks written many rows per statement). Beside it, the per-row path the Workers Queue
 * consumer uses (claim → sendOne → settle, one commit per message) is timed on a sample and
 * reported per message.
 *
 * The database is seeded by a child process (this file with --seed-into), so the peak RSS
 * measured here is the edition run's own (plus the naive sample's), not that of generating
 * 100,000 synthetic subscribers in JavaScript, which the product never does; the seeding
 * process's peak is reported beside it.
 *
 * Naive, in the same run on a sample and extrapolated: per subscriber one query for the row and
 * preferences, one for "already planned", one for sent items, an edition insert and an outbox
 * insert each on their own, MJML compiled per email, and an update per send. Same ranker, so
 * the ratio is what the planner's I/O and rendering design buys. The last stdout line is the
 * JSON summary.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { compileMjml } from '../scripts/build-templates.ts';
import { parseConfig } from '../src/config.ts';
import { migrateLibsql, openLibsql } from '../src/db/libsql.ts';
import { items as itemsTable, preferences, sources, subscribers } from '../src/db/schema.ts';
import type { Mailer } from '../src/deliver/mailer.ts';
import { LEASE_MS, sendOne, sendOutbox } from '../src/deliver/send-outbox.ts';
import type { Deps } from '../src/deps.ts';
import { buildEditions, type PlanTimings, toRankItem } from '../src/editions/build-editions.ts';
import { loadEditionViews } from '../src/editions/load-view.ts';
import { editionKey, isDue, localTime } from '../src/editions/schedule.ts';
import { batchRanker, type RankingBatch } from '../src/editions/sentences.ts';
import { loadEmbeddings, paths } from '../src/entry/node-deps.ts';
import { silentLog } from '../src/log.ts';
import { type Preferences, parsePreferences } from '../src/preferences/schema.ts';
import { interestSentenceText, itemSentenceText } from '../src/rank/index.ts';
import { digestFillData, renderDigestText, subjectLine } from '../src/render/email.ts';
import { lazySentenceEncoder, sentenceModelId } from '../src/semantic/encoder.ts';
import {
  createSentenceService,
  memoryVectorStore,
  sentenceKey,
  type VectorStore,
} from '../src/semantic/service.ts';
import { listRecentItems } from '../src/store/items.ts';
import { claimOutbox } from '../src/store/outbox.ts';
import { dbVectorStore, putSentenceVectors } from '../src/store/sentence-vectors.ts';
import { numberArg, stringArg } from './lib/args.ts';
import { benchVocabulary, seededRandom, syntheticSentences, zipfWords } from './lib/synthetic.ts';

const N_SUBS = numberArg('subscribers', 100_000);
const N_ITEMS = numberArg('items', 10_000);
const NAIVE_SAMPLE = numberArg('naive-sample', 300);
const NOW = Date.UTC(2026, 10, 24, 12, 0);
const HOUR = 3_600_000;

const rand = seededRandom(7);
const pickOne = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

// Real English words, Zipf-distributed like real text.
const vocab = benchVocabulary(loadEmbeddings().words);
const word = zipfWords(rand, vocab, vocab.length);
const interestWord = zipfWords(rand, vocab, Math.min(5000, vocab.length));
const words = (k: number) => Array.from({ length: k }, word).join(' ');

const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'America/St_Johns',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Helsinki',
  'Africa/Lagos',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Australia/Adelaide',
  'Pacific/Auckland',
  'Pacific/Chatham',
  'Pacific/Honolulu',
  'UTC',
];

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const log = (msg: string) => console.error(`edition-run: ${msg}`);
const seedInto = stringArg('seed-into');
const dir = seedInto ? '' : mkdtempSync(join(tmpdir(), 'sift-bench-'));
const url = seedInto ?? `file:${join(dir, 'bench.db')}`;
// The naive sample's subscribers: its own sequence (the seeding process drew from `rand`).
const sampleRand = seededRandom(11);

/** Seeds the database in a child process; returns that process's peak RSS in MB. */
function seedInChild(): number {
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--seed-into',
      url,
      '--subscribers',
      String(N_SUBS),
      '--items',
      String(N_ITEMS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`edition-run: seeding failed (exit ${child.status})`);
  return (JSON.parse(child.stdout.trim().split('\n').pop()!) as { peak_rss_mb: number }).peak_rss_mb;
}

/** The child's job: migrate and seed, report its own peak RSS. */
async function seedOnly() {
  const { db, close } = openLibsql(url);
  try {
    await migrateLibsql(db, paths.migrations);
    await seedDatabase(db);
  } finally {
    close();
  }
  console.log(JSON.stringify({ peak_rss_mb: mb(process.resourceUsage().maxRSS * 1024) }));
}

/** A mailer that accepts everything and keeps nothing. */
const nullSink: Mailer & { count: number; bytes: number } = {
  name: 'null',
  count: 0,
  bytes: 0,
  async send(email) {
    this.count++;
    this.bytes += email.html.length + email.text.length;
    return {};
  },
};

async function seedDatabase(db: Deps['db']) {
  const statements: unknown[] = [];
  statements.push(
    db.insert(sources).values(
      Array.from({ length: 200 }, (_, i) => ({
        url: `https://source-${i}.example/feed.xml`,
        title: `Source ${i}`,
        paused: true,
        nextCheckAt: NOW + HOUR,
      })),
    ),
  );
  const itemRows = Array.from({ length: N_ITEMS }, (_, i) => ({
    sourceId: 1 + Math.floor(rand() * 200),
    key: `item-${i}`,
    url: `https://example.com/story/${i}`,
    title: words(8),
    summary: words(30),
    categories: [word()],
    publishedAt: NOW - Math.floor(rand() * 48 * HOUR),
    fetchedAt: NOW - Math.floor(rand() * 24 * HOUR),
  }));
  for (let i = 0; i < itemRows.length; i += 500)
    statements.push(db.insert(itemsTable).values(itemRows.slice(i, i + 500)));
  await db.batch(statements as never);

  // Everyone's latest delivery time passed 0–4 h ago in their own zone: one full run plans all.
  for (let i = 0; i < N_SUBS; i += 2000) {
    const subs = [];
    const prefs: { subscriberId: number; data: Preferences }[] = [];
    for (let j = i; j < Math.min(N_SUBS, i + 2000); j++) {
      const timezone = pickOne(ZONES);
      const local = localTime(NOW, timezone);
      const back = 1 + Math.floor(rand() * 3);
      const weekly = local.hour >= 4 && rand() < 0.15;
      subs.push({
        id: j + 1,
        email: `reader-${j}@example.com`,
        status: 'active' as const,
        timezone,
        frequency: weekly ? ('weekly' as const) : ('daily' as const),
        weekday: local.weekday,
        deliveryHour: (local.hour - back + 24) % 24,
        deliveryMinute: Math.floor(rand() * 60),
        createdAt: NOW - 30 * 24 * HOUR,
        confirmedAt: NOW - 30 * 24 * HOUR,
      });
      prefs.push({
        subscriberId: j + 1,
        data: parsePreferences({
          interests: Array.from({ length: 3 + Math.floor(rand() * 8) }, interestWord),
          mutes: Array.from({ length: Math.floor(rand() * 4) }, interestWord),
          followedSources: rand() < 0.3 ? [`Source ${Math.floor(rand() * 200)}`] : [],
          maxItems: 5 + Math.floor(rand() * 11),
        }),
      });
    }
    const batch: unknown[] = [];
    for (let k = 0; k < subs.length; k += 200) {
      batch.push(db.insert(subscribers).values(subs.slice(k, k + 200)));
      batch.push(db.insert(preferences).values(prefs.slice(k, k + 200)));
    }
    await db.batch(batch as never);
  }
  // Items' sentence vectors as ingest stored them (synthetic, of the product's length, under the
  // product's own keys: see syntheticSentences).
  const itemTexts = itemRows.map((r) => itemSentenceText(r));
  const vectors = syntheticSentences(itemTexts, []);
  await putSentenceVectors(db, await keyedVectors(itemTexts, (_, i) => vectors.items[i]!));
}

/** Vectors by the product's content key (model id and text), as its stores hold them. */
async function keyedVectors(
  texts: Iterable<string>,
  vectorOf: (text: string, i: number) => Int8Array,
): Promise<Map<string, Int8Array>> {
  const model = sentenceModelId();
  const out = new Map<string, Int8Array>();
  let i = 0;
  for (const text of texts) out.set(await sentenceKey(model, text), vectorOf(text, i++));
  return out;
}

/**
 * The interests' vectors as a running process holds them in memory after its first run (the
 * product never writes them to disk): synthetic, under the product's keys, for every interest
 * the subscribers hold.
 */
async function interestVectorsInMemory(db: Deps['db']): Promise<VectorStore> {
  const texts = new Set<string>();
  for (const row of await db.select({ data: preferences.data }).from(preferences).all())
    for (const i of row.data.interests) texts.add(interestSentenceText([i.term]));
  const vectors = syntheticSentences([], texts);
  const entries = await keyedVectors(texts, (text) => vectors.interest(text)!);
  const store = memoryVectorStore(entries.size);
  await store.put(entries);
  return store;
}

/** The naive planner and sender for one subscriber: a query or write per step, MJML per email. */
async function naiveOne(deps: Deps, id: number, { ranker, prepare }: RankingBatch) {
  const row = await deps.db.get<Record<string, unknown>>(
    sql`SELECT s.*, p.data AS prefs FROM subscribers s JOIN preferences p ON p.subscriber_id = s.id WHERE s.id = ${id}`,
  );
  const subscriber = {
    id,
    timezone: String(row!.timezone),
    frequency: row!.frequency as 'daily' | 'weekly',
    weekday: Number(row!.weekday),
    deliveryHour: Number(row!.delivery_hour),
    deliveryMinute: Number(row!.delivery_minute),
  };
  if (!isDue(subscriber, NOW)) return;
  const key = `${editionKey(subscriber, NOW)}#naive`;
  const planned = await deps.db.all(
    sql`SELECT id FROM editions WHERE subscriber_id = ${id} AND edition_key = ${key}`,
  );
  if (planned.length > 0) return;
  const sentRows = await deps.db.all<{ picks: string }>(
    sql`SELECT picks FROM editions WHERE subscriber_id = ${id} AND created_at >= ${NOW - 72 * HOUR}`,
  );
  const exclude = new Set(
    sentRows.flatMap((r) => (JSON.parse(r.picks) as { itemId: number }[]).map((p) => String(p.itemId))),
  );
  const prefs = parsePreferences(JSON.parse(String(row!.prefs)));
  await prepare([prefs]);
  const picks = ranker.rank(prefs, { now: NOW, exclude });
  if (picks.length === 0) return;
  const stored = picks.map((p) => ({ itemId: Number(p.id), score: p.score, reasons: p.reasons }));
  const edition = await deps.db.get<{ id: number }>(
    sql`INSERT INTO editions (subscriber_id, edition_key, picks, created_at) VALUES (${id}, ${key}, ${JSON.stringify(stored)}, ${NOW}) RETURNING id`,
  );
  const outboxRow = await deps.db.get<{ id: number }>(
    sql`INSERT INTO outbox (subscriber_id, edition_key, edition_id, status, next_attempt_at, created_at) VALUES (${id}, ${key}, ${edition!.id}, 'pending', ${NOW}, ${NOW}) RETURNING id`,
  );
  const full = await deps.db.select().from(subscribers).where(sql`id = ${id}`).get();
  const [view] = await loadEditionViews(deps, full!, [
    { id: edition!.id, subscriberId: id, editionKey: key, picks: stored, createdAt: NOW },
  ]);
  const html = await compileMjml('digest', digestFillData(view!, view!.picks));
  const text = renderDigestText(view!);
  await deps.mailer.send({
    to: full!.email,
    from: deps.config.SIFT_MAIL_FROM,
    subject: subjectLine(view!),
    html,
    text,
    headers: {},
    messageId: `<naive-${outboxRow!.id}@bench>`,
    idempotencyKey: `naive-${outboxRow!.id}`,
  });
  await deps.db.run(sql`UPDATE outbox SET status = 'sent', sent_at = ${NOW} WHERE id = ${outboxRow!.id}`);
}

const LOOP_SAMPLE = 200;

/** Peak RSS per phase, sampled every 50 ms (process.resourceUsage() only knows the whole run). */
const phasePeaks: Record<string, number> = {};
let phase = 'start';
const sampler = setInterval(() => {
  phasePeaks[phase] = Math.max(phasePeaks[phase] ?? 0, mb(process.memoryUsage.rss()));
}, 50);
sampler.unref();
const enterPhase = (name: string) => {
  phasePeaks[phase] = Math.max(phasePeaks[phase] ?? 0, mb(process.memoryUsage.rss()));
  phase = name;
};

async function main() {
  let t = performance.now();
  const seedPeak = seedInChild();
  log(
    `seeded ${N_SUBS} subscribers and ${N_ITEMS} items in ${((performance.now() - t) / 1000).toFixed(1)} s (separate process, peak RSS ${seedPeak} MB)`,
  );
  const { db, close } = openLibsql(url);
  await migrateLibsql(db, paths.migrations);
  // The real encoder: it would load only for a text that has no vector (none here).
  const encoder = lazySentenceEncoder(silentLog);
  if (!encoder) throw new Error('edition-run: the sentence encoder package is missing');
  const deps: Deps = {
    db,
    mailer: nullSink,
    config: parseConfig({ SIFT_DEMO: 'off', SIFT_BASE_URL: 'https://sift.example', SIFT_SEND_RATE: '0' }),
    secret: 'bench-secret-0123456789abcdef0123456789abcdef',
    log: silentLog,
    clock: () => NOW,
    fetch: globalThis.fetch,
    bundled: async () => '',
    // The product's ranking context: Node loads the shipped embedding table into Deps, and
    // sentence vectors come from the database (the encoder would load only for a missing one).
    embeddings: loadEmbeddings(),
    sentences: {
      items: createSentenceService(encoder, dbVectorStore(db)),
      interests: createSentenceService(encoder, await interestVectorsInMemory(db)),
    },
  };
  try {
    // Naive, on a sample (its rows are removed before ours runs).
    enterPhase('naive');
    const naiveItems = (await listRecentItems(db, NOW - 72 * HOUR)).map(toRankItem);
    let naive: RankingBatch | null = await batchRanker(deps, naiveItems);
    const sample = Array.from({ length: NAIVE_SAMPLE }, () => 1 + Math.floor(sampleRand() * N_SUBS));
    for (const id of sample.slice(0, 3)) await naiveOne(deps, id, naive!); // warm MJML
    await db.run(sql`DELETE FROM outbox WHERE edition_key LIKE '%#naive'`);
    await db.run(sql`DELETE FROM editions WHERE edition_key LIKE '%#naive'`);
    t = performance.now();
    for (const id of sample) await naiveOne(deps, id, naive!);
    // Its ranker (indexes over every item) must not stay live beside ours.
    naive = null;
    const naivePerSub = (performance.now() - t) / 1000 / sample.length;
    const naiveSent = nullSink.count;
    await db.run(sql`DELETE FROM outbox WHERE edition_key LIKE '%#naive'`);
    await db.run(sql`DELETE FROM editions WHERE edition_key LIKE '%#naive'`);
    nullSink.count = 0;
    nullSink.bytes = 0;
    log(
      `naive: ${(naivePerSub * 1000).toFixed(1)} ms per subscriber over ${sample.length} (${naiveSent} sent)`,
    );
    globalThis.gc?.();

    // Ours: one full run.
    const timings: PlanTimings = { due: 0, rank: 0, store: 0 };
    enterPhase('plan');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const plan = await buildEditions(deps, { timings });
    const tPlanned = performance.now();
    const c1 = process.cpuUsage();
    const memAfterPlan = process.memoryUsage();
    log(
      `after planning: rss ${mb(memAfterPlan.rss)} MB, heap used ${mb(memAfterPlan.heapUsed)} of ${mb(memAfterPlan.heapTotal)} MB, external ${mb(memAfterPlan.external)} MB`,
    );
    // The product's own send loop (what the send job runs): batches claimed with a lease, loaded
    // with a few queries each, rendered, handed to the null sink, marked sent many per statement.
    // Planning and sending are separate jobs in the product (their own cron ticks), so the
    // planner's garbage is not the sender's: collect it between the two, as time between ticks would.
    globalThis.gc?.();
    log(`live heap after planning (after a full GC): ${mb(process.memoryUsage().heapUsed)} MB`);
    enterPhase('render_send');
    const sendStats = await sendOutbox(deps);
    enterPhase('after');
    const sent = sendStats.sent;
    const tSent = performance.now();
    const c2 = process.cpuUsage();
    // CPU seconds of this process: on a shared machine, how much of the wall time was our work.
    const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) =>
      round((b.user - a.user + b.system - a.system) / 1e6);

    // The per-row path (claim → sendOne → settle, queries and a commit per message) that the
    // Workers Queue consumer uses, on a sample of fresh rows: reported beside, not part of the run.
    await db.run(
      sql`UPDATE outbox SET status = 'pending', sent_at = NULL WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ${LOOP_SAMPLE})`,
    );
    const tl = performance.now();
    let loopSent = 0;
    for (const row of await claimOutbox(db, NOW, LEASE_MS, LOOP_SAMPLE))
      if ((await sendOne(deps, row)) === 'sent') loopSent++;
    const loopPerRow = (performance.now() - tl) / Math.max(1, loopSent);
    const seconds = (tSent - t0) / 1000;
    // This process's peak (the naive sample included): the upper bound of the run's memory.
    const peak = mb(process.resourceUsage().maxRSS * 1024);
    const rate = (ms: number) => Math.round(N_SUBS / (ms / 1000));
    const stages = {
      due_check: { seconds: round(timings.due / 1000), subscribers_per_s: rate(timings.due) },
      rank: { seconds: round(timings.rank / 1000), subscribers_per_s: rate(timings.rank) },
      store_editions: { seconds: round(timings.store / 1000), subscribers_per_s: rate(timings.store) },
      render_send: {
        seconds: round((tSent - tPlanned) / 1000),
        subscribers_per_s: rate(tSent - tPlanned),
      },
    };
    const naiveSeconds = naivePerSub * N_SUBS;
    log(`plan CPU ${cpu(c0, c1)} s, render+send CPU ${cpu(c1, c2)} s`);
    log(
      `plan: ${JSON.stringify(plan)}; send: ${JSON.stringify(sent)}; ${nullSink.count} emails, ${mb(nullSink.bytes)} MB`,
    );
    for (const [name, s] of Object.entries(stages))
      log(
        `  ${name.padEnd(15)} ${s.seconds.toFixed(2).padStart(7)} s  ${String(s.subscribers_per_s).padStart(8)} subscribers/s`,
      );
    log(
      `total ${seconds.toFixed(1)} s (target < 60 s), CPU ${cpu(c0, c2)} s, peak RSS ${peak} MB (target < 1024 MB)`,
    );
    log(`peak RSS per phase (MB): ${JSON.stringify(phasePeaks)}`);
    log(`naive ${naiveSeconds.toFixed(0)} s extrapolated from ${sample.length} subscribers`);
    log(`per-row sendOne: ${loopPerRow.toFixed(1)} ms per message over ${loopSent} (one commit each)`);
    if (plan.built + plan.empty !== N_SUBS || sent !== plan.built)
      throw new Error(`edition-run: expected every subscriber planned once and every edition sent`);
    console.log(
      JSON.stringify({
        bench: 'edition-run',
        subscribers: N_SUBS,
        items: N_ITEMS,
        seconds: round(seconds),
        cpu_seconds: { plan: cpu(c0, c1), render_send: cpu(c1, c2), total: cpu(c0, c2) },
        stages,
        built: plan.built,
        empty: plan.empty,
        sent,
        send_one_ms_per_message: round(loopPerRow),
        peak_rss_mb: peak,
        peak_rss_mb_by_phase: phasePeaks,
        seed_process_peak_rss_mb: seedPeak,
        naive: { sample: sample.length, seconds_extrapolated: Math.round(naiveSeconds) },
        ratios: { vs_naive: round(naiveSeconds / seconds) },
      }),
    );
  } finally {
    close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

if (seedInto) await seedOnly();
else {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  await main();
}
