#!/usr/bin/env node
// `npm run bench -- NAME` runs bench/NAME.ts with tsx; the bench prints its JSON summary last.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
if (!name || !existsSync(new URL(`../bench/${name}.ts`, import.meta.url))) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ') || 'none'})`);
  process.exit(2);
}
const r = spawnSync(
  process.execPath,
  ['--expose-gc', '--import', 'tsx', `bench/${name}.ts`, ...process.argv.slice(3)],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
