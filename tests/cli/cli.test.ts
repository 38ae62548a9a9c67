import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLibsql, openLibsql } from '../../src/db/libsql.ts';
import { editions, outbox, preferences, subscribers } from '../../src/db/schema.ts';
import { paths } from '../../src/entry/node-deps.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';
import { feedServer } from '../admin/helpers.ts';
import { tempDir } from '../helpers/deps.ts';
import { sift } from './run.ts';

/** A fresh instance: its own data folder (database, secret, outbox), demo off. */
function instance(extra: Record<string, string> = {}) {
  const dir = tempDir('sift-cli-');
  return { dir, env: { SIFT_DATA_DIR: dir, SIFT_DEMO: 'off', LOG_LEVEL: 'warn', ...extra } };
}

async function count(dir: string, table: typeof editions | typeof outbox) {
  const { db, close } = openLibsql(`file:${join(dir, 'sift.db')}`);
  try {
    return (await db.select().from(table).all()).length;
  } finally {
    close();
  }
}

describe('sift --help', { timeout: 300_000 }, () => {
  it('lists every command with the exit codes', async () => {
    const top = await sift(['--help'], {});
    expect(top.code).toBe(0);
    for (const c of [
      'sources',
      'subscribers',
      'topics',
      'ingest',
      'editions',
      'send',
      'preview',
      'doctor',
      'rank',
    ])
      expect(top.stdout).toContain(`  ${c}`);
    expect(top.stdout).toMatch(/Exit codes: 0 success, 1 failure.*2 usage error/);
  });

  it.each([
    ['subscribers', '--help'],
    ['topics', 'add', '--help'],
    ['ingest', '--help'],
    ['editions', 'build', '--help'],
    ['send', '--help'],
    ['preview', '--help'],
    ['stats', '--help'],
    ['doctor', '--help'],
    ['backup', '--help'],
    ['sources', '--help'],
  ])('sift %s %s explains itself (exit 0) without touching a database', async (...args) => {
    const { env, dir } = instance();
    const res = await sift(args.filter(Boolean), env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: sift /);
    expect(res.stdout).toMatch(/Exit codes:/);
    if (args[0] !== 'sources') expect(existsSync(join(dir, 'sift.db'))).toBe(false);
  });

  it('exits 2 with the usage for an unknown command or option', async () => {
    const { env } = instance();
    const unknown = await sift(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = await sift(['editions', 'build', '--yesterday'], env);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/--yesterday/);
    expect(option.stderr).toContain('Usage: sift editions');
  });
});

describe('sift sources add', { timeout: 300_000 }, () => {
  let server: Awaited<ReturnType<typeof feedServer>>;
  beforeAll(async () => {
    server = await feedServer();
  });
  afterAll(() => server.close());

  it('adds a feed from a local server when 127.0.0.1 is explicitly allowed, and lists it', async () => {
    const { env } = instance({ SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' });
    const add = await sift(['sources', 'add', `${server.url}/feed.xml`], env);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added source 1: .* items?/);
    const list = await sift(['sources', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id: 1, url: `${server.url}/feed.xml` });
    const opml = await sift(['sources', 'export-opml'], env);
    expect(opml.code).toBe(0);
    expect(opml.stdout).toContain(`xmlUrl="${server.url}/feed.xml"`);
  });

  it('refuses the same local server without the opt-in (exit 1 with the reason)', async () => {
    const { env } = instance();
    const add = await sift(['sources', 'add', `${server.url}/feed.xml`], env);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/refused/);
  });
});

