/**
 * Email rendering speed (issue #5): 100,000 personalised digests of 10 picks each.
 *
 *   npm run bench -- render [--emails 100000] [--picks 10] [--mjml-sample 300]
 *
 * Data: a pool of 2,000 news-like items (real lengths, ampersands, quotes, non-ASCII text)
 * shared between subscribers as an edition run shares them; each subscriber gets 10 of them
 * with ranker-style reasons and their own signed-looking links (tests/render/sample-view.ts).
 *
 * In the same process, interleaved in rounds of 1,000 emails (so a busy machine slows all alike):
 * - mjml:  the naive way — expand the MJML source with the subscriber's data and run
 *          `mjml2html` per email; timed on a sample and extrapolated.
 * - ours:  `fillDigestHtml(view)`: the per-subscriber fill of the compiled template into bytes
 *          (building the fill data, escaping, size budget, assembling prebuilt byte segments into
 *          the fill's reused output, as the send path runs it before decoding the HTML).
 * - floor: copying the same bytes: `Buffer.concat` of the same prebuilt segments that a fill of
 *          the same emails assembles, so only the memory copy (into a fresh buffer) remains.
 * - copy:  the same copy into one reused buffer, as the fill writes: no allocation at all. Not a
 *          target; shown so the fill's distance from a bare copy is visible on equal terms.
 * The last stdout line is the JSON summary.
 */
import { compileMjml } from '../scripts/build-templates.ts';
import { digestFillData, digestTemplate, fillDigestHtml } from '../src/render/email.ts';
import { fillChunks } from '../src/render/slots.ts';
import { itemPool, sampleView } from '../tests/render/sample-view.ts';
import { numberArg } from './lib/args.ts';

const N = numberArg('emails', 100_000);
const PICKS = numberArg('picks', 10);
const MJML_SAMPLE = numberArg('mjml-sample', 300);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const pool = itemPool(2_000);
const BATCH = 1_000;
const ROUNDS = Math.ceil(N / BATCH);
// The very template (and item caches) the fill uses, so the floor copies exactly its segments.
const tpl = digestTemplate();

// Views are built outside the timed sections, a batch at a time, so memory stays flat.
function viewsBatch(start: number) {
  return Array.from({ length: Math.min(BATCH, N - start) }, (_, k) => sampleView(start + k + 1, pool, PICKS));
}

// The floor copies the segments that real fills of these emails assemble (same count, same bytes).
const SEGMENT_SETS = 256;
const sets = viewsBatch(0)
  .slice(0, SEGMENT_SETS)
  .map((v) => {
    const { chunks, size } = fillChunks(tpl, digestFillData(v, v.picks));
    return { buffers: chunks.map((c) => Buffer.from(c)), size };
  });

// Warm-up of all four.
for (const v of viewsBatch(0)) fillDigestHtml(v);
for (let i = 0; i < 5_000; i++) Buffer.concat(sets[i % SEGMENT_SETS]!.buffers, sets[i % SEGMENT_SETS]!.size);
const copyOut = Buffer.allocUnsafe(Math.max(...sets.map((s) => s.size)));
const copyInto = (buffers: Buffer[]): number => {
  let at = 0;
  for (const b of buffers) {
    copyOut.set(b, at);
    at += b.length;
  }
  return at;
};
for (let i = 0; i < 5_000; i++) copyInto(sets[i % SEGMENT_SETS]!.buffers);
const mjmlViews = Array.from({ length: MJML_SAMPLE }, (_, k) => sampleView(N + k + 1, pool, PICKS));
for (const v of mjmlViews.slice(0, 3)) await compileMjml('digest', digestFillData(v, v.picks));

// Rounds interleave the three measurements, so a busy machine slows all of them alike.
let oursMs = 0;
let floorMs = 0;
let copyMs = 0;
let copyBytes = 0;
let mjmlMs = 0;
let oursBytes = 0;
let floorBytes = 0;
let mjmlBytes = 0;
let mjmlDone = 0;
let t = 0;
for (let round = 0; round < ROUNDS; round++) {
  const views = viewsBatch(round * BATCH);
  gc();
  t = performance.now();
  for (let i = 0; i < views.length; i++) oursBytes += fillDigestHtml(views[i]!).bytes.length;
  oursMs += performance.now() - t;

  t = performance.now();
  for (let i = 0; i < views.length; i++) {
    const s = sets[(round * BATCH + i) % SEGMENT_SETS]!;
    floorBytes += Buffer.concat(s.buffers, s.size).length;
  }
  floorMs += performance.now() - t;

  t = performance.now();
  for (let i = 0; i < views.length; i++) {
    copyBytes += copyInto(sets[(round * BATCH + i) % SEGMENT_SETS]!.buffers);
  }
  copyMs += performance.now() - t;

  const mjmlTarget = Math.round(((round + 1) * MJML_SAMPLE) / ROUNDS);
  t = performance.now();
  for (; mjmlDone < mjmlTarget; mjmlDone++) {
    const v = mjmlViews[mjmlDone]!;
    mjmlBytes += (await compileMjml('digest', digestFillData(v, v.picks))).length;
  }
  mjmlMs += performance.now() - t;
}
oursMs /= N;
floorMs /= N;
copyMs /= N;
mjmlMs /= MJML_SAMPLE;
console.log(
  `mjml2html per email: ${mjmlMs.toFixed(3)} ms (sample of ${MJML_SAMPLE}, ~${Math.round(mjmlBytes / MJML_SAMPLE)} B)`,
);
console.log(
  `fill per email: ${(oursMs * 1000).toFixed(2)} µs (${N} emails, ${Math.round(oursBytes / N)} B each)`,
);
console.log(
  `memory-copy floor per email: ${(floorMs * 1000).toFixed(2)} µs (${Math.round(floorBytes / N)} B each)`,
);
console.log(
  `bare copy into a reused buffer per email: ${(copyMs * 1000).toFixed(2)} µs (${Math.round(copyBytes / N)} B each)`,
);

const round = (x: number, d = 5) => Number(x.toPrecision(d));
console.log(
  JSON.stringify({
    bench: 'render',
    ms_per_email: { mjml: round(mjmlMs), ours: round(oursMs), floor: round(floorMs), copy: round(copyMs) },
    ratios: {
      vs_mjml: round(mjmlMs / oursMs),
      vs_floor: round(oursMs / floorMs),
      vs_copy: round(oursMs / copyMs),
    },
  }),
);
