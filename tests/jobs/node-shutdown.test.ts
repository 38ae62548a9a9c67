import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { seedItems, seedSubscribers } from '../editions/seed.ts';
import { tempDir, testDeps } from '../helpers/deps.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** An SMTP server that takes `delayMs` to accept each message, and reports when one starts. */
async function slowSmtp(delayMs: number) {
  const accepted: string[] = [];
  let onFirst: () => void = () => {};
  const firstStarted = new Promise<void>((r) => {
    onFirst = r;
  });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      onFirst();
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          accepted.push(session.envelope.rcptTo.map((r) => r.address).join(','));
          cb();
        }, delayMs),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, accepted, firstStarted, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('node entry: graceful shutdown on SIGTERM', () => {
  it('finishes the message in flight, hands the rest of the batch back to pending, closes and exits 0', async () => {
    const dir = tempDir('sift-shutdown-');
    dirs.push(dir);
    const url = `file:${join(dir, 'sift.db')}`;
    const now = Date.now();
    const deps = await testDeps({ url, clock: () => now });
    await seedItems(deps.db, now - 60_000, 5);
    const local = new Date(now - 10 * 60_000);
    await seedSubscribers(
      deps.db,
      [0, 1, 2].map((i) => ({
        email: `reader-${i}@example.com`,
        deliveryHour: local.getUTCHours(),
        deliveryMinute: local.getUTCMinutes(),
      })),
      now - 86_400_000,
    );
    deps.close();

    const smtp = await slowSmtp(1500);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], {
      env: {
        ...process.env,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        SIFT_DATA_DIR: dir,
        DATABASE_URL: url,
        SIFT_DEMO: 'off',
        SIFT_MAILER: 'smtp',
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        SIFT_SEND_RATE: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

    // The start-up run plans three editions and starts sending; SIGTERM lands mid-message.
    await Promise.race([smtp.firstStarted, exited.then(() => Promise.reject(new Error(output)))]);
    child.kill('SIGTERM');
    const code = await exited;
    await smtp.close();

    expect(code, output).toBe(0);
    expect(output).toContain('received SIGTERM, shutting down');
    expect(output).toContain('shutdown complete');
    expect(smtp.accepted).toHaveLength(1);

    const after = await testDeps({ url });
    const rows = await after.db.all<{ status: string; last_error: string | null }>(
      sql`SELECT status, last_error FROM outbox ORDER BY id`,
    );
    after.close();
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(1);
    // No row is left leased ('sending') by the process that went away.
    const released = rows.filter((r) => r.status === 'pending');
    expect(released).toHaveLength(2);
    for (const r of released) expect(r.last_error).toContain('shutting down');
  }, 90_000);
});
