import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Config, parseConfig } from '../../src/config.ts';
import { migrateLibsql, openLibsql } from '../../src/db/libsql.ts';
import type { Deps } from '../../src/deps.ts';
import { createSourceFetch, diskBundledFeeds, loadEmbeddings, paths } from '../../src/entry/node-deps.ts';
import { silentLog } from '../../src/log.ts';
import { memoryMailer } from './memory-mailer.ts';

export { memoryMailer };

/** A fake clock starting at `start`, moved by hand. */
export function fakeClock(start = Date.UTC(2026, 10, 24, 9, 0)) {
  let now = start;
  const clock = () => now;
  clock.set = (t: number) => {
    now = t;
  };
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

/**
 * Deps over a real, migrated libsql database (in memory unless a file URL is given). `fetch` is the
 * production safe fetch: a test that serves feeds on 127.0.0.1 opts in explicitly with
 * `env: { SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' }` (or a narrower host:port).
 */
export async function testDeps(
  overrides: Partial<Deps> & { env?: Record<string, string>; url?: string } = {},
): Promise<Deps & { close(): void }> {
  const { env, url, ...rest } = overrides;
  const config: Config = parseConfig({ SIFT_DEMO: 'off', SIFT_BASE_URL: 'https://sift.test', ...env });
  const { db, close } = openLibsql(url ?? ':memory:');
  await migrateLibsql(db, paths.migrations);
  const clock = rest.clock ?? Date.now;
  return {
    db,
    config,
    secret: 'test-secret-0123456789abcdef0123456789abcdef',
    mailer: memoryMailer(),
    log: silentLog,
    clock,
    fetch: createSourceFetch(config),
    bundled: diskBundledFeeds(clock),
    embeddings: loadEmbeddings(),
    ...rest,
    close,
  };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'sift-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh temporary folder and a writer of files in it (returns each file's path). */
export function tempFiles(prefix = 'sift-test-'): { dir: string; file(name: string, text: string): string } {
  const dir = tempDir(prefix);
  return {
    dir,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
  };
}

/**
 * Closes what a test opened once it ends: `const keep = closedAfterEach();` at the top of a file,
 * then `const deps = keep(await testDeps())` in a test.
 */
export function closedAfterEach(): <T extends { close(): void }>(opened: T) => T {
  let open: { close(): void }[] = [];
  afterEach(() => {
    for (const o of open) o.close();
    open = [];
  });
  return (opened) => {
    open.push(opened);
    return opened;
  };
}
