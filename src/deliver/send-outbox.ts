import type { Edition, OutboxRow, Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { loadEditionViews, loadEditionViewsBatch } from '../editions/load-view.ts';
import { renderDigest } from '../render/email.ts';
import type { EditionView } from '../render/view.ts';
import { getEdition, getEditionsWithSubscribers } from '../store/editions.ts';
import type { ItemWithSource } from '../store/items.ts';
import {
  claimOutbox,
  editionRunStatus,
  markSentMany,
  releaseClaimed,
  settleOutbox,
} from '../store/outbox.ts';
import { getSubscriber, getSubscribers, normalizeEmail } from '../store/subscribers.ts';
import { MailError, type OutgoingEmail } from './mailer.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { DEFAULT_RETRY, type RetryPolicy, retryDelay } from './retry-policy.ts';
import { findSuppression, suppressAddress, suppressedAmong } from './suppression.ts';

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
  /**
   * Rows claimed at once. Default: with a rate limit, what it sends in a quarter of the lease
   * (≤ 500); without one, 50 at first, doubling up to 500 while a batch takes under an eighth
   * of the lease (a slow transport keeps batches small, so their tails never outlive the lease).
   */
  batch?: number;
  leaseMs?: number;
  retry?: RetryPolicy;
  /** Shared limiter (default: one at config SIFT_SEND_RATE per run). */
  limiter?: RateLimiter;
  /** Jitter source, for tests. */
  random?: () => number;
  /**
   * Shutdown: no new batch is claimed, the message in flight finishes, and the rest of the
   * claimed batch goes back to 'pending' at once (attempt not counted, lease released).
   */
  signal?: AbortSignal;
  /**
   * A batch that has been sending for this long re-reads the subscribers of its remaining rows
   * and the suppression list before its next message, and again each time this much more has
   * passed (default 2 s): an unsubscribe or a complaint that lands during a long, rate-limited
   * batch stops the rest of it. A fast batch is over before it would re-read anything.
   */
  recheckMs?: number;
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
  return toOutgoing(deps.config, row, view!);
}

