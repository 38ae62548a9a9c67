#!/usr/bin/env node
// `npm test`: the Node suites, then the Workers suites in real workerd, then one summary line
// ("Tests: N passed, N failed") that counts both runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const runs = [{ name: 'node', config: 'vitest.config.ts', args }];
// With file filters, only run the Node suites unless a worker test is named.
if (args.length === 0 || args.some((a) => a.includes('tests/worker')))
  runs.push({
    name: 'workerd',
    config: 'vitest.worker.config.ts',
    args: args.filter((a) => a.includes('tests/worker')),
  });

const dir = mkdtempSync(join(tmpdir(), 'sift-test-report-'));
const total = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
for (const run of runs) {
  const out = join(dir, `${run.name}.json`);
  const r = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--config',
      run.config,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
      ...run.args,
    ],
    { stdio: 'inherit' },
  );
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    total.passed += report.numPassedTests;
    total.failed += report.numFailedTests;
    total.skipped += report.numPendingTests + report.numTodoTests;
    if (report.numTotalTests === 0) status ||= 1;
  } catch {
    total.failed += 1; // no report: the run itself failed (config or start-up error)
  }
  if (r.status !== 0) status = r.status ?? 1;
}
rmSync(dir, { recursive: true, force: true });
console.log(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? status || 1 : status);
