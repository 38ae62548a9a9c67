import { and, eq, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preferences, type Subscriber, subscribers, suppressions } from '../db/schema.ts';
import type { Preferences } from '../preferences/schema.ts';

export type NewSubscriber = typeof subscribers.$inferInsert;

/** Creates a subscriber with their preferences in one batch; returns the subscriber. */
export async function createSubscriber(
  db: Db,
  input: NewSubscriber,
  prefs: Preferences,
): Promise<Subscriber> {
  const [row] = await db.insert(subscribers).values(input).returning();
  await db.insert(preferences).values({ subscriberId: row!.id, data: prefs });
  return row!;
}

/** A subscriber by id, or undefined. */
export function getSubscriber(db: Db, id: number): Promise<Subscriber | undefined> {
  return db.select().from(subscribers).where(eq(subscribers.id, id)).get();
}

/** A subscriber by email, or undefined. */
export function getSubscriberByEmail(db: Db, email: string): Promise<Subscriber | undefined> {
  return db.select().from(subscribers).where(eq(subscribers.email, email)).get();
}

/** The subscriber's preferences document. */
export async function getPreferences(db: Db, subscriberId: number): Promise<Preferences | undefined> {
  const row = await db.select().from(preferences).where(eq(preferences.subscriberId, subscriberId)).get();
  return row?.data;
}

/**
 * Subscribers who may receive an edition now: active, not paused past `now`, and not on the
 * suppression list. Each comes with their preferences.
 */
export function listPlannable(db: Db, now: number) {
  return db
    .select({ subscriber: subscribers, prefs: preferences.data })
    .from(subscribers)
    .innerJoin(preferences, eq(preferences.subscriberId, subscribers.id))
    .leftJoin(suppressions, eq(suppressions.email, subscribers.email))
    .where(
      and(
        eq(subscribers.status, 'active'),
        or(isNull(subscribers.pausedUntil), lte(subscribers.pausedUntil, now)),
        isNull(suppressions.email),
      ),
    )
    .all();
}

/** Marks a subscriber unsubscribed (idempotent: the first time is kept). */
export async function unsubscribe(db: Db, id: number, now: number): Promise<void> {
  await db
    .update(subscribers)
    .set({ status: 'unsubscribed', unsubscribedAt: now })
    .where(and(eq(subscribers.id, id), ne(subscribers.status, 'unsubscribed')));
}

/** Whether an address is on the suppression list. */
export async function isSuppressed(db: Db, email: string): Promise<boolean> {
  return !!(await db.select().from(suppressions).where(eq(suppressions.email, email)).get());
}

/** How many subscribers are not the demo subscriber (adding one switches the demo off). */
export async function countRealSubscribers(db: Db): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(subscribers)
    .where(eq(subscribers.isDemo, false))
    .get();
  return row?.n ?? 0;
}
