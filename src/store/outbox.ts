import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type OutboxRow, outbox } from '../db/schema.ts';

/**
 * Claims up to `limit` rows to send: pending rows whose time has come, and rows whose lease
 * expired (a sender crashed mid-run). One UPDATE … RETURNING, so two senders never claim the
 * same row.
 */
export async function claimOutbox(db: Db, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`UPDATE ${outbox}
    SET status = 'sending', lease_until = ${now + leaseMs}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM ${outbox}
      WHERE (status = 'pending' AND next_attempt_at <= ${now}) OR (status = 'sending' AND lease_until < ${now})
      ORDER BY id LIMIT ${limit}
    )
    RETURNING *`);
  return rows.map(fromRaw);
}

function fromRaw(r: Record<string, unknown>): OutboxRow {
  return {
    id: Number(r.id),
    subscriberId: Number(r.subscriber_id),
    editionKey: String(r.edition_key),
    editionId: Number(r.edition_id),
    status: r.status as OutboxRow['status'],
    attempts: Number(r.attempts),
    leaseUntil: r.lease_until == null ? null : Number(r.lease_until),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: (r.last_error as string | null) ?? null,
    messageId: (r.message_id as string | null) ?? null,
    createdAt: Number(r.created_at),
    sentAt: r.sent_at == null ? null : Number(r.sent_at),
  };
}

/** Marks a claimed row with its outcome; only while we still hold it (status 'sending'). */
export async function settleOutbox(
  db: Db,
  id: number,
  patch: Pick<
    Partial<OutboxRow>,
    'status' | 'lastError' | 'messageId' | 'sentAt' | 'nextAttemptAt' | 'leaseUntil'
  >,
): Promise<void> {
  await db
    .update(outbox)
    .set(patch)
    .where(and(eq(outbox.id, id), eq(outbox.status, 'sending')));
}

/** Counts of outbox rows by status. */
export async function outboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: outbox.status, n: sql<number>`count(*)` })
    .from(outbox)
    .groupBy(outbox.status)
    .all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
