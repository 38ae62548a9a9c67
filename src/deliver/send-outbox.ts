import type { Deps } from '../deps.ts';
import { loadEditionViews } from '../editions/load-view.ts';
import { renderDigest } from '../render/email.ts';
import { getEdition } from '../store/editions.ts';
import { claimOutbox, settleOutbox } from '../store/outbox.ts';
import { getSubscriber, isSuppressed } from '../store/subscribers.ts';
import { MailError, type OutgoingEmail } from './mailer.ts';

const LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 8;

/** What one send run did. */
export interface SendStats {
  sent: number;
  failed: number;
  retried: number;
  suppressed: number;
}

/** Builds the email for one outbox row: rendered edition plus RFC 8058 headers. */
export async function buildOutgoing(
  deps: Pick<Deps, 'db' | 'config' | 'secret'>,
  row: { id: number; editionId: number; subscriberId: number },
): Promise<OutgoingEmail | null> {
  const [subscriber, edition] = await Promise.all([
    getSubscriber(deps.db, row.subscriberId),
    getEdition(deps.db, row.editionId),
  ]);
  if (!subscriber || !edition) return null;
  const [view] = await loadEditionViews(deps, subscriber, [edition]);
  const rendered = renderDigest(view!);
  const host = new URL(deps.config.baseUrl).hostname;
  const unsubscribe = [`<${view!.links.unsubscribe}>`];
  if (deps.config.SIFT_UNSUBSCRIBE_MAILTO)
    unsubscribe.push(`<mailto:${deps.config.SIFT_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>`);
  return {
    to: subscriber.email,
    from: deps.config.SIFT_MAIL_FROM,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: {
      'List-Unsubscribe': unsubscribe.join(', '),
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `Sift editions <editions.${host}>`,
    },
    messageId: `<sift-${row.id}-${row.subscriberId}@${host}>`,
    idempotencyKey: `sift-outbox-${row.id}`,
  };
}

/**
 * Sends what is due in the outbox: claim (with a lease) → send → mark sent only after the
 * transport accepted. A crash between send and mark leaves the row 'sending' until its lease
 * expires; it is then claimed again, so nobody is skipped (at most that one message repeats).
 */
export async function sendOutbox(deps: Deps, options: { batch?: number } = {}): Promise<SendStats> {
  const stats: SendStats = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  for (;;) {
    const now = deps.clock();
    const rows = await claimOutbox(deps.db, now, LEASE_MS, options.batch ?? 50);
    if (rows.length === 0) return stats;
    for (const row of rows) {
      const subscriber = await getSubscriber(deps.db, row.subscriberId);
      if (subscriber?.status !== 'active' || (await isSuppressed(deps.db, subscriber.email))) {
        await settleOutbox(deps.db, row.id, { status: 'suppressed', leaseUntil: null });
        stats.suppressed++;
        continue;
      }
      try {
        const email = await buildOutgoing(deps, row);
        if (!email) {
          await settleOutbox(deps.db, row.id, { status: 'failed', lastError: 'edition no longer exists' });
          stats.failed++;
          continue;
        }
        await deps.mailer.send(email);
        await settleOutbox(deps.db, row.id, {
          status: 'sent',
          sentAt: deps.clock(),
          messageId: email.messageId,
          leaseUntil: null,
          lastError: null,
        });
        stats.sent++;
      } catch (e) {
        const err = e as Error;
        const permanent = (err instanceof MailError && err.permanent) || row.attempts >= MAX_ATTEMPTS;
        const backoff =
          err instanceof MailError && err.retryAfterMs ? err.retryAfterMs : 60_000 * 2 ** row.attempts;
        await settleOutbox(deps.db, row.id, {
          status: permanent ? 'failed' : 'pending',
          lastError: err.message,
          leaseUntil: null,
          nextAttemptAt: deps.clock() + Math.min(backoff, 6 * 3_600_000) * (0.8 + Math.random() * 0.4),
        });
        if (permanent) stats.failed++;
        else stats.retried++;
        deps.log.warn('deliver: send failed', { outbox: row.id, permanent, error: err.message });
      }
    }
  }
}