describe('a whole operator session', { timeout: 300_000 }, () => {
  let server: Awaited<ReturnType<typeof feedServer>>;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    server = await feedServer();
    ({ env, dir } = instance({ SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' }));
    expect((await sift(['sources', 'add', `${server.url}/feed.xml`], env)).code).toBe(0);
  });
  afterAll(() => server.close());

  it('adds subscribers and topics, refusing bad input with the reason', async () => {
    const add = await sift(
      ['subscribers', 'add', 'Ada@Example.org', '--interests', 'hockey', '--at', '06:30'],
      env,
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('ada@example.org (active), daily at 06:30 UTC');
    const again = await sift(['subscribers', 'add', 'ada@example.org'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const badTime = await sift(['subscribers', 'add', 'bob@example.org', '--at', '25:00'], env);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--at: expected HH:MM');
    const badZone = await sift(['subscribers', 'add', 'bob@example.org', '--timezone', 'Mars/Base'], env);
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toContain("timezone: 'Mars/Base' is not an IANA time zone");
    expect((await sift(['topics', 'add', 'Hockey', 'hockey', 'nhl'], env)).code).toBe(0);
    const topics = JSON.parse((await sift(['topics', 'list', '--json'], env)).stdout);
    expect(topics[0]).toMatchObject({ name: 'Hockey', terms: ['hockey', 'nhl'] });
    const list = JSON.parse((await sift(['subscribers', 'list', '--json'], env)).stdout);
    expect(list.rows.map((r: { email: string }) => r.email)).toEqual(['ada@example.org']);
  });

  it('editions build --dry-run says who would get what and writes nothing', async () => {
    const dry = await sift(['editions', 'build', '--dry-run', '--now', '--json'], env);
    expect(dry.code).toBe(0);
    const result = JSON.parse(dry.stdout);
    expect(result).toMatchObject({ dryRun: true, due: 1, wouldBuild: 1 });
    expect(result.editions[0].email).toBe('ada@example.org');
    expect(result.editions[0].picks.length).toBeGreaterThan(0);
    expect(result.editions[0].picks[0].reasons.join(' ')).toMatch(/hockey/i);
    expect(await count(dir, editions)).toBe(0);
    expect(await count(dir, outbox)).toBe(0);
    const text = await sift(['editions', 'build', '--dry-run', '--now'], env);
    expect(text.stdout).toContain('Nothing was written.');
  });

  it('editions build --now builds, preview writes the files, send delivers to the outbox', async () => {
    const build = await sift(['editions', 'build', '--now'], env);
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('built 1 edition (1 due');
    expect(await count(dir, editions)).toBe(1);
    const again = await sift(['editions', 'build', '--now', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ built: 0, due: 0 });

    const out = join(dir, 'previews-test');
    const preview = await sift(['preview', 'ada@example.org', '--out', out, '--json'], env);
    expect(preview.code).toBe(0);
    const p = JSON.parse(preview.stdout);
    expect(p).toMatchObject({ kind: 'stored', editionId: 1 });
    expect(readFileSync(p.html, 'utf8')).toContain('<html');
    expect(readFileSync(p.text, 'utf8').length).toBeGreaterThan(20);
    const unknown = await sift(['preview', 'nobody@example.org'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no subscriber with address nobody@example.org');

    const send = await sift(['send', '--json'], env);
    expect(send.code).toBe(0);
    expect(JSON.parse(send.stdout)).toMatchObject({ sent: 1, failed: 0 });
    expect(readdirSync(join(dir, 'outbox')).some((f) => f.endsWith('.eml'))).toBe(true);

    const list = JSON.parse((await sift(['editions', 'list', '--json'], env)).stdout);
    expect(list.rows[0].delivery.status).toBe('sent');
    const resend = await sift(['editions', 'resend', '1'], env);
    expect(resend.code).toBe(0);
    const stats = JSON.parse((await sift(['stats', '--json'], env)).stdout);
    expect(stats.outbox.pending).toBe(1);
  });

  it('backs up the database to a verified file that holds the same data', async () => {
    const file = join(dir, 'backup-test.db');
    const res = await sift(['backup', file, '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ file, bytes: expect.any(Number) });
    const { db, close } = openLibsql(`file:${file}`);
    expect((await db.select().from(editions).all()).length).toBe(await count(dir, editions));
    close();
    const again = await sift(['backup', file], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('removes a subscriber, and says so when the address is unknown', async () => {
    expect((await sift(['subscribers', 'remove', 'ada@example.org'], env)).code).toBe(0);
    const gone = await sift(['subscribers', 'remove', 'ada@example.org'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no subscriber with address ada@example.org');
  });
});

describe('sift editions build on a bigger instance', { timeout: 300_000 }, () => {
  it('plans in steps and sums them: every due subscriber counted once', async () => {
    const { env, dir } = instance();
    const { db, close } = openLibsql(`file:${join(dir, 'sift.db')}`);
    await migrateLibsql(db, paths.migrations);
    const rows = Array.from({ length: 1_234 }, (_, i) => ({
      email: `r${i}@example.org`,
      status: 'active' as const,
    }));
    for (let i = 0; i < rows.length; i += 200) {
      const made = await db
        .insert(subscribers)
        .values(rows.slice(i, i + 200))
        .returning({ id: subscribers.id });
      await db
        .insert(preferences)
        .values(made.map((m) => ({ subscriberId: m.id, data: parsePreferences({}) })));
    }
    close();
    // No sources: nothing passes the threshold, so every due subscriber is recorded as empty.
    const res = await sift(['editions', 'build', '--now', '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ due: 1_234, built: 0, empty: 1_234, deferred: 0 });
    const again = JSON.parse((await sift(['editions', 'build', '--now', '--json'], env)).stdout);
    expect(again).toMatchObject({ due: 0, empty: 0 });
  });
});

describe('sift doctor', { timeout: 300_000 }, () => {
  it('exits 1 on a broken configuration and names the variable', async () => {
    const { env } = instance({ SIFT_MAILER: 'smtp' });
    const res = await sift(['doctor'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /FAIL {2}config +invalid configuration: +SMTP_URL: required when SIFT_MAILER=smtp/,
    );
    expect(res.stdout).toContain('skipped: the configuration is invalid');
    expect(res.stdout).toMatch(/1 check failed/);
    const port = await sift(['doctor', '--json'], instance({ PORT: 'eighty' }).env);
    expect(port.code).toBe(1);
    const report = JSON.parse(port.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'config', status: 'fail' });
    expect(report.checks[0].detail).toContain('PORT');
  });

  it('any other command also refuses a broken configuration with exit 1 and the reason', async () => {
    const res = await sift(['stats'], instance({ SIFT_DEMO: 'sometimes' }).env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('SIFT_DEMO');
  });

  it('fails when the database cannot be opened', async () => {
    const { env, dir } = instance();
    const res = await sift(['doctor', '--json'], {
      ...env,
      DATABASE_URL: `file:${join(dir, 'missing', 'dir', 'x.db')}`,
    });
    expect(res.code).toBe(1);
    const checks = JSON.parse(res.stdout).checks;
    expect(checks.find((c: { name: string }) => c.name === 'database').status).toBe('fail');
    expect(checks.find((c: { name: string }) => c.name === 'migrations').detail).toContain('skipped');
  });

  it('reports pending migrations of a new database without applying them', async () => {
    const { env, dir } = instance();
    const res = await sift(['doctor', '--json'], env);
    expect(res.code).toBe(0);
    const migrations = JSON.parse(res.stdout).checks.find((c: { name: string }) => c.name === 'migrations');
    expect(migrations.status).toBe('warn');
    expect(migrations.detail).toMatch(/applied automatically/);
    expect(existsSync(join(dir, 'sift.db'))).toBe(true);
    const { db, close } = openLibsql(`file:${join(dir, 'sift.db')}`);
    await migrateLibsql(db, paths.migrations);
    close();
    const after = JSON.parse((await sift(['doctor', '--json'], env)).stdout);
    expect(after.checks.find((c: { name: string }) => c.name === 'migrations').status).toBe('ok');
  });

  it('fails an unreachable SMTP server with the reason', async () => {
    const { env } = instance({ SIFT_MAILER: 'smtp', SMTP_URL: 'smtp://127.0.0.1:1' });
    const res = await sift(['doctor', '--timeout', '3'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/FAIL {2}mail +SMTP 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('says "skipped: offline" for SPF, DKIM and DMARC when DNS cannot be reached, without failing', async () => {
    const { env } = instance({ SIFT_MAIL_FROM: 'Sift <news@sift-news.org>' });
    const res = await sift(['doctor', '--dns-server', '127.0.0.1:9', '--timeout', '2'], env);
    expect(res.code).toBe(0);
    for (const name of ['spf', 'dkim', 'dmarc'])
      expect(res.stdout).toMatch(new RegExp(`skip {2}${name} +skipped: offline`));
  });
});
