import { and, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type OutboxRow, outbox } from '../db/schema.ts';
import { LEASE_MS, type SendStats, sendOne } from '../deliver/send-outbox.ts';
import type { Deps } from '../deps.ts';

/**
 * Sends fanned out through a queue (Cloudflare Queues on Workers). The planner's outbox rows
 * stay the single source of truth: a message only names a row, and the consumer claims the row
 * before sending, so a message delivered twice, or a row enqueued twice, still sends once.
 */

/** One queue message: the outbox row to send. */
export interface SendMessage {
  outboxId: number;
}

/** The producer side of a queue (Cloudflare's `Queue<SendMessage>` satisfies it). */
export interface SendQueue {
  sendBatch(messages: Iterable<{ body: SendMessage }>): Promise<unknown>;
}

/** One delivered message (Cloudflare's `Message<SendMessage>` satisfies it). */
export interface SendQueueMessage {
  readonly body: SendMessage;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** Cloudflare Queues take at most 100 messages per sendBatch call. */
const MAX_SEND_BATCH = 100;
/** A row handed to the queue is not handed again for this long (unless sent or failed first). */
export const ENQUEUE_LEASE_MS = 15 * 60_000;

/**
 * Marks up to `limit` outbox rows as enqueued and returns their ids: rows that are due
 * (pending and their time has come) and not enqueued within the last ENQUEUE_LEASE_MS, and
 * rows whose sender died (a 'sending' lease that expired), which go back to 'pending'. The
 * enqueue mark is `lease_until` on a pending row; Node's claimOutbox ignores it, so both
 * runtimes can share one database. One UPDATE … RETURNING: two producers never enqueue the
 * same row in one window.
 */
export async function markEnqueued(db: Db, now: number, limit: number): Promise<number[]> {
  const rows = await db.all<{ id: number }>(sql`UPDATE ${outbox}
    SET status = 'pending', lease_until = ${now + ENQUEUE_LEASE_MS}
    WHERE id IN (
      SELECT id FROM ${outbox}
      WHERE (status = 'pending' AND next_attempt_at <= ${now} AND (lease_until IS NULL OR lease_until < ${now}))
         OR (status = 'sending' AND lease_until < ${now})
      ORDER BY id LIMIT ${limit}
    )
    RETURNING id`);
  return rows.map((r) => Number(r.id));
}

/**
 * Producer: enqueues the outbox rows that are due, `limit` at most per call (the rest wait
 * for the next cron tick). Returns how many were enqueued.
 */
export async function enqueueDueSends(
  deps: Pick<Deps, 'db' | 'clock' | 'log'>,
  queue: SendQueue,
  options: { limit?: number } = {},
): Promise<number> {
  const ids = await markEnqueued(deps.db, deps.clock(), options.limit ?? 5000);
  for (let i = 0; i < ids.length; i += MAX_SEND_BATCH)
    await queue.sendBatch(ids.slice(i, i + MAX_SEND_BATCH).map((outboxId) => ({ body: { outboxId } })));
  if (ids.length > 0) deps.log.info('deliver: enqueued sends', { rows: ids.length });
  return ids.length;
}

/**
 * Claims these rows for sending, if they are still to send: pending and due, or a sender's
 * lease expired. Rows already sent, failed, suppressed or held by a live sender are left.
 */
export async function claimOutboxRows(
  db: Db,
  ids: number[],
  now: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  if (ids.length === 0) return [];
  return db
    .update(outbox)
    .set({ status: 'sending', leaseUntil: now + leaseMs, attempts: sql`${outbox.attempts} + 1` })
    .where(
      and(
        inArray(outbox.id, ids),
        or(
          and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)),
          and(eq(outbox.status, 'sending'), or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now))),
        ),
      ),
    )
    .returning();
}

/**
 * Consumer: sends one queue batch. Each message names an outbox row; the row is claimed (so a
 * duplicate message, or another consumer, cannot send it again), sent with the same code as
 * the Node send loop (`sendOne`: suppression check, send, mark sent, backoff on failure), and
 * the message acknowledged. A message whose row is no longer to send is acknowledged too. Only
 * an unexpected error (the database, not the mail transport) asks the queue to retry.
 */
export async function consumeSendBatch(
  deps: Deps,
  messages: readonly SendQueueMessage[],
): Promise<SendStats & { skipped: number }> {
  const stats = { sent: 0, failed: 0, retried: 0, suppressed: 0, skipped: 0 };
  const byId = new Map<number, SendQueueMessage[]>();
  for (const m of messages) {
    const id = Number(m.body?.outboxId);
    if (!Number.isInteger(id)) {
      deps.log.warn('deliver: malformed queue message dropped', { body: JSON.stringify(m.body) });
      m.ack();
      continue;
    }
    byId.set(id, [...(byId.get(id) ?? []), m]);
  }
  let claimed: OutboxRow[];
  try {
    claimed = await claimOutboxRows(deps.db, [...byId.keys()], deps.clock(), LEASE_MS);
  } catch (e) {
    deps.log.error('deliver: could not claim queued rows, retrying the batch', { error: e });
    for (const list of byId.values()) for (const m of list) m.retry({ delaySeconds: 30 });
    return stats;
  }
  const claimedIds = new Set(claimed.map((r) => r.id));
  for (const [id, list] of byId)
    if (!claimedIds.has(id)) {
      stats.skipped++;
      for (const m of list) m.ack();
    }
  for (const row of claimed) {
    const list = byId.get(row.id)!;
    try {
      const outcome = await sendOne(deps, row);
      if (outcome !== 'lease-lost') stats[outcome]++;
      for (const m of list) m.ack();
    } catch (e) {
      // The row keeps its lease; the retried message claims it again once the lease expires.
      deps.log.error('deliver: queued send failed unexpectedly, message retried', {
        outbox: row.id,
        error: e,
      });
      for (const m of list) m.retry({ delaySeconds: Math.ceil(LEASE_MS / 1000) });
    }
  }
  return stats;
}
