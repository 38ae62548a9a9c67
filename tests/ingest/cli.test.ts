import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runSources } from '../../src/cli/sources.ts';
import { exportOpml, importOpml, parseOpml } from '../../src/ingest/opml.ts';
import { listSources } from '../../src/store/sources.ts';
import { tempDir, testDeps } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const fixtures = join(root, 'tests/fixtures/feeds');
const goodFeed = readFileSync(join(fixtures, 'hockey-news.rss'));

async function sift(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/sift.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, SIFT_DATA_DIR: tempDir(), LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npx sift parse FILE...', () => {
  it('prints one JSON line per file and goes on after a file it cannot parse', async () => {
    const files = ['content-encoded.rss', 'not-a-feed.html', 'json-feed.json', 'missing.xml'].map((f) =>
      join(fixtures, f),
    );
    const { code, stdout } = await sift(['parse', ...files]);
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.ok, l.format ?? null, l.items.length])).toEqual([
      [true, 'rss', 2],
      [false, null, 0],
      [true, 'json', 2],
      [false, null, 0],
    ]);
    expect(lines[1]).toEqual({
      file: files[1],
      ok: false,
      error: 'not a feed: got an HTML page',
      items: [],
    });
    expect(lines[3].error).toBe('no such file');
    expect(lines[0].title).toBe('Orbit Weekly');
    expect(Object.keys(lines[0].items[0])).toEqual([
      'id',
      'title',
      'link',
      'summary',
      'contentHtml',
      'author',
      'categories',
      'publishedAt',
    ]);
    expect(lines[0].items[0]).toMatchObject({
      id: 'orbit-7',
      link: 'https://orbit.example/2026/probe-moons?id=7',
      author: 'Ada Lovelace',
      categories: ['Space', 'Missions'],
      publishedAt: '2026-11-23T08:30:00.000Z',
    });
  });

  it('exits 0 when every file parses, 2 without files', async () => {
    expect((await sift(['parse', join(fixtures, 'rdf.rdf')])).code).toBe(0);
    const none = await sift(['parse']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no files given');
  });
});

describe('npx sift sources', () => {
  it('add refuses a disallowed URL with exit code 1 and says why', async () => {
    const metadata = await sift(['sources', 'add', 'http://169.254.169.254/latest/meta-data/']);
    expect(metadata.code).toBe(1);
    expect(metadata.stderr).toContain('refused: 169.254.169.254 is a link-local address');
    const file = await sift(['sources', 'add', 'file:///etc/passwd']);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('refused: file: URLs are not fetched (only http and https)');
  });

  it('add stores a feed and reports what it found; list shows it', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(goodFeed);
    });
    const dataDir = tempDir();
    const env = { SIFT_DATA_DIR: dataDir, SIFT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' };
    const added = await sift(['sources', 'add', `${server.url}/feed.rss`], env);
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain('added source 1: Rink Report — RSS 2.0, 4 items');
    const listed = await sift(['sources', 'list'], env);
    expect(listed.stdout).toMatch(/^1\tok\tRink Report\thttp:\/\/127\.0\.0\.1:\d+\/feed\.rss$/m);
    expect(listed.stdout).toContain('4 items, RSS 2.0');
    await server.close();
  });

  it('import / export OPML round-trips, reporting refused entries', async () => {
    const deps = await testDeps();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
    const opml = join(tempDir(), 'subs.opml');
    writeFileSync(
      opml,
      `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
        <outline text="Tech"><outline type="rss" text="Ars &amp; Co" xmlUrl="https://ars.example/feed"/>
          <outline type="rss" text="Verge" xmlUrl="https://verge.example/rss"/></outline>
        <outline type="rss" text="Metadata" xmlUrl="http://169.254.169.254/feed"/>
        <outline type="rss" text="Dup" xmlUrl="https://ars.example/feed"/>
      </body></opml>`,
    );
    expect(await runSources(['import', opml], io, deps)).toBe(1);
    expect(out.join('')).toContain('2 added, 0 already present, 1 refused');
    expect(err.join('')).toContain(
      'refused\thttp://169.254.169.254/feed\trefused: 169.254.169.254 is a link-local address',
    );
    expect((await listSources(deps.db)).map((s) => [s.url, s.title])).toEqual([
      ['https://ars.example/feed', 'Ars & Co'],
      ['https://verge.example/rss', 'Verge'],
    ]);
    // A second import changes nothing.
    expect((await importOpml(deps, readFileSync(opml, 'utf8'))).map((l) => l.status)).toEqual([
      'exists',
      'exists',
      'refused',
    ]);
    out.length = 0;
    expect(await runSources(['export'], io, deps)).toBe(0);
    const exported = out.join('');
    expect(parseOpml(exported).map((f) => [f.url, f.title])).toEqual([
      ['https://ars.example/feed', 'Ars & Co'],
      ['https://verge.example/rss', 'Verge'],
    ]);
    expect(exported).toContain('text="Ars &amp; Co"');
  });

  it('pause, resume and remove act on one source; an unknown ID is an error', async () => {
    const deps = await testDeps();
    const io = { out: () => {}, err: () => {} };
    await importOpml(
      deps,
      '<opml version="2.0"><body><outline xmlUrl="https://a.example/feed"/></body></opml>',
    );
    expect(await runSources(['pause', '1'], io, deps)).toBe(0);
    expect((await listSources(deps.db))[0]).toMatchObject({
      paused: true,
      pausedReason: 'paused by the operator',
    });
    expect(await runSources(['resume', '1'], io, deps)).toBe(0);
    expect((await listSources(deps.db))[0]).toMatchObject({ paused: false, pausedReason: null });
    expect(await runSources(['remove', '1'], io, deps)).toBe(0);
    expect(await listSources(deps.db)).toEqual([]);
    expect(await runSources(['remove', '1'], io, deps)).toBe(1);
    expect(await runSources(['remove', 'x'], io, deps)).toBe(2);
  });

  it('parseOpml refuses a file that is not OPML; exportOpml leaves demo feeds out', () => {
    expect(() => parseOpml('<rss/>')).toThrow('not an OPML file');
    const opml = exportOpml([
      { id: 1, url: 'bundled:tech-daily.rss', kind: 'bundled', title: 'Demo' } as never,
      { id: 2, url: 'https://x.example/f', kind: 'http', title: 'X', siteUrl: null } as never,
    ]);
    expect(parseOpml(opml).map((f) => f.url)).toEqual(['https://x.example/f']);
  });
});
