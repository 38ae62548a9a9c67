import { and, eq, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import {
  editions,
  feedback,
  outbox,
  preferences,
  type Subscriber,
  subscribers,
  suppressions,
  tokens,
} from '../db/schema.ts';
import type { Preferences } from '../preferences/schema.ts';
import { sha256Hex } from '../security/encoding.ts';
import { rowsByIds } from './chunks.ts';

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

/** The subscribers with these ids (missing ones are left out), read through `rowsByIds`. */
export function getSubscribers(db: Db, ids: number[]): Promise<Subscriber[]> {
  return rowsByIds(
    subscribers.id,
    ids,
    (filter) => db.select().from(subscribers).where(filter).all(),
    (r) => r.id,
  );
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
    .where(plannableAt(now))
    .all();
}

/**
 * Who may be planned at `now`: active, not paused past `now`, not suppressed. For queries that
 * left-join `suppressions` on the subscriber's email.
 */
export function plannableAt(now: number) {
  return and(
    eq(subscribers.status, 'active'),
    or(isNull(subscribers.pausedUntil), lte(subscribers.pausedUntil, now)),
    isNull(suppressions.email),
  );
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

/** The columns a subscriber may change about themselves (schedule and delivery switches). */
export type SubscriberPatch = Partial<
  Pick<
    Subscriber,
    | 'status'
    | 'timezone'
    | 'deliveryHour'
    | 'deliveryMinute'
    | 'frequency'
    | 'weekday'
    | 'emailEnabled'
    | 'pausedUntil'
    | 'confirmedAt'
    | 'unsubscribedAt'
  >
>;

/** Changes a subscriber's columns; returns the updated row. */
export async function updateSubscriber(db: Db, id: number, patch: SubscriberPatch): Promise<Subscriber> {
  const [row] = await db.update(subscribers).set(patch).where(eq(subscribers.id, id)).returning();
  return row!;
}

/** Replaces the preferences document. */
export async function savePreferences(db: Db, subscriberId: number, prefs: Preferences, now: number) {
  await db
    .insert(preferences)
    .values({ subscriberId, data: prefs, updatedAt: now })
    // Strictly increasing, so two changes within one millisecond still get distinct versions
    // (pages cache by this time).
    .onConflictDoUpdate({
      target: preferences.subscriberId,
      set: { data: prefs, updatedAt: sql`max(${now}, ${preferences.updatedAt} + 1)` },
    });
}

/** The preferences document with when it last changed. */
export function getPreferencesRow(db: Db, subscriberId: number) {
  return db.select().from(preferences).where(eq(preferences.subscriberId, subscriberId)).get();
}

/** Bumps the feed version (the old feed URL stops working); returns the new row. */
export async function bumpFeedVersion(db: Db, id: number): Promise<Subscriber> {
  const [row] = await db
    .update(subscribers)
    .set({ feedVersion: sql`${subscribers.feedVersion} + 1` })
    .where(eq(subscribers.id, id))
    .returning();
  return row!;
}

/** Bumps the token version: every signed link and session issued before stops working. */
export async function bumpTokenVersion(db: Db, id: number): Promise<Subscriber> {
  const [row] = await db
    .update(subscribers)
    .set({ tokenVersion: sql`${subscribers.tokenVersion} + 1` })
    .where(eq(subscribers.id, id))
    .returning();
  return row!;
}

/**
 * Unsubscribes and, in the same batch, suppresses the subscriber's unsent outbox rows, so it
 * takes effect before anything else goes out (RFC 8058 asks for prompt effect). Idempotent.
 */
export async function unsubscribeNow(db: Db, id: number, now: number): Promise<void> {
  await db.batch([
    db
      .update(subscribers)
      .set({ status: 'unsubscribed', unsubscribedAt: now })
      .where(and(eq(subscribers.id, id), ne(subscribers.status, 'unsubscribed'))),
    db
      .update(outbox)
      .set({ status: 'suppressed', lastError: 'unsubscribed' })
      .where(and(eq(outbox.subscriberId, id), eq(outbox.status, 'pending'))),
  ]);
}

/** An address the way sign-up stores it and the suppression list compares it (trimmed, lower case). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The suppression-list entry that stands for an erased address: a SHA-256, never the address. */
export async function hashedSuppressionKey(email: string): Promise<string> {
  return `sha256:${await sha256Hex(normalizeEmail(email))}`;
}

/** The suppression entry for an address, plain (bounce, complaint) or hashed (erased after unsubscribing). */
export async function getSuppression(db: Db, email: string) {
  return db
    .select()
    .from(suppressions)
    .where(inArray(suppressions.email, [email, await hashedSuppressionKey(email)]))
    .get();
}

/** Removes the hashed "erased after unsubscribing" entry (the person confirmed a new subscription). */
export async function clearHashedSuppression(db: Db, email: string): Promise<void> {
  await db.delete(suppressions).where(eq(suppressions.email, await hashedSuppressionKey(email)));
}

/**
 * Erases a subscriber: their editions, outbox rows, tokens, feedback, preferences and the row
 * itself, in one batch (explicit deletes, so it does not depend on foreign-key cascades being
 * on). When they had unsubscribed, a hashed suppression entry is kept so nobody re-adds them.
 */
export async function eraseSubscriber(db: Db, subscriber: Subscriber): Promise<void> {
  const id = subscriber.id;
  const keep =
    subscriber.status === 'unsubscribed'
      ? [
          db
            .insert(suppressions)
            .values({
              email: await hashedSuppressionKey(subscriber.email),
              reason: 'unsubscribed, then erased',
            })
            .onConflictDoNothing(),
        ]
      : [];
  await db.batch([
    db.delete(outbox).where(eq(outbox.subscriberId, id)),
    db.delete(editions).where(eq(editions.subscriberId, id)),
    db.delete(tokens).where(eq(tokens.subscriberId, id)),
    db.delete(feedback).where(eq(feedback.subscriberId, id)),
    db.delete(preferences).where(eq(preferences.subscriberId, id)),
    db.delete(subscribers).where(eq(subscribers.id, id)),
    ...keep,
  ]);
}

function prepareAccount(db: Db) {
  return db
    .select({
      subscriber: subscribers,
      prefs: preferences.data,
      prefsUpdatedAt: preferences.updatedAt,
      newestEditionId: sql<
        number | null
      >`(select e.id from editions e where e.subscriber_id = "subscribers"."id" order by e.created_at desc, e.id desc limit 1)`,
    })
    .from(subscribers)
    .leftJoin(preferences, eq(preferences.subscriberId, subscribers.id))
    .where(eq(subscribers.id, sql.placeholder('id')))
    .prepare();
}
const accountQueries = new WeakMap<Db, ReturnType<typeof prepareAccount>>();

/**
 * A subscriber with their preferences and newest edition id, in one prepared query: what every
 * signed-in page needs first (the preferences page is on a latency budget).
 */
export async function getAccount(db: Db, id: number) {
  let q = accountQueries.get(db);
  if (!q) accountQueries.set(db, (q = prepareAccount(db)));
  return q.get({ id });
}
