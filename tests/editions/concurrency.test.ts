import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEditions, type PlanStats } from '../../src/editions/build-editions.ts';
import { tempDir, testDeps } from '../helpers/deps.ts';
import { countsByKey, seedItems, seedSubscribers } from './seed.ts';

const NOW = Date.UTC(2026, 10, 24, 12);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A migrated libsql FILE with `n` subscribers due at NOW and stories to pick from. */
async function seededFile(n: number) {
  const dir = tempDir('sift-planners-');
  dirs.push(dir);
  const url = `file:${join(dir, 'sift.db')}`;
  const deps = await testDeps({ url, clock: () => NOW });
  await seedItems(deps.db, NOW - 3_600_000, 6);
  await seedSubscribers(
    deps.db,
    Array.from({ length: n }, (_, i) => ({ timezone: ['UTC', 'Europe/Berlin', 'Asia/Kolkata'][i % 3] })),
    NOW - 86_400_000,
  );
  return { url, deps };
}

/** A planner process; it starts planning when `go()` is called. */
function planner(url: string, groupSize: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/editions/planner-child.ts', url, String(NOW), String(groupSize)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  const ready = new Promise<void>((resolve) =>
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) resolve();
    }),
  );
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out: out || err })),
  );
  const go = async () => {
    await ready;
    child.stdin!.end('go\n');
  };
  return { child, done, go };
}

async function countEditions(deps: Awaited<ReturnType<typeof testDeps>>): Promise<number> {
  return (await deps.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM editions`))[0]!.n;
}

async function expectExactlyOnce(deps: Awaited<ReturnType<typeof testDeps>>, n: number) {
  for (const table of ['editions', 'outbox'] as const) {
    const counts = await countsByKey(deps.db, table);
    expect(counts, table).toHaveLength(n);
    expect(
      counts.filter((c) => c.n !== 1),
      `${table}: nobody twice`,
    ).toEqual([]);
  }
  const orphans = await deps.db.all(
    sql`SELECT e.id FROM editions e LEFT JOIN outbox o ON o.edition_id = e.id WHERE o.id IS NULL`,
  );
  expect(orphans, 'every edition has its outbox row').toEqual([]);
}

describe('planners against one libsql file', () => {
  it('two planner processes at once create exactly one edition and outbox row per subscriber', async () => {
    const N = 1500;
    // Whether the two runs overlapped is up to the OS scheduler (on a loaded machine one process
    // can finish before the other starts): exactly-once is checked on every attempt, and the
    // race is run again until both planners were seen planning at once.
    let overlapped = false;
    for (let attempt = 0; attempt < 4 && !overlapped; attempt++) {
      const { url, deps } = await seededFile(N);
      const a = planner(url, 50);
      const b = planner(url, 50);
      await Promise.all([a.go(), b.go()]);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.code, ra.out).toBe(0);
      expect(rb.code, rb.out).toBe(0);
      const sa = JSON.parse(ra.out.trim().split('\n').pop()!) as PlanStats;
      const sb = JSON.parse(rb.out.trim().split('\n').pop()!) as PlanStats;
      // Between them, each subscriber was built once; whatever one lost to the other is counted.
      expect(sa.built + sb.built).toBe(N);
      expect(sa.built + sa.alreadyPlanned + sa.empty).toBe(sa.due);
      expect(sb.built + sb.alreadyPlanned + sb.empty).toBe(sb.due);
      await expectExactlyOnce(deps, N);
      deps.close();
      // Both were planning at once: each found subscribers due.
      overlapped = sa.due > 0 && sb.due > 0;
    }
    expect(overlapped, 'the two planners ran at the same time at least once').toBe(true);
  }, 240_000);

  it('a planner killed (SIGKILL) mid-run and restarted leaves nobody skipped and nobody twice', async () => {
    const N = 3000;
    const { url, deps } = await seededFile(N);
    const { child, done, go } = planner(url, 20);
    await go();
    // Kill it once some groups are stored, well before it could finish.
    let stored = 0;
    for (let i = 0; i < 2000 && stored === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      // The child holds the write lock while it commits; a busy read just tries again.
      stored = await countEditions(deps).catch(() => 0);
    }
    child.kill('SIGKILL');
    const { code } = await done;
    expect(code).toBeNull(); // killed, not finished
    const before = await countEditions(deps);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(N);
    // Groups are stored whole: never an edition without its outbox row.
    const orphans = await deps.db.all(
      sql`SELECT e.id FROM editions e LEFT JOIN outbox o ON o.edition_id = e.id WHERE o.id IS NULL`,
    );
    expect(orphans).toEqual([]);

    const restarted = await buildEditions(deps);
    expect(restarted.built).toBe(N - before);
    await expectExactlyOnce(deps, N);
    expect(await buildEditions(deps)).toMatchObject({ due: 0, built: 0 });
    deps.close();
  }, 120_000);
});
