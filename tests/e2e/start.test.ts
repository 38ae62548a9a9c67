import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/deps.ts';

const root = new URL('../..', import.meta.url).pathname;

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start on a fresh data folder, offline', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
  });

  it('serves, runs the bundled demo and writes an edition to the outbox within 60 s', async () => {
    const dataDir = tempDir();
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const run = start({ SIFT_DATA_DIR: dataDir, PORT: port });
    children.push(run.child);
    const outbox = join(dataDir, 'outbox');
    const eml = await until(
      'an .eml in the outbox',
      () => (existsSync(outbox) ? readdirSync(outbox).find((f) => f.endsWith('.eml')) : undefined),
      60_000,
    );
    expect(readdirSync(outbox).some((f) => f.endsWith('.html'))).toBe(true);
    expect(existsSync(join(dataDir, 'sift.db'))).toBe(true);
    expect(run.output()).toContain(`emails are written to ${outbox}`);
    expect(run.output()).toContain(`http://localhost:${port}`);

    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);

    // The feed linked from the email holds the same stories as the email.
    const message = readFileSync(join(outbox, eml), 'utf8')
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    const feedUrl = /(http:\/\/localhost:\d+\/feeds\/[A-Za-z0-9._-]+\.atom)/.exec(message)?.[1];
    expect(feedUrl).toBeDefined();
    const feed = await new Parser().parseString(
      await (await fetch(feedUrl!.replace('localhost', '127.0.0.1'))).text(),
    );
    expect(feed.items.length).toBeGreaterThan(0);
    for (const item of feed.items) expect(message).toContain(item.link!);

    run.child.kill('SIGTERM');
    const code = await new Promise((r) => run.child.once('exit', r));
    expect(code).toBe(0);
  }, 90_000);

  it('refuses to start on invalid configuration, naming the variable and the expected form', async () => {
    const run = start({ SIFT_DATA_DIR: tempDir(), PORT: 'eighty', SIFT_BASE_URL: 'not a url' });
    children.push(run.child);
    const code = await new Promise((r) => run.child.once('exit', r));
    expect(code).toBe(1);
    expect(run.output()).toMatch(/PORT="eighty"/);
    expect(run.output()).toMatch(/SIFT_BASE_URL="not a url"/);
  }, 30_000);
});
