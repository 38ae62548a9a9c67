import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.ts';
import type { Mailer } from '../../src/deliver/mailer.ts';
import { sendOutbox } from '../../src/deliver/send-outbox.ts';
import { createSmtpMailer } from '../../src/deliver/smtp-mailer.ts';
import { suppressAddress } from '../../src/deliver/suppression.ts';
import { unsubscribeNow } from '../../src/store/subscribers.ts';
import { fakeClock, testDeps } from '../helpers/deps.ts';
import { seedEditions, startSmtp } from './helpers.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const smtp = await startSmtp();
  const mailer = createSmtpMailer(smtp.url, { timeoutMs: 5_000 });
  const deps = await testDeps({ mailer, clock: fakeClock(), env: { SIFT_SEND_RATE: '0' } });
  cleanups.push(smtp.close, () => mailer.close?.(), deps.close);
  return { smtp, deps };
}

const rows = (deps: Awaited<ReturnType<typeof testDeps>>) =>
  deps.db.select().from(outbox).orderBy(outbox.id).all();

describe('the batched send loop', () => {
  it('sends a claimed batch, marks each row sent with its own Message-ID, and suppresses a listed address', async () => {
    const { smtp, deps } = await setup();
    const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'];
    await seedEditions(deps, emails);
    await suppressAddress(deps.db, 'C@Example.com', 'complaint', 'test', deps.clock());

    expect(await sendOutbox(deps, { batch: 50 })).toEqual({ sent: 4, failed: 0, retried: 0, suppressed: 1 });

    expect(smtp.received.map((r) => r.to).sort()).toEqual(emails.filter((e) => e !== 'c@example.com'));
    const after = await rows(deps);
    expect(after.map((r) => r.status)).toEqual(['sent', 'sent', 'suppressed', 'sent', 'sent']);
    for (const r of after.filter((x) => x.status === 'sent')) {
      const mail = smtp.received.find((m) => m.mail.messageId === r.messageId);
      expect(mail, `row ${r.id} marked with the Message-ID it was sent with`).toBeDefined();
      expect(r.leaseUntil).toBeNull();
      expect(r.sentAt).toBe(deps.clock());
    }
    expect(after[2]!.lastError).toBe('address is on the suppression list');
  });

  it('stops the rest of a long batch for whoever unsubscribes or complains while it is being sent', async () => {
    const { smtp, deps } = await setup();
    const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'];
    const [, b] = await seedEditions(deps, emails);
    const real = deps.mailer;
    const during: Mailer = {
      name: 'during',
      async send(email) {
        const r = await real.send(email);
        if (email.to === 'a@example.com') {
          // While a's message is with the server: b unsubscribes, c's provider reports a complaint.
          await unsubscribeNow(deps.db, b!, deps.clock());
          await suppressAddress(deps.db, 'c@example.com', 'complaint', 'test', deps.clock());
        }
        return r;
      },
    };

    // recheckMs 0: the batch re-reads before every message (by default, once it has run 2 s).
    expect(await sendOutbox({ ...deps, mailer: during }, { batch: 50, recheckMs: 0 })).toEqual({
      sent: 2,
      failed: 0,
      retried: 0,
      suppressed: 2,
    });
    expect(smtp.received.map((r) => r.to).sort()).toEqual(['a@example.com', 'd@example.com']);
    const after = await rows(deps);
    expect(after.map((r) => r.status)).toEqual(['sent', 'suppressed', 'suppressed', 'sent']);
    expect(after[1]!.lastError).toBe('subscriber is unsubscribed');
    expect(after[2]!.lastError).toBe('address is on the suppression list');
  });

  it('on shutdown finishes the message in flight, hands the rest back at once without counting an attempt, and sends it next run', async () => {
    const { smtp, deps } = await setup();
    await seedEditions(deps, ['a@example.com', 'b@example.com', 'c@example.com']);
    const shutdown = new AbortController();
    const real = deps.mailer;
    const stopping: Mailer = {
      name: 'stopping',
      async send(email) {
        const r = await real.send(email);
        shutdown.abort(); // SIGTERM lands while the first message is with the server
        return r;
      },
    };

    expect(await sendOutbox({ ...deps, mailer: stopping }, { signal: shutdown.signal })).toMatchObject({
      sent: 1,
      retried: 0,
      failed: 0,
    });
    expect(smtp.received).toHaveLength(1);
    const after = await rows(deps);
    expect(after.map((r) => r.status)).toEqual(['sent', 'pending', 'pending']);
    for (const r of after.slice(1)) {
      expect(r.attempts).toBe(0);
      expect(r.leaseUntil).toBeNull();
      expect(r.nextAttemptAt).toBeLessThanOrEqual(deps.clock());
      expect(r.lastError).toContain('shutting down');
    }

    // A stopped signal claims nothing at all.
    expect(await sendOutbox(deps, { signal: shutdown.signal })).toMatchObject({ sent: 0 });
    // The next run (a new process) sends the rest at once.
    expect(await sendOutbox(deps)).toMatchObject({ sent: 2 });
    expect(smtp.received.map((r) => r.to).sort()).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
  });
});