/** The email for a row: its view rendered, plus headers (shared by the per-row and the batched path). */
function toOutgoing(
  config: Deps['config'],
  row: { id: number; subscriberId: number },
  view: EditionView,
): OutgoingEmail {
  const rendered = renderDigest(view);
  const host = hostOf(config.baseUrl);
  const unsubscribe = [`<${view.links.unsubscribe}>`];
  if (config.SIFT_UNSUBSCRIBE_MAILTO)
    unsubscribe.push(`<mailto:${config.SIFT_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>`);
  return {
    to: view.email,
    from: config.SIFT_MAIL_FROM,
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

let lastBase = '';
let lastHost = '';
/** The host of the base URL (parsed once, not per email). */
function hostOf(baseUrl: string): string {
  if (baseUrl !== lastBase) {
    lastHost = new URL(baseUrl).hostname;
    lastBase = baseUrl;
  }
  return lastHost;
}

/**
 * Why this subscriber may not be mailed at all, whatever the suppression list says (null: they
 * may be): deleted, not active, or email turned off. Only a mailable subscriber's address is
 * looked up on the suppression list.
 */
function notMailable(subscriber: Subscriber | undefined): string | null {
  return !subscriber
    ? 'subscriber deleted'
    : subscriber.status !== 'active'
      ? `subscriber is ${subscriber.status}`
      : !subscriber.emailEnabled
        ? 'email turned off by the subscriber'
        : null;
}

/** Why a row must not be sent to this subscriber (null: send it). */
function suppressionReason(subscriber: Subscriber | undefined, suppressed: boolean): string | null {
  return notMailable(subscriber) ?? (suppressed ? 'address is on the suppression list' : null);
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
  const settle = settlerWhileLeased(deps, row);
  if (!settle) return 'lease-lost';
  const subscriber = await getSubscriber(deps.db, row.subscriberId);
  // The list is asked only about a mailable subscriber (one with an address).
  const reason = suppressionReason(
    subscriber,
    !notMailable(subscriber) && (await findSuppression(deps.db, subscriber!.email)) !== undefined,
  );
  if (reason) return suppress(settle, reason);
  return deliver(
    deps,
    row,
    settle,
    () => buildOutgoing(deps, row),
    (email) =>
      settle({
        status: 'sent',
        sentAt: deps.clock(),
        messageId: email.messageId,
        leaseUntil: null,
        lastError: null,
      }),
    options,
  );
}

type Settle = (patch: Parameters<typeof settleOutbox>[2]) => Promise<boolean>;

/** How to settle a claimed row while its lease holds, or null once it has run out. */
function settlerWhileLeased(deps: Deps, row: OutboxRow): Settle | null {
  const held = row.leaseUntil;
  if (held != null && deps.clock() >= held) return null;
  return (patch) => settleOutbox(deps.db, row.id, patch, held);
}

async function suppress(settle: Settle, reason: string): Promise<SendOutcome> {
  await settle({ status: 'suppressed', leaseUntil: null, lastError: reason });
  return 'suppressed';
}

/**
 * The steps every row takes once its data is at hand, whichever path loaded it: render, send
 * (paced), and mark it sent only after the transport accepted; failures retried or failed.
 */
async function deliver(
  deps: Deps,
  row: OutboxRow,
  settle: Settle,
  render: () => OutgoingEmail | null | Promise<OutgoingEmail | null>,
  markSent: (email: OutgoingEmail) => Promise<unknown>,
  options: Pick<SendOptions, 'retry' | 'limiter' | 'random'>,
): Promise<SendOutcome> {
  const policy = options.retry ?? DEFAULT_RETRY;
  let email: OutgoingEmail | null;
  try {
    email = await render();
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
  await markSent(email);
  return 'sent';
}

async function failAttempt(
  deps: Deps,
  row: OutboxRow,
  settle: Settle,
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

/** The most rows claimed at once. */
const MAX_BATCH = 500;
/** Items kept between batches of one run (about 1 KB each). */
const MAX_CACHED_ITEMS = 50_000;
/** Sent marks waiting for their statement are written at once when this many pile up. */
const MAX_UNMARKED = 200;
/** How long a batch sends before it re-reads subscribers and suppressions (SendOptions.recheckMs). */
const RECHECK_MS = 2_000;
/** The last error of rows handed back unsent on shutdown. */
const SHUTDOWN_REASON = 'deliver: shutting down, message left for the next run';

/**
 * Sends what is due in the outbox: claim a batch (with a lease) → load it (editions,
 * subscribers, suppressions and items in a few queries, not per row) → per row: render, send,
 * and mark 'sent' only after the transport accepted, only while we hold the lease. A crash
 * between send and mark leaves the row 'sending' until its lease expires; it is then claimed
 * again, so nobody is skipped (at most the messages whose mark was not yet written repeat, and
 * an HTTP provider sees the same idempotency key). Sent marks are written many rows per
 * statement, in the background as soon as the loop waits on the transport, so a slow transport
 * still has each row marked right after it was accepted. Sends are paced by the rate limit;
 * `signal` stops claiming (shutdown).
 */
export async function sendOutbox(deps: Deps, options: SendOptions = {}): Promise<SendStats> {
  const stats: SendStats = { sent: 0, failed: 0, retried: 0, suppressed: 0 };
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const rate = deps.config.SIFT_SEND_RATE;
  const limiter = options.limiter ?? createRateLimiter(rate);
  // A batch must be sendable well within its lease, or another sender would reclaim its tail.
  let batch =
    options.batch ?? (rate > 0 ? Math.max(1, Math.min(MAX_BATCH, Math.floor((rate * leaseMs) / 4000))) : 50);
  const adaptive = options.batch === undefined && rate <= 0;
  const keys = new Set<string>();
  // Items shared by the run's editions are loaded once (bounded: cleared when it grows large).
  const itemCache = new Map<number, ItemWithSource>();
  while (!options.signal?.aborted) {
    if (itemCache.size > MAX_CACHED_ITEMS) itemCache.clear();
    const started = Date.now();
    const rows = await claimOutbox(deps.db, deps.clock(), leaseMs, batch);
    if (rows.length === 0) break;
    for (const row of rows) keys.add(row.editionKey);
    const outcomes = await sendBatch(deps, rows, { ...options, limiter }, itemCache);
    for (const outcome of outcomes) if (outcome !== 'lease-lost' && outcome !== 'released') stats[outcome]++;
    if (adaptive && rows.length === batch && (Date.now() - started) * 8 < leaseMs)
      batch = Math.min(MAX_BATCH, batch * 2);
  }
  if (keys.size > 0)
    for (const run of await editionRunStatus(deps.db, { editionKeys: [...keys] }))
      deps.log.info(run.complete ? 'deliver: edition run complete' : 'deliver: edition run in progress', {
        ...run,
      });
  return stats;
}

/** A row's outcome in a batch: a send outcome, or handed back unsent on shutdown. */
type BatchOutcome = SendOutcome | 'released';

/**
 * Sends one claimed batch (see sendOutbox). A row's subscriber is its edition's (outbox rows
 * are only ever inserted from their edition), so editions are loaded with their subscribers.
 * Rows this cannot serve (edition or subscriber gone, or the address changed mid-batch) take
 * the per-row path, sendOne, which settles every case.
 */
async function sendBatch(
  deps: Deps,
  rows: OutboxRow[],
  options: Pick<SendOptions, 'retry' | 'limiter' | 'random' | 'signal' | 'recheckMs'>,
  itemCache: Map<number, ItemWithSource>,
): Promise<BatchOutcome[]> {
  const recheckMs = options.recheckMs ?? RECHECK_MS;
  const pairs = await getEditionsWithSubscribers(
    deps.db,
    rows.map((r) => r.editionId),
  );
  const byEdition = new Map(pairs.map((p) => [p.edition.id, p]));
  const mailable = pairs.filter((p) => !notMailable(p.subscriber));
  const suppressed = await suppressedAmong(
    deps.db,
    mailable.map((p) => p.subscriber.email),
  );
  const views = await loadEditionViewsBatch(
    deps,
    mailable.filter((p) => !suppressed.has(normalizeEmail(p.subscriber.email))),
    itemCache,
  );
  const viewByEdition = new Map(views.map((v) => [v.editionId, v]));

  // claimOutbox gives every row of one claim the same lease (one UPDATE), so it is read once.
  const lease = rows[0]?.leaseUntil ?? null;
  const marks = createMarkWriter(deps, lease);
  const outcomes: BatchOutcome[] = [];
  let checkedAt = Date.now();
  try {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (i > 0 && Date.now() - checkedAt >= recheckMs) {
        await recheck(deps.db, rows.slice(i), byEdition, suppressed);
        checkedAt = Date.now();
      }
      if (options.signal?.aborted) {
        // Shutdown: the rest of the batch was never attempted; hand it back in one statement.
        await releaseRows(deps, rows.slice(i), lease);
        for (let j = i; j < rows.length; j++) outcomes.push('released');
        break;
      }
      const pair = byEdition.get(row.editionId);
      if (!pair) {
        outcomes.push(await sendOne(deps, row, options));
        continue;
      }
      outcomes.push(
        await sendPrepared(deps, row, pair.subscriber, viewByEdition.get(row.editionId), {
          marks,
          options,
          suppressed: suppressed.has(normalizeEmail(pair.subscriber.email)),
        }),
      );
    }
  } finally {
    await marks.close();
  }
  return outcomes;
}

/**
 * Re-reads the subscribers of a batch's remaining rows and their suppressions (see
 * SendOptions.recheckMs). A subscriber now gone, or at another address than the loaded view
 * was made for, leaves the batch path: sendOne settles that row from scratch.
 */
async function recheck(
  db: Deps['db'],
  rest: OutboxRow[],
  byEdition: Map<number, { edition: Edition; subscriber: Subscriber }>,
  suppressed: Set<string>,
): Promise<void> {
  const fresh = new Map(
    (
      await getSubscribers(
        db,
        rest.map((r) => r.subscriberId),
      )
    ).map((s) => [s.id, s]),
  );
  for (const r of rest) {
    const pair = byEdition.get(r.editionId);
    if (!pair) continue;
    const now = fresh.get(pair.subscriber.id);
    if (now && now.email === pair.subscriber.email) pair.subscriber = now;
    else byEdition.delete(r.editionId);
  }
  for (const email of await suppressedAmong(
    db,
    [...fresh.values()].map((s) => s.email),
  ))
    suppressed.add(email);
}

/** One row of a loaded batch: the same checks and outcomes as sendOne, without its queries. */
async function sendPrepared(
  deps: Deps,
  row: OutboxRow,
  subscriber: Subscriber,
  view: EditionView | undefined,
  ctx: {
    marks: ReturnType<typeof createMarkWriter>;
    options: Pick<SendOptions, 'retry' | 'limiter' | 'random'>;
    suppressed: boolean;
  },
): Promise<SendOutcome> {
  const settle = settlerWhileLeased(deps, row);
  if (!settle) return 'lease-lost';
  const reason = suppressionReason(subscriber, ctx.suppressed);
  if (reason) return suppress(settle, reason);
  if (!view) return sendOne(deps, row, ctx.options);
  return deliver(
    deps,
    row,
    settle,
    () => toOutgoing(deps.config, row, view),
    (email) => ctx.marks.add(row.id, email.messageId),
    ctx.options,
  );
}

/**
 * Collects the sent marks of one batch (all claimed with one lease) and writes them many per
 * statement: in the background as soon as the event loop is free (while the transport works),
 * at once when MAX_UNMARKED pile up, and on close.
 */
function createMarkWriter(deps: Pick<Deps, 'db' | 'clock' | 'log'>, lease: number | null) {
  let pending: { id: number; messageId: string }[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;
  let failure: unknown;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return writing;
    const marks = pending;
    pending = [];
    writing = writing.then(async () => {
      try {
        await markSentMany(deps.db, marks, lease, deps.clock());
      } catch (e) {
        // The rows stay 'sending' and are resent after their lease (at least once, never lost).
        failure ??= e;
        deps.log.error('deliver: could not mark sent rows, they are resent after their lease', {
          rows: marks.length,
          error: e,
        });
      }
    });
    return writing;
  };
  return {
    async add(id: number, messageId: string): Promise<void> {
      pending.push({ id, messageId });
      if (pending.length >= MAX_UNMARKED) await flush();
      else if (!scheduled) {
        scheduled = true;
        soon(flush);
      }
    },
    async close(): Promise<void> {
      await flush();
      if (failure) throw failure;
    },
  };
}

/** Runs `f` once the event loop is free: setImmediate on Node, a zero timeout elsewhere (Workers). */
const soon = (f: () => unknown): void => {
  if (typeof globalThis.setImmediate === 'function') globalThis.setImmediate(f);
  else setTimeout(f, 0);
};

/** Hands never-attempted rows of a batch (claimed with `lease`) back to pending (shutdown). */
async function releaseRows(
  deps: Pick<Deps, 'db' | 'clock' | 'log'>,
  rows: OutboxRow[],
  lease: number | null,
): Promise<void> {
  const released = await releaseClaimed(
    deps.db,
    rows.map((r) => r.id),
    lease,
    deps.clock(),
    SHUTDOWN_REASON,
  );
  deps.log.info('deliver: shutting down, unsent rows handed back', { rows: released });
}
