#!/usr/bin/env node
// `npm run eval`: ranking quality against the shared evaluation sets (issue #4).
//
//   npm run eval                 both data sets, the product as shipped
//   npm run eval -- --ablation   also each expansion technique switched off in turn
//
// Runs ../shared/eval/rank-eval.mjs (which runs `npx sift rank` once per persona, next to a
// keyword-filter and a BM25 baseline) on ../shared/data/eval/{mind-dev,ag-news}. The data are
// research-licensed and stay in ../shared: nothing is copied into this repository.
// Two more sets ask the same mind-dev items with personas of our own (interests as a user would
// type them, relevance by MSN's section), to see whether what was tuned generalises:
// "mind-dev-more" (scripts/mind-dev-more-personas.jsonl), written after the ranking was tuned on
// the shared personas, "mind-dev-late" (scripts/mind-dev-late-personas.jsonl), written after
// mind-dev-more had been used to choose how sentence vectors are centred, and "mind-dev-fresh"
// (scripts/mind-dev-fresh-personas.jsonl), written after mind-dev-late had been used too.
// The first run encodes every item's sentence vector (~45 ms each: about 45 s for mind-dev and
// 6 min for ag-news on a 2-core machine); they are cached in SIFT_CACHE_DIR (./data/cache).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const shared = fileURLToPath(new URL('../../shared/', import.meta.url));
const harness = `${shared}eval/rank-eval.mjs`;
/** Our own persona sets over mind-dev's items: scripts/<name>-personas.jsonl. */
const ownSets = ['mind-dev-more', 'mind-dev-late', 'mind-dev-fresh'];
const sets = ['mind-dev', 'ag-news', ...ownSets];

if (!existsSync(harness)) {
  console.log(`eval: skipped — ${harness} not found. The evaluation data live beside the repository in`);
  console.log('../shared (not shipped with Sift: research licences); run this from a checkout that has it.');
  process.exit(0);
}

const ablation = process.argv.includes('--ablation');
// Each variant is the shipped ranker with some technique off (flags of `sift rank`).
const variants = ablation
  ? [
      ['product', ''],
      ['without typicality ordering', '--no-typical'],
      ['without centring sentence vectors', '--no-centring'],
      ['without sentence vectors (as on Workers)', '--no-sentences'],
      ['without sentence vectors or word embeddings', '--no-sentences --no-embeddings'],
      ['without sentence vectors or word-vector re-scoring and fill', '--no-sentences --no-dense'],
      ['no expansion at all (BM25F + phrases)', '--no-expansion'],
      ['with pseudo-relevance feedback added (off by default)', '--prf'],
      ['without co-occurrence', '--no-cooccurrence'],
      ['without item-graph spreading', '--no-graph'],
      ['without filling by meaning (sentences or word vectors)', '--no-dense-fill'],
    ]
  : [['product', '']];

let failed = false;
const ownDirs = [];
/** The harness's folder for a set: ../shared's own, or for one of ours the mind-dev items with our personas. */
function setDir(set) {
  if (!ownSets.includes(set)) return `${shared}data/eval/${set}`;
  const source = `${shared}data/eval/mind-dev`;
  if (!existsSync(source)) return source;
  // Linked, not copied: the items and labels stay in ../shared.
  const dir = mkdtempSync(join(tmpdir(), 'sift-eval-'));
  ownDirs.push(dir);
  for (const f of ['items.jsonl', 'labels.tsv']) symlinkSync(`${source}/${f}`, join(dir, f));
  copyFileSync(`${root}scripts/${set}-personas.jsonl`, join(dir, 'personas.jsonl'));
  return dir;
}

for (const set of sets) {
  const dir = setDir(set);
  if (!existsSync(dir)) {
    console.log(`eval: ${set}: no data at ${dir}, skipped`);
    continue;
  }
  for (const [name, flags] of variants) {
    const cmd =
      `node ${root}bin/sift.mjs rank --items {items} --prefs {prefs} --top {top} --format json ${flags}`.trim();
    console.log(`\n== ${set}: ${name}`);
    const r = spawnSync(process.execPath, [harness, dir, '--cmd', cmd], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) {
      failed = true;
      console.log(
        `eval: harness failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`,
      );
      continue;
    }
    // Per-persona rows for the product as shipped; only the summary lines for ablations.
    const lines = r.stdout.trim().split('\n');
    console.log((name === 'product' ? lines : lines.filter((l) => /^(mean|product)/.test(l))).join('\n'));
  }
}
for (const dir of ownDirs) rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
