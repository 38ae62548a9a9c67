import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox, suppressions } from '../../src/db/schema.ts';
import type { Mailer } from '../../src/deliver/mailer.ts';
import { sendOutbox } from '../../src/deliver/send-outbox.ts';
import { createSmtpMailer } from '../../src/deliver/smtp-mailer.ts';
import { listPlannable } from '../../src/store/subscribers.ts';
import { fakeClock, tempDir, testDeps } from '../helpers/deps.ts';
import { type Received, seedEditions, startSmtp } from './helpers.ts';

const HOUR = 3_600_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  faults: Parameters<typeof startSmtp>[0] = {},
  env: Record<string, string> = {},
  url?: string,
) {
  const smtp = await startSmtp(faults);
  const mailer = createSmtpMailer(smtp.url, { timeoutMs: 5_000 });
  const clock = fakeClock();
  const deps = await testDeps({ mailer, clock, url, env: { SIFT_SEND_RATE: '0', ...env } });
  cleanups.push(smtp.close, () => mailer.close?.(), deps.close);
  return { smtp, mailer, clock, deps };
}

const rows = (deps: Awaited<ReturnType<typeof testDeps>>) =>
  deps.db.select().from(outbox).orderBy(outbox.id).all();

/** Absolute link targets of the HTML part (entities decoded). */
function htmlLinks(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}
/** URLs in the text part. */
function textLinks(text: string): string[] {
  return [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
}
/** A header line as sent, unfolded (RFC 5322 §2.2.3: long lines may be folded). */
const header = (r: Received, key: string) =>
  r.mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');

describe('delivery over a real SMTP server', () => {
  it('delivers multipart/alternative digests whose two parts carry the same links, with exact unsubscribe headers', async () => {
    const { smtp, deps } = await setup({}, { SIFT_UNSUBSCRIBE_MAILTO: 'leave@sift.test' });
    await seedEditions(deps, ['ann@example.com', 'bob@example.com']);

    expect(await sendOutbox(deps)).toEqual({ sent: 2, failed: 0, retried: 0, suppressed: 0 });
    expect(smtp.received.map((r) => r.to).sort()).toEqual(['ann@example.com', 'bob@example.com']);

    for (const r of smtp.received) {
      expect(header(r, 'content-type')).toMatch(/^Content-Type: multipart\/alternative;/);
      const html = String(r.mail.html);
      const text = String(r.mail.text);
      const links = new Set(htmlLinks(html));
      expect(links).toEqual(new Set(textLinks(text)));
      // Every link is absolute; the acting ones (feedback, preferences, unsubscribe) are signed.
      for (const l of links) expect(l).toMatch(/^https:\/\//);
      expect([...links].filter((l) => /\/f\/\d+\.\d+\.[\w-]{22}\/\d+\/(more|less)$/.test(l))).toHaveLength(6);
      expect(header(r, 'list-unsubscribe')).toMatch(
        /^List-Unsubscribe: <https:\/\/sift\.test\/u\/\d+\.\d+\.[\w-]{22}>, <mailto:leave@sift\.test\?subject=unsubscribe>$/,
      );
      const unsubscribeUrl = /<(https:[^>]+)>/.exec(header(r, 'list-unsubscribe')!)![1]!;
      expect(links.has(unsubscribeUrl)).toBe(true);
      expect(header(r, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      // Header names are case-insensitive (nodemailer writes List-ID).
      expect(header(r, 'list-id')).toMatch(/^List-Id: Sift editions <editions\.sift\.test>$/i);
      expect(r.mail.messageId).toMatch(/^<sift-\d+-\d+@sift\.test>$/);
      expect(r.mail.date).toBeInstanceOf(Date);
      expect(r.mail.subject).toBe('3 picks: hockey');
      expect(html).toContain('Also covered by</strong> 2 other sources');
      expect(text).toContain('Also covered by 2 other sources');
    }
    expect((await rows(deps)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('retries a 421 with backoff and delivers the message exactly once', async () => {
    let refused = 0;
    const { smtp, deps, clock } = await setup({
      mailFrom: () => (refused++ === 0 ? { code: 421, text: '4.3.2 Try again later' } : undefined),
    });
    await seedEditions(deps, ['ann@example.com']);

    expect(await sendOutbox(deps)).toMatchObject({ sent: 0, retried: 1 });
    const [row] = await rows(deps);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/421/) });
    // Backoff: one minute with jitter between half and the whole; nothing is sent before then.
    expect(row!.nextAttemptAt - clock()).toBeGreaterThanOrEqual(30_000);
    expect(row!.nextAttemptAt - clock()).toBeLessThanOrEqual(60_000);
    expect(await sendOutbox(deps)).toMatchObject({ sent: 0, retried: 0 });

    clock.advance(60_000);
    expect(await sendOutbox(deps)).toMatchObject({ sent: 1, retried: 0 });
    expect(smtp.received).toHaveLength(1);
    clock.advance(HOUR);
    expect(await sendOutbox(deps)).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('fails a 550 5.1.1 at once, suppresses the address, and never retries or plans it again', async () => {
    const { smtp, deps, clock } = await setup({
      rcptTo: (a) =>
        a === 'gone@example.com' ? { code: 550, text: '5.1.1 <gone@example.com>: no such user' } : undefined,
    });
    await seedEditions(deps, ['gone@example.com', 'ann@example.com']);

    expect(await sendOutbox(deps)).toEqual({ sent: 1, failed: 1, retried: 0, suppressed: 0 });
    const [gone, ann] = await rows(deps);
    expect(gone).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/5\.1\.1.*address suppressed/),
    });
    expect(ann!.status).toBe('sent');
    const entry = await deps.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.email, 'gone@example.com'))
      .get();
    expect(entry?.reason).toMatch(/^no-such-user: smtp: 550 5\.1\.1/);

    const tries = smtp.attempts.mailFrom;
    clock.advance(24 * HOUR);
    expect(await sendOutbox(deps)).toEqual({ sent: 0, failed: 0, retried: 0, suppressed: 0 });
    expect(smtp.attempts.mailFrom).toBe(tries);
    // The planner no longer sees the address either.
    expect((await listPlannable(deps.db, clock())).map((p) => p.subscriber.email)).toEqual([
      'ann@example.com',
    ]);
  });

  it('retries a message whose connection dropped mid-DATA, and delivers it', async () => {
    let drops = 0;
    const { smtp, deps, clock } = await setup({ data: () => (drops++ === 0 ? 'drop' : undefined) });
    await seedEditions(deps, ['ann@example.com']);

    expect(await sendOutbox(deps)).toMatchObject({ sent: 0, retried: 1 });
    expect(smtp.received).toHaveLength(0);
    clock.advance(2 * 60_000);
    expect(await sendOutbox(deps)).toMatchObject({ sent: 1 });
    expect(smtp.received.map((r) => r.to)).toEqual(['ann@example.com']);
  });

  it('after a crash between "server accepted" and "row marked sent", a restart skips nobody and repeats only that message', async () => {
    const dbUrl = `file:${tempDir()}/sift.db`;
    const { smtp, deps, clock } = await setup({}, {}, dbUrl);
    await seedEditions(deps, ['ann@example.com', 'bob@example.com', 'cat@example.com']);

    // The process "dies" right after the SMTP server accepted bob's message: the send never returns.
    const real = deps.mailer;
    const dying: Mailer = {
      name: 'dying',
      async send(email) {
        const r = await real.send(email);
        if (email.to === 'bob@example.com') return new Promise(() => {});
        return r;
      },
    };
    void sendOutbox({ ...deps, mailer: dying });
    await expect.poll(() => smtp.received.map((r) => r.to), { timeout: 10_000 }).toContain('bob@example.com');
    expect((await rows(deps)).map((r) => r.status)).toEqual(['sent', 'sending', 'sending']);

    // Restart: a new process (new connection to the same database file), after the lease ran out.
    const restarted = await testDeps({
      url: dbUrl,
      mailer: createSmtpMailer(smtp.url),
      clock: fakeClock(clock() + 6 * 60_000),
      env: { SIFT_SEND_RATE: '0' },
    });
    cleanups.push(restarted.close, () => restarted.mailer.close?.());
    expect(await sendOutbox(restarted)).toMatchObject({ sent: 2, failed: 0 });

    const to = smtp.received.map((r) => r.to).sort();
    expect(to).toEqual(['ann@example.com', 'bob@example.com', 'bob@example.com', 'cat@example.com']);
    // The repeat is recognisably the same message.
    const bobs = smtp.received.filter((r) => r.to === 'bob@example.com');
    expect(bobs[0]!.mail.messageId).toBe(bobs[1]!.mail.messageId);
    expect((await rows(restarted)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });
});
