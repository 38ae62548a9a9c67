#!/usr/bin/env node
// `npm run test:real-world`: every captured real feed in ../shared/data/feeds/real-world/ goes
// through `sift parse` (the exact ingestion pipeline). All must yield items, except
// unrecognized.rss, an HTML page that must be refused as "not a feed". Not part of `npm test`:
// a clone elsewhere has no ../shared.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = fileURLToPath(new URL('../../shared/data/feeds/real-world/', import.meta.url));
if (!existsSync(dir)) {
  console.error(
    `test:real-world: ${dir} not found. Check out the shared data beside this repository (../shared) to run it.`,
  );
  process.exit(2);
}
const NOT_FEEDS = new Set(['unrecognized.rss']);
const files = readdirSync(dir)
  .filter((f) => !f.startsWith('.'))
  .sort();
const run = spawnSync(process.execPath, ['bin/sift.mjs', 'parse', ...files.map((f) => dir + f)], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
if (run.error || (run.status !== 0 && run.status !== 1)) {
  console.error('test:real-world: sift parse did not run:', run.error ?? run.stderr);
  process.exit(1);
}
const lines = run.stdout
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const failures = [];
let withItems = 0;
for (const [i, file] of files.entries()) {
  const line = lines[i];
  const leadingBlank = /^\s/.test(readFileSync(dir + file, 'latin1').slice(0, 1));
  const note = leadingBlank ? ' (blank line before the XML declaration)' : '';
  if (NOT_FEEDS.has(file)) {
    const ok = line && !line.ok && /^not a feed/.test(line.error ?? '');
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${file}: refused — ${line?.error}`);
    if (!ok) failures.push(`${file} must be refused as "not a feed", got ${JSON.stringify(line)}`);
    continue;
  }
  const ok = line?.ok && line.items.length > 0 && line.items.every((it) => it.id && it.title);
  if (ok) withItems++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${file}: ${line?.ok ? `${line.format}, ${line.items.length} items, "${line.title}"` : line?.error}${note}`,
  );
  if (!ok) failures.push(`${file}: ${line?.error ?? 'no items'}`);
}
console.log(
  `\n${withItems} of ${files.length - NOT_FEEDS.size} feeds yield items; ${NOT_FEEDS.size} non-feed refused.`,
);
if (failures.length) {
  console.error(`\ntest:real-world: ${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
