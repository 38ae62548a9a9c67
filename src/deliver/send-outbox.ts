import type { OutboxRow } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { loadEditionViews } from '../editions/load-view.ts';
import { renderDigest } from '../render/email.ts';
import { getEdition } from '../store/editions.ts';
import { claimOutbox, editionRunStatus, settleOutbox } from '../store/outbox.ts';
import { getSubscriber } from '../store/subscribers.ts';
import { MailError, type OutgoingEmail } from './mailer.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { DEFAULT_RETRY, type RetryPolicy, retryDelay } from './retry-policy.ts';
import { findSuppression, suppressAddress } from './suppression.ts';

/** A claimed row stays ours this long; a crashed sender's rows are reclaimed after it. */
export const LEASE_MS = 5 * 60_000;

/** What one send run did. */
export interface SendStats {
  sent: number;
  failed: number;
  retried: number;
  suppressed: number;
}

/** The outcome of sending one claimed row. */
export type SendOutcome = 'sent' | 'failed' | 'retried' | 'suppressed' | 'lease-lost';

/** Tuning for a send run; every field has a default. */
export interface SendOptions {
  /** Rows claimed at once (default: what the rate limit sends in a quarter of the lease, ≤ 50). */
  batch?: number;
  leaseMs?: number;
  retry?: RetryPolicy;
  /** Shared limiter (default: one at config SIFT_SEND_RATE per run). */
  limiter?: RateLimiter;
  /** Jitter source, for tests. */
  random?: () => number;
}

/** Builds the email for one outbox row: rendered edition plus RFC 8058 and RFC 2919 headers. */
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
 * Sends one claimed row (status 'sending', our lease): suppression checked again just before
 * sending, then send, then mark 'sent' only after the transport accepted. Transient failures
 * go back to 'pending' with a backoff; permanent ones are 'failed'; "no such user" also
 * suppresses the address. Reusable by a queue consumer that claimed one row.
 */
export async function sendOne(
  deps: Deps,
  row: OutboxRow,
  options: Pick<SendOptions, 'retry' | 'limiter' | 'random'> = {},
): Promise<SendOutcome> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const held = row.leaseUntil;
  if (held != null && deps.clock() >= held) return 'lease-lost';
  const settle = (patch: Parameters<typeof settleOutbox>[2]) => settleOutbox(deps.db, row.id, patch, held);

  const subscriber = await getSubscriber(deps.db, row.subscriberId);
  const reason = !subscriber
    ? 'subscriber deleted'
    : subscriber.status !== 'active'
      ? `subscriber is ${subscriber.status}`
      : !subscriber.emailEnabled
        ? 'email turned off by the subscriber'
        : (await findSuppression(deps.db, subscriber.email))
          ? 'address is on the suppression list'
          : null;
  if (reason) {
    await settle({ status: 'suppressed', leaseUntil: null, lastError: reason });
    return 'suppressed';
  }

  let email: OutgoingEmail | null;
  try {
    email = await buildOutgoing(deps, row);
  } catch (e) {
    // A rendering bug must not loop forever: it is retried like a transient failure, then failed.
    return failAttempt(
      deps,
      row,
      settle,
      new MailError(`render: ${(e as Error).message}`, false),
      policy,
      options,
    );
  }
  if (!email) {
    await settle({ status: 'failed', leaseUntil: null, lastError: 'edition no longer exists' });
    return 'failed';
  }
  try {
    await options.limiter?.acquire();
    await deps.mailer.send(email);
  } catch (e) {
    return failAttempt(deps, row, settle, e, policy, options);
  }
  await settle({
    status: 'sent',
    sentAt: deps.clock(),
    messageId: email.messageId,
    leaseUntil: null,
    lastError: null,
  });
  return 'sent';
}

async function failAttempt(
  deps: Deps,
  row: OutboxRow,
  settle: (patch: Parameters<typeof settleOutbox>[2]) => Promise<boolean>,
  e: unknown,
  policy: RetryPolicy,
  options: Pick<SendOptions, 'random'>,
): Promise<SendOutcome> {
  const err = e instanceof MailError ? e : new MailError(`deliver: ${(e as Error).message}`, false);
  const now = deps.clock();
  if (err.noSuchUser) {
    const subscriber = await getSubscriber(deps.db, row.subscriberId);
    if (subscriber) await suppressAddress(deps.db, subscriber.email, 'no-such-user', err.message, now);
  }
  const final = err.permanent || row.attempts >= policy.maxAttempts;
  const lastError = err.noSuchUser ? `${err.message} (address suppressed)` : err.message;
  await settle(
    final
      ? { status: 'failed', leaseUntil: null, lastError }
      : {
          status: 'pending',
          leaseUntil: null,
          lastError,
          nextAttemptAt: now + retryDelay(row.attempts, err.retryAfterMs, policy, options.random),
        },
  );
  deps.log.warn('deliver: send failed', {
    outbox: row.id,
    attempt: row.attempts,
    final,
    suppressed: err.noSuchUser,
    error: err.message,
  });
  return final ? 'failed' : 'retried';
}

/**
 * Sends what is due in the outbox: claim (with a lease) → send → mark sent only after the
 * transport accepted. A crash between send and mark leaves the row 'sending' until its lease
 * expires; it is then claimed again, so nobody is skipped (at most that one message repeats,
 * and an HTTP provider sees the same idempotency key). Sends are paced by the rate limit.
 */
export async function sendOutbox(deps: Deps, options: SendOptions = {}): Promise<SendStats> {
  const stats: SendStats = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const rate = deps.config.SIFT_SEND_RATE;
  const limiter = options.limiter ?? createRateLimiter(rate);
  // A batch must be sendable well within its lease, or another sender would reclaim its tail.
  const batch =
    options.batch ?? (rate > 0 ? Math.max(1, Math.min(50, Math.floor((rate * leaseMs) / 4000))) : 50);
  const keys = new Set<string>();
  for (;;) {
    const rows = await claimOutbox(deps.db, deps.clock(), leaseMs, batch);
    if (rows.length === 0) break;
    for (const row of rows) {
      keys.add(row.editionKey);
      const outcome = await sendOne(deps, row, { ...options, limiter });
      if (outcome !== 'lease-lost') stats[outcome]++;
    }
  }
  if (keys.size > 0)
    for (const run of await editionRunStatus(deps.db, { editionKeys: [...keys] }))
      deps.log.info(run.complete ? 'deliver: edition run complete' : 'deliver: edition run in progress', {
        ...run,
      });
  return stats;
}
