/**
 * Operator queries: aggregates for the dashboard and stats endpoint, and the lookups and
 * small writes the admin API and CLI need beyond what the pipeline's own stores offer.
 * No business rules here (those live in src/operator/).
 */
import { and, desc, eq, gte, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import {
  editions,
  feedback,
  items,
  type OutboxRow,
  outbox,
  type Subscriber,
  subscribers,
  suppressions,
} from '../db/schema.ts';
import { getSubscribers } from './subscribers.ts';

type SubscriberStatus = Subscriber['status'];

/** Number of subscribers per status (every status present, zero when none). */
export async function subscriberCounts(db: Db): Promise<Record<SubscriberStatus, number>> {
  const rows = await db
    .select({ status: subscribers.status, n: sql<number>`count(*)` })
    .from(subscribers)
    .groupBy(subscribers.status)
    .all();
  const out: Record<SubscriberStatus, number> = { pending: 0, active: 0, unsubscribed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/** A subscriber as the operator lists them: with whether the address is suppressed. */
export type SubscriberListRow = Subscriber & { suppressed: boolean };

/** Subscribers matching an email substring and/or a status, newest first, with the total. */
export async function searchSubscribers(
  db: Db,
  input: { q?: string; status?: SubscriberStatus; limit: number; offset: number },
): Promise<{ total: number; rows: SubscriberListRow[] }> {
  // LIKE with an ESCAPE clause, so % and _ in the search text match themselves.
  const pattern = `%${(input.q ?? '').replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
  const whereSql = and(
    input.q ? sql`${subscribers.email} LIKE ${pattern} ESCAPE '\\'` : undefined,
    input.status ? eq(subscribers.status, input.status) : undefined,
  );
  const [count, rows] = await Promise.all([
    db.select({ n: sql<number>`count(*)` }).from(subscribers).where(whereSql).get(),
    db
      .select({ subscriber: subscribers, suppressedEmail: suppressions.email })
      .from(subscribers)
      .leftJoin(suppressions, eq(suppressions.email, subscribers.email))
      .where(whereSql)
      .orderBy(desc(subscribers.createdAt), desc(subscribers.id))
      .limit(input.limit)
      .offset(input.offset)
      .all(),
  ]);
  return {
    total: Number(count?.n ?? 0),
    rows: rows.map((r) => ({ ...r.subscriber, suppressed: r.suppressedEmail !== null })),
  };
}

/** Sets a subscriber's status, stamping when they were confirmed or unsubscribed. */
export async function setSubscriberStatus(
  db: Db,
  id: number,
  status: SubscriberStatus,
  now: number,
): Promise<Subscriber | undefined> {
  const current = await db.select().from(subscribers).where(eq(subscribers.id, id)).get();
  if (!current) return undefined;
  if (current.status === status) return current;
  const [row] = await db
    .update(subscribers)
    .set({
      status,
      confirmedAt: status === 'active' ? (current.confirmedAt ?? now) : current.confirmedAt,
      unsubscribedAt: status === 'unsubscribed' ? now : null,
    })
    .where(eq(subscribers.id, id))
    .returning();
  return row;
}

/** One suppression entry. */
export type Suppression = typeof suppressions.$inferSelect;

/** The suppression list, newest first. */
export function listSuppressions(db: Db, limit = 500): Promise<Suppression[]> {
  return db.select().from(suppressions).orderBy(desc(suppressions.createdAt)).limit(limit).all();
}

/** Adds an address to the suppression list; an existing entry keeps its first reason. */
export async function addSuppression(
  db: Db,
  email: string,
  reason: string,
  now: number,
): Promise<Suppression> {
  await db.insert(suppressions).values({ email, reason, createdAt: now }).onConflictDoNothing();
  return (await db.select().from(suppressions).where(eq(suppressions.email, email)).get())!;
}

/** Removes an address from the suppression list; returns whether it was there. */
export async function removeSuppression(db: Db, email: string): Promise<boolean> {
  const rows = await db
    .delete(suppressions)
    .where(eq(suppressions.email, email))
    .returning({ email: suppressions.email });
  return rows.length > 0;
}

/** One UTC day's outbox outcomes. */
export interface SendDay {
  day: string;
  sent: number;
  failed: number;
}

/** Emails sent (by send time) and failed for good (by creation time) per UTC day since `since`. */
export async function sendsPerDay(db: Db, since: number): Promise<SendDay[]> {
  const sent = await db
    .select({
      day: sql<string>`strftime('%Y-%m-%d', ${outbox.sentAt} / 1000, 'unixepoch')`,
      n: sql<number>`count(*)`,
    })
    .from(outbox)
    .where(and(eq(outbox.status, 'sent'), gte(outbox.sentAt, since)))
    .groupBy(sql`1`)
    .all();
  const failed = await db
    .select({
      day: sql<string>`strftime('%Y-%m-%d', ${outbox.createdAt} / 1000, 'unixepoch')`,
      n: sql<number>`count(*)`,
    })
    .from(outbox)
    .where(and(eq(outbox.status, 'failed'), gte(outbox.createdAt, since)))
    .groupBy(sql`1`)
    .all();
  const days = new Map<string, SendDay>();
  const at = (day: string) => {
    let d = days.get(day);
    if (!d) days.set(day, (d = { day, sent: 0, failed: 0 }));
    return d;
  };
  for (const r of sent) at(r.day).sent = Number(r.n);
  for (const r of failed) at(r.day).failed = Number(r.n);
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** One UTC day's feedback clicks (undone ones excluded). */
export interface FeedbackDay {
  day: string;
  more: number;
  less: number;
}

/** "More / less like this" clicks per UTC day since `since`, undone clicks left out. */
export async function feedbackPerDay(db: Db, since: number): Promise<FeedbackDay[]> {
  const rows = await db
    .select({
      day: sql<string>`strftime('%Y-%m-%d', ${feedback.createdAt} / 1000, 'unixepoch')`,
      direction: feedback.direction,
      n: sql<number>`count(*)`,
    })
    .from(feedback)
    .where(and(gte(feedback.createdAt, since), isNull(feedback.undoneAt)))
    .groupBy(sql`1`, feedback.direction)
    .all();
  const days = new Map<string, FeedbackDay>();
  for (const r of rows) {
    let d = days.get(r.day);
    if (!d) days.set(r.day, (d = { day: r.day, more: 0, less: 0 }));
    d[r.direction] = Number(r.n);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** Feedback clicks of all time: kept "more", kept "less", and undone. */
export async function feedbackTotals(db: Db): Promise<{ more: number; less: number; undone: number }> {
  const rows = await db
    .select({
      direction: feedback.direction,
      undone: sql<number>`${feedback.undoneAt} IS NOT NULL`,
      n: sql<number>`count(*)`,
    })
    .from(feedback)
    .groupBy(feedback.direction, sql`2`)
    .all();
  const out = { more: 0, less: 0, undone: 0 };
  for (const r of rows) {
    if (Number(r.undone)) out.undone += Number(r.n);
    else out[r.direction] += Number(r.n);
  }
  return out;
}

/** An outbox row that failed or is being retried, with the address it was for. */
export type FailureRow = OutboxRow & { email: string | null };

/** Failed rows and rows waiting for a retry (they carry an error), newest editions first. */
export async function recentFailures(db: Db, limit = 20): Promise<FailureRow[]> {
  const rows = await db
    .select({ row: outbox, email: subscribers.email })
    .from(outbox)
    .leftJoin(subscribers, eq(subscribers.id, outbox.subscriberId))
    .where(or(eq(outbox.status, 'failed'), and(eq(outbox.status, 'pending'), isNotNull(outbox.lastError))))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(limit)
    .all();
  return rows.map((r) => ({ ...r.row, email: r.email }));
}

/** An edition as the operator lists it: who, when, how many picks, and its delivery state. */
export interface EditionListRow {
  id: number;
  subscriberId: number;
  email: string;
  editionKey: string;
  createdAt: number;
  pickCount: number;
  delivery: {
    status: OutboxRow['status'];
    attempts: number;
    lastError: string | null;
    sentAt: number | null;
  } | null;
}

/** Editions, newest first, optionally of one subscriber, with their outbox row if any. */
export async function listEditionRows(
  db: Db,
  input: { subscriberId?: number; limit: number; offset: number },
): Promise<{ total: number; rows: EditionListRow[] }> {
  const where = input.subscriberId === undefined ? undefined : eq(editions.subscriberId, input.subscriberId);
  const [count, rows] = await Promise.all([
    db.select({ n: sql<number>`count(*)` }).from(editions).where(where).get(),
    db
      .select({
        id: editions.id,
        subscriberId: editions.subscriberId,
        email: subscribers.email,
        editionKey: editions.editionKey,
        createdAt: editions.createdAt,
        pickCount: sql<number>`json_array_length(${editions.picks})`,
        status: outbox.status,
        attempts: outbox.attempts,
        lastError: outbox.lastError,
        sentAt: outbox.sentAt,
      })
      .from(editions)
      .innerJoin(subscribers, eq(subscribers.id, editions.subscriberId))
      .leftJoin(outbox, eq(outbox.editionId, editions.id))
      .where(where)
      .orderBy(desc(editions.createdAt), desc(editions.id))
      .limit(input.limit)
      .offset(input.offset)
      .all(),
  ]);
  return {
    total: Number(count?.n ?? 0),
    rows: rows.map((r) => ({
      id: r.id,
      subscriberId: r.subscriberId,
      email: r.email,
      editionKey: r.editionKey,
      createdAt: r.createdAt,
      pickCount: Number(r.pickCount),
      delivery:
        r.status === null
          ? null
          : { status: r.status, attempts: r.attempts ?? 0, lastError: r.lastError, sentAt: r.sentAt },
    })),
  };
}

/**
 * Puts an edition's email back in the queue: an existing outbox row is reset to pending (unless
 * a sender holds it right now), a missing one (email was off) is created. Returns the row, or
 * undefined when a sender is mid-send.
 */
export async function requeueEdition(
  db: Db,
  edition: { id: number; subscriberId: number; editionKey: string },
  now: number,
): Promise<OutboxRow | undefined> {
  const reset = {
    status: 'pending' as const,
    attempts: 0,
    leaseUntil: null,
    nextAttemptAt: now,
    lastError: null,
    sentAt: null,
    messageId: null,
  };
  const [row] = await db
    .insert(outbox)
    .values({
      subscriberId: edition.subscriberId,
      editionKey: edition.editionKey,
      editionId: edition.id,
      ...reset,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [outbox.subscriberId, outbox.editionKey],
      set: reset,
      setWhere: ne(outbox.status, 'sending'),
    })
    .returning();
  return row;
}

/** Item counts per source id. */
export async function itemCountsBySource(db: Db, ids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (ids.length === 0) return out;
  const rows = await db
    .select({ id: items.sourceId, n: sql<number>`count(*)` })
    .from(items)
    .where(inArray(items.sourceId, ids))
    .groupBy(items.sourceId)
    .all();
  for (const r of rows) out.set(r.id, Number(r.n));
  return out;
}

/** Addresses of these subscribers, by id. */
export async function emailsByIds(db: Db, ids: number[]): Promise<Map<number, string>> {
  return new Map((await getSubscribers(db, ids)).map((s) => [s.id, s.email]));
}
