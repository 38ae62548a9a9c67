import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type OutboxRow, outbox } from '../db/schema.ts';
import { chunks, MAX_PARAMS } from './chunks.ts';

/**
 * Claims up to `limit` rows to send: pending rows whose time has come, and rows whose lease
 * expired (a sender crashed mid-run). One UPDATE … RETURNING, so two senders never claim the
 * same row. Each claimed row comes back with its new lease, which settling must present. The two
 * kinds are selected apart: the pending branch then reads the (status, next_attempt_at) index
 * in order and stops at `limit`, instead of sorting every pending row on each claim.
 */
export async function claimOutbox(db: Db, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
  const rows = await db.all<Record<string, unknown>>(sql`UPDATE ${outbox}
    SET status = 'sending', lease_until = ${now + leaseMs}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM (
        SELECT * FROM (
          SELECT id, next_attempt_at FROM ${outbox} WHERE status = 'pending' AND next_attempt_at <= ${now}
          ORDER BY next_attempt_at, id LIMIT ${limit})
        UNION ALL
        SELECT * FROM (
          SELECT id, next_attempt_at FROM ${outbox} WHERE status = 'sending' AND lease_until < ${now}
          ORDER BY next_attempt_at, id LIMIT ${limit}))
      ORDER BY next_attempt_at, id LIMIT ${limit}
    )
    RETURNING *`);
  return rows.map(fromRaw).sort((a, b) => a.id - b.id);
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

/**
 * Rows we still hold: status 'sending' and, when given, the lease we claimed them with (a
 * sender whose lease ran out and was reclaimed by another must not overwrite that one's
 * result). A null lease skips the lease check. Every settling write is conditioned on it.
 */
function stillHeld(heldLease: number | null | undefined): SQL {
  return and(eq(outbox.status, 'sending'), heldLease == null ? undefined : eq(outbox.leaseUntil, heldLease))!;
}

/**
 * Marks a claimed row with its outcome, only while we still hold it (stillHeld). Returns whether
 * the row was updated.
 */
export async function settleOutbox(
  db: Db,
  id: number,
  patch: Pick<
    Partial<OutboxRow>,
    'status' | 'lastError' | 'messageId' | 'sentAt' | 'nextAttemptAt' | 'leaseUntil'
  >,
  heldLease?: number | null,
): Promise<boolean> {
  const rows = await db
    .update(outbox)
    .set(patch)
    .where(and(eq(outbox.id, id), stillHeld(heldLease)))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

/** Counts of outbox rows by status. */
export async function outboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: outbox.status, n: sql<number>`count(*)` })
    .from(outbox)
    .groupBy(outbox.status)
    .all();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Delivery status of one edition run (all outbox rows with one edition key). */
export interface EditionRunStatus {
  editionKey: string;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** True when no row is pending or sending: every email reached a final state. */
  complete: boolean;
}

/**
 * Status of edition runs, newest key first: counts per outcome and whether the run is complete
 * (no row pending or sending). With `editionKeys`, only those runs.
 */
export async function editionRunStatus(
  db: Db,
  options: { editionKeys?: string[]; limit?: number } = {},
): Promise<EditionRunStatus[]> {
  const keys = options.editionKeys;
  if (keys && keys.length === 0) return [];
  const rows = await db
    .select({ key: outbox.editionKey, status: outbox.status, n: sql<number>`count(*)` })
    .from(outbox)
    .where(
      keys
        ? sql`${outbox.editionKey} IN (${sql.join(
            keys.map((k) => sql`${k}`),
            sql`, `,
          )})`
        : undefined,
    )
    .groupBy(outbox.editionKey, outbox.status)
    .all();
  const byKey = new Map<string, EditionRunStatus>();
  for (const r of rows) {
    let s = byKey.get(r.key);
    if (!s)
      byKey.set(
        r.key,
        (s = {
          editionKey: r.key,
          pending: 0,
          sending: 0,
          sent: 0,
          failed: 0,
          suppressed: 0,
          complete: true,
        }),
      );
    s[r.status] += Number(r.n);
  }
  const out = [...byKey.values()]
    .map((s) => ({ ...s, complete: s.pending + s.sending === 0 }))
    .sort((a, b) => (a.editionKey < b.editionKey ? 1 : a.editionKey > b.editionKey ? -1 : 0));
  return options.limit ? out.slice(0, options.limit) : out;
}

/**
 * Marks claimed rows sent, many per statement, only while we still hold them (stillHeld). Each
 * row gets its own message id. Returns how many rows were updated.
 */
export async function markSentMany(
  db: Db,
  marks: readonly { id: number; messageId: string }[],
  heldLease: number | null,
  now: number,
): Promise<number> {
  let updated = 0;
  // Two bound parameters per row, plus `now`, 'sending' and the lease.
  for (const c of chunks(marks, MAX_PARAMS / 2)) {
    const values = sql.join(
      c.map((m) => sql`(${m.id}, ${m.messageId})`),
      sql`, `,
    );
    const rows = await db.all<{ id: number }>(sql`UPDATE ${outbox}
      SET status = 'sent', sent_at = ${now}, message_id = v.column2, lease_until = NULL, last_error = NULL
      FROM (VALUES ${values}) AS v
      WHERE ${outbox}.id = v.column1 AND ${stillHeld(heldLease)}
      RETURNING ${outbox}.id`);
    updated += rows.length;
  }
  return updated;
}

/**
 * Hands claimed rows that were never attempted back to 'pending', due now, in one statement
 * per chunk (shutdown: another sender may take them at once). Their claim's attempt is taken
 * back, and `reason` is kept as the last error. Only rows we still hold (stillHeld).
 */
export async function releaseClaimed(
  db: Db,
  ids: readonly number[],
  heldLease: number | null,
  now: number,
  reason: string,
): Promise<number> {
  let released = 0;
  for (const chunk of chunks(ids, MAX_PARAMS)) {
    const rows = await db
      .update(outbox)
      .set({
        status: 'pending',
        leaseUntil: null,
        nextAttemptAt: now,
        lastError: reason,
        attempts: sql`max(${outbox.attempts} - 1, 0)`,
      })
      .where(and(inArray(outbox.id, chunk), stillHeld(heldLease)))
      .returning({ id: outbox.id });
    released += rows.length;
  }
  return released;
}
