/**
 * Ranking speed (issue #4): 10,000 candidate items × 100,000 subscribers in one process.
 *
 *   npm run bench -- rank [--items 10000] [--subscribers 100000] [--naive-sample 200] [--second-pass] [--no-sentences]
 *
 * Synthetic but realistic: item words are drawn from a Zipf distribution over 20k real English
 * words of the embedding table (so expansion by embeddings, co-occurrence and the item graph
 * all do real work); subscribers have 8–12 interests, Zipf over the 5,000 commonest of those
 * words (10% two-word phrases from a pool of 1,000), 2–4 mutes, 30% follow a source; 200
 * sources, 5% near-duplicate headlines, dates over the last two days.
 *
 * Ours: createRanker once (timed), then rank() per subscriber: relevance (with 512-d sentence
 * vectors, ready-made as ingest stores them: see syntheticSentences), mutes, recency,
 * follows, threshold, one pick per story, per-source cap, reasons. Naive baseline, in the same
 * run: the same formula computed per subscriber with nothing shared between subscribers and
 * every item scored by a scan (no inverted index), timed on a sample and extrapolated. The last stdout line is the JSON summary: wall `seconds` (build included) as
 * the issue asks, plus `cpu_seconds` and a CPU-time ratio, which stay meaningful when other
 * processes share the machine.
 */
import { readFileSync } from 'node:fs';
import { type Preferences, parsePreferences } from '../src/preferences/schema.ts';
import { createRanker, decodeEmbeddings, interestSentenceText, itemSentenceText } from '../src/rank/index.ts';
import type { RankItem } from '../src/rank/types.ts';
import { numberArg } from './lib/args.ts';
import { benchVocabulary, seededRandom, syntheticSentences, zipfWords } from './lib/synthetic.ts';

const N_ITEMS = numberArg('items', 10_000);
const N_SUBS = numberArg('subscribers', 100_000);
const NAIVE_SAMPLE = numberArg('naive-sample', 200);
/** Rank without sentence vectors (what Workers do, or SIFT_SENTENCES=off). */
const NO_SENTENCES = process.argv.includes('--no-sentences');

const rand = seededRandom(42);
const table = decodeEmbeddings(readFileSync(new URL('../src/rank/data/embeddings.bin', import.meta.url)));
const vocab = benchVocabulary(table.words);
const word = zipfWords(rand, vocab, vocab.length);
const interestWord = zipfWords(rand, vocab, Math.min(5000, vocab.length));
// People type common phrases, not random word pairs: a fixed pool of 1,000 two-word phrases.
const phrases = Array.from({ length: 1000 }, () => `${interestWord()} ${interestWord()}`);
const phrase = () => phrases[Math.floor(rand() ** 2 * phrases.length)]!;
const words = (k: number) => Array.from({ length: k }, word).join(' ');

const now = Date.UTC(2026, 10, 24, 12);
const items: RankItem[] = [];
for (let i = 0; i < N_ITEMS; i++) {
  const copy = i > 0 && rand() < 0.05 ? items[Math.floor(rand() * i)] : undefined;
  items.push({
    id: `item-${i}`,
    title: copy ? `${copy.title} ${word()}` : words(8),
    summary: words(30),
    source: `Source ${Math.floor(rand() * 200)}`,
    categories: [word()],
    publishedAt: now - Math.floor(rand() * 48 * 3_600_000),
  });
}
const subscribers: Preferences[] = [];
for (let s = 0; s < N_SUBS; s++) {
  const interests = Array.from({ length: 8 + Math.floor(rand() * 5) }, () =>
    rand() < 0.1 ? phrase() : interestWord(),
  );
  subscribers.push(
    parsePreferences({
      interests,
      mutes: Array.from({ length: 2 + Math.floor(rand() * 3) }, interestWord),
      followedSources: rand() < 0.3 ? [`Source ${Math.floor(rand() * 200)}`] : [],
    }),
  );
}

// Sentence vectors as ingest would have stored them, and the subscribers' interests encoded up
// front as the planner does (see syntheticSentences); the ranking below uses them.
const sentences = NO_SENTENCES
  ? undefined
  : syntheticSentences(
      items.map(itemSentenceText),
      subscribers.flatMap((p) => p.interests.map((i) => interestSentenceText([i.term]))),
    );

const mb = (kb: number) => Math.round(kb / 1024);
globalThis.gc?.();

// Ours: build once, rank everyone.
const t0 = performance.now();
const c0 = process.cpuUsage();
const ranker = createRanker(items, { embeddings: table, sentences });
const tBuilt = performance.now();
let picked = 0;
let withReasons = 0;
for (const prefs of subscribers) {
  const picks = ranker.rank(prefs, { now });
  picked += picks.length;
  for (const p of picks) if (p.reasons.length > 0) withReasons++;
}
const seconds = (performance.now() - t0) / 1000;
// CPU time of this process (all threads, so GC helpers count too): on a shared machine it shows
// how much of the wall time was our own work. Read before the optional second pass.
const cpu = process.cpuUsage(c0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
if (process.argv.includes('--second-pass')) {
  // Diagnostics: every interest is cached now, so this is the per-subscriber part alone.
  const c1 = process.cpuUsage();
  for (const prefs of subscribers) ranker.rank(prefs, { now });
  const c = process.cpuUsage(c1);
  console.error(`second pass (all interests cached): ${((c.user + c.system) / 1e6).toFixed(2)} cpu s`);
}
const peak = mb(process.resourceUsage().maxRSS);

// Naive: same formula, every item scanned for every interest of every subscriber, on a sample.
const sample = subscribers.slice(0, NAIVE_SAMPLE);
const naiveRanker = createRanker(items, { embeddings: table, sentences, naive: true });
const t1 = performance.now();
const c1 = process.cpuUsage();
for (const prefs of sample) naiveRanker.rank(prefs, { now });
const naiveSeconds = ((performance.now() - t1) / 1000) * (N_SUBS / sample.length);
const naiveCpu = process.cpuUsage(c1);
const naiveCpuSeconds = ((naiveCpu.user + naiveCpu.system) / 1e6) * (N_SUBS / sample.length);

console.error(
  `rank bench: build ${((tBuilt - t0) / 1000).toFixed(2)} s, rank ${((performance.now() - tBuilt) / 1000).toFixed(2)} s incl. naive; ` +
    `${(picked / N_SUBS).toFixed(1)} picks/subscriber, ${picked - withReasons} without reasons; ` +
    `naive ${naiveSeconds.toFixed(0)} s extrapolated from ${sample.length}`,
);
console.log(
  JSON.stringify({
    bench: 'rank',
    subscribers: N_SUBS,
    items: N_ITEMS,
    seconds: Math.round(seconds * 1000) / 1000,
    cpu_seconds: Math.round(cpuSeconds * 1000) / 1000,
    peak_rss_mb: peak,
    ratios: {
      vs_naive: Math.round((naiveSeconds / seconds) * 10) / 10,
      // The same ratio in CPU time: steadier when other processes share the machine.
      vs_naive_cpu: Math.round((naiveCpuSeconds / cpuSeconds) * 10) / 10,
    },
  }),
);
