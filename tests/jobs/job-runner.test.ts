import { describe, expect, it } from 'vitest';
import { MailError, type OutgoingEmail } from '../../src/deliver/mailer.ts';
import { createJobRunner, stoppableMailer } from '../../src/jobs/job-runner.ts';
import { createLog } from '../../src/log.ts';
import { memoryMailer } from '../helpers/deps.ts';

const email = { to: 'a@example.com' } as OutgoingEmail;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('job runner (node-cron)', () => {
  it('skips a tick while the previous run of the same job is still going', async () => {
    const lines: string[] = [];
    const runner = createJobRunner(createLog('debug', (l) => lines.push(l)));
    const gate = deferred();
    let runs = 0;
    const tick = runner.exclusive('send', async () => {
      runs++;
      await gate.promise;
    });
    const first = tick();
    await tick();
    expect(runs).toBe(1);
    expect(lines.some((l) => l.includes('send still running, tick skipped'))).toBe(true);
    gate.resolve();
    await first;
    await tick();
    expect(runs).toBe(2);
  });

  it('logs a failing job instead of throwing, and runs it again next tick', async () => {
    const lines: string[] = [];
    const runner = createJobRunner(createLog('info', (l) => lines.push(l)));
    let runs = 0;
    const tick = runner.exclusive('ingest', async () => {
      runs++;
      throw new Error('boom');
    });
    await tick();
    await tick();
    expect(runs).toBe(2);
    expect(lines.filter((l) => l.includes('jobs: ingest failed') && l.includes('boom'))).toHaveLength(2);
  });

  it('on stop waits for runs in flight, starts nothing new, and reports what outlived the grace period', async () => {
    const runner = createJobRunner(createLog('silent'));
    const gate = deferred();
    let finished = false;
    const tick = runner.exclusive('editions', async () => {
      await gate.promise;
      finished = true;
    });
    void tick();
    setTimeout(() => gate.resolve(), 50);
    expect(await runner.stop(5_000)).toEqual([]);
    expect(finished).toBe(true);
    let ranAfterStop = false;
    await runner.exclusive('editions', async () => {
      ranAfterStop = true;
    })();
    expect(ranAfterStop).toBe(false);

    const stuck = createJobRunner(createLog('silent'));
    void stuck.exclusive('ingest', () => new Promise(() => {}))();
    expect(await stuck.stop(20)).toEqual(['ingest']);
  });
});

describe('stoppable mailer (graceful shutdown)', () => {
  it('lets the message in flight finish, then refuses the rest with a transient error', async () => {
    const inner = memoryMailer();
    const gate = deferred();
    const slow = {
      ...inner,
      send: async (e: OutgoingEmail) => {
        await gate.promise;
        return inner.send(e);
      },
    };
    const mailer = stoppableMailer(slow);
    const inFlight = mailer.send(email);
    mailer.stop();
    gate.resolve();
    await expect(inFlight).resolves.toEqual({});
    expect(inner.sent).toHaveLength(1);
    const refused = await mailer.send(email).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MailError);
    expect(refused).toMatchObject({ permanent: false, retryAfterMs: 30_000 });
    expect(inner.sent).toHaveLength(1);
  });
});
