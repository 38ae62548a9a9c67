import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import {
  type Edition,
  type EditionPick,
  editionSkips,
  editions,
  outbox,
  preferences,
  type Subscriber,
  subscribers,
  suppressions,
} from '../db/schema.ts';
import { type Preferences, parsePreferences } from '../preferences/schema.ts';
import { chunks, MAX_PARAMS, rowsByIds } from './chunks.ts';
import { plannableAt } from './subscribers.ts';

/**
 * Stores an edition and, when email is on, its outbox row, in one batch. Both inserts are
 * `ON CONFLICT DO NOTHING` on (subscriber, edition key): planning twice, or two planners at
 * once, yield one edition and one outbox row. Returns whether this call created the edition.
 */
export async function storeEdition(
  db: Db,
  input: { subscriberId: number; editionKey: string; picks: EditionPick[]; email: boolean; now: number },
): Promise<boolean> {
  const insertEdition = db
    .insert(editions)
    .values({
      subscriberId: input.subscriberId,
      editionKey: input.editionKey,
      picks: input.picks,
      createdAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: editions.id });
  if (!input.email) return (await insertEdition).length > 0;
  const [created] = await db.batch([
    insertEdition,
    db
      .insert(outbox)
      .select(
        db
          // Insert…select must list every column in table order (drizzle checks it).
          .select({
            id: sql<number>`NULL`.as('id'),
            subscriberId: editions.subscriberId,
            editionKey: editions.editionKey,
            editionId: editions.id,
            status: sql<'pending'>`'pending'`.as('status'),
            attempts: sql<number>`0`.as('attempts'),
            leaseUntil: sql<null>`NULL`.as('lease_until'),
            nextAttemptAt: sql<number>`${input.now}`.as('next_attempt_at'),
            lastError: sql<null>`NULL`.as('last_error'),
            messageId: sql<null>`NULL`.as('message_id'),
            createdAt: sql<number>`${input.now}`.as('created_at'),
            sentAt: sql<null>`NULL`.as('sent_at'),
          })
          .from(editions)
          .where(
            and(eq(editions.subscriberId, input.subscriberId), eq(editions.editionKey, input.editionKey)),
          ),
      )
      .onConflictDoNothing(),
  ]);
  return created.length > 0;
}

/** The newest editions of a subscriber, newest first. */
export function latestEditions(db: Db, subscriberId: number, limit = 10): Promise<Edition[]> {
  return db
    .select()
    .from(editions)
    .where(eq(editions.subscriberId, subscriberId))
    .orderBy(desc(editions.createdAt), desc(editions.id))
    .limit(limit)
    .all();
}

/** One edition by id. */
export function getEdition(db: Db, id: number): Promise<Edition | undefined> {
  return db.select().from(editions).where(eq(editions.id, id)).get();
}

/** One edition by subscriber and key. */
export function getEditionByKey(
  db: Db,
  subscriberId: number,
  editionKey: string,
): Promise<Edition | undefined> {
  return db
    .select()
    .from(editions)
    .where(and(eq(editions.subscriberId, subscriberId), eq(editions.editionKey, editionKey)))
    .get();
}

/**
 * Subscribers who may receive an edition now (active, not paused past `now`, not suppressed),
 * with only the columns the due check needs: no preferences documents, so the planner can scan
 * 100,000 subscribers every few minutes cheaply and load preferences for the few who are due.
 */
export function listPlannableSchedules(db: Db, now: number) {
  return db
    .select({
      id: subscribers.id,
      timezone: subscribers.timezone,
      frequency: subscribers.frequency,
      weekday: subscribers.weekday,
      deliveryHour: subscribers.deliveryHour,
      deliveryMinute: subscribers.deliveryMinute,
      emailEnabled: subscribers.emailEnabled,
      pausedUntil: subscribers.pausedUntil,
      since: sql<number>`coalesce(${subscribers.confirmedAt}, ${subscribers.createdAt})`.mapWith(Number),
    })
    .from(subscribers)
    .leftJoin(suppressions, eq(suppressions.email, subscribers.email))
    .where(plannableAt(now))
    .all();
}

/** One row of listPlannableSchedules. */
export type PlannableSubscriber = Awaited<ReturnType<typeof listPlannableSchedules>>[number];

function safeInt(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`editions: expected an integer, got ${n}`);
  return n;
}

function safeKey(key: string): string {
  if (!/^\d{4}-(\d{2}-\d{2}|W\d{2})$/.test(key)) throw new Error(`editions: malformed edition key '${key}'`);
  return key;
}

/** Which subscribers already have an edition or a recorded skip for these keys: `${id}|${key}`. */
export async function plannedKeys(db: Db, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const c of chunks([...new Set(keys)], MAX_PARAMS / 2)) {
    const rows = await db.all<{ s: number; k: string }>(sql`
      SELECT subscriber_id AS s, edition_key AS k FROM ${editions} WHERE edition_key IN ${c}
      UNION ALL
      SELECT subscriber_id AS s, edition_key AS k FROM ${editionSkips} WHERE edition_key IN ${c}`);
    for (const r of rows) out.add(`${r.s}|${r.k}`);
  }
  return out;
}

/** The longest freshness window any subscriber asked for, in hours (bounds the items query). */
export async function maxFreshnessHours(db: Db): Promise<number> {
  const row = await db.get<{ h: number | null }>(
    sql`SELECT max(coalesce(json_extract(data, '$.freshnessHours'), 72)) AS h FROM ${preferences}`,
  );
  return Number(row?.h ?? 72);
}

/**
 * What ranking needs for a group of subscribers: their preferences (defaults when missing)
 * and the item ids already sent to each since `since`. A few queries per group, none per
 * subscriber.
 */
export async function loadPlanInputs(
  db: Db,
  subscriberIds: number[],
  since: number,
): Promise<{ prefs: Map<number, Preferences>; sent: Map<number, Set<string>> }> {
  const prefs = new Map<number, Preferences>();
  const sent = new Map<number, Set<string>>();
  const [prefRows, sentRows] = await Promise.all([
    rowsByIds(
      preferences.subscriberId,
      subscriberIds,
      (filter) =>
        db
          .select({ id: preferences.subscriberId, data: preferences.data })
          .from(preferences)
          .where(filter)
          .all(),
      (r) => r.id,
    ),
    rowsByIds(
      editions.subscriberId,
      subscriberIds,
      (filter) =>
        db
          .select({ s: editions.subscriberId, picks: editions.picks })
          .from(editions)
          .where(and(filter, gte(editions.createdAt, since)))
          .all(),
      (r) => r.s,
    ),
  ]);
  for (const r of prefRows) prefs.set(r.id, parsePreferences(r.data));
  for (const r of sentRows) {
    let set = sent.get(r.s);
    if (!set) sent.set(r.s, (set = new Set()));
    for (const p of r.picks) set.add(String(p.itemId));
  }
  const defaults = parsePreferences({});
  for (const id of subscriberIds) if (!prefs.has(id)) prefs.set(id, defaults);
  return { prefs, sent };
}

/** One planned edition, ready to store. */
export interface PlannedEdition {
  subscriberId: number;
  editionKey: string;
  picks: EditionPick[];
  /** Whether an outbox row (an email) goes with it. */
  email: boolean;
}

/** One period the planner decided not to send. */
export interface PlannedSkip {
  subscriberId: number;
  editionKey: string;
  reason: 'empty' | 'late';
}

/**
 * Stores a group of editions, their outbox rows and skips in ONE `db.batch` (a transaction on
 * libsql and D1): a planner killed mid-run leaves whole groups or nothing. Every insert is
 * multi-row and `ON CONFLICT DO NOTHING` on (subscriber, edition key), so a second planner,
 * or a rerun, adds nothing. Returns the subscribers whose edition this call created.
 */
export async function storePlans(
  db: Db,
  input: { editions: PlannedEdition[]; skips: PlannedSkip[]; now: number },
): Promise<{ created: Set<number>; outboxRows: number; skipped: number }> {
  const { now } = input;
  const statements = [];
  // 4 parameters per edition row (subscriber, key, picks, created_at). Bound, not literals: a
  // prepared statement keeps its SQL and program in native memory until the JS side is
  // collected, and 100,000 editions' picks written as literals measurably raised peak RSS.
  const editionChunks = chunks(input.editions, Math.floor(MAX_PARAMS / 4));
  for (const c of editionChunks)
    statements.push(
      db
        .insert(editions)
        .values(
          c.map((e) => ({
            subscriberId: e.subscriberId,
            editionKey: e.editionKey,
            picks: e.picks,
            createdAt: now,
          })),
        )
        .onConflictDoNothing()
        .returning({ s: editions.subscriberId }),
    );
  // The outbox row points at whichever edition exists for (subscriber, key), ours or a
  // concurrent planner's; row values keep it to exactly the pairs planned here. The values are
  // written as literals, checked first: drizzle's D1 driver cannot batch a raw statement with
  // bound parameters, and literals also sidestep D1's 100-parameter limit.
  const mailed = input.editions.filter((e) => e.email);
  const outboxChunks = chunks(mailed, 200);
  for (const c of outboxChunks) {
    const pairs = c.map((e) => `(${safeInt(e.subscriberId)}, '${safeKey(e.editionKey)}')`).join(', ');
    statements.push(
      db.all<{ id: number }>(
        sql.raw(`INSERT INTO outbox
          (subscriber_id, edition_key, edition_id, status, attempts, next_attempt_at, created_at)
          SELECT e.subscriber_id, e.edition_key, e.id, 'pending', 0, ${safeInt(now)}, ${safeInt(now)}
          FROM editions e WHERE (e.subscriber_id, e.edition_key) IN (VALUES ${pairs})
          ON CONFLICT DO NOTHING RETURNING id`),
      ),
    );
  }
  const skipChunks = chunks(input.skips, Math.floor(MAX_PARAMS / 4));
  for (const c of skipChunks)
    statements.push(
      db
        .insert(editionSkips)
        .values(c.map((s) => ({ ...s, createdAt: now })))
        .onConflictDoNothing()
        .returning({ s: editionSkips.subscriberId }),
    );
  const created = new Set<number>();
  if (statements.length === 0) return { created, outboxRows: 0, skipped: 0 };
  const results = (await db.batch(
    statements as [(typeof statements)[0], ...typeof statements],
  )) as unknown[][];
  let i = 0;
  for (; i < editionChunks.length; i++) for (const r of results[i] as { s: number }[]) created.add(r.s);
  let outboxRows = 0;
  for (; i < editionChunks.length + outboxChunks.length; i++) outboxRows += results[i]!.length;
  let skipped = 0;
  for (; i < results.length; i++) skipped += results[i]!.length;
  return { created, outboxRows, skipped };
}

/**
 * Editions by id, each with its subscriber, for batch sending: a dense run of ids (one claimed
 * outbox batch) is one BETWEEN query, sparse ids are IN lists under the parameter limit.
 */
export function getEditionsWithSubscribers(
  db: Db,
  editionIds: number[],
): Promise<{ edition: Edition; subscriber: Subscriber }[]> {
  return rowsByIds(
    editions.id,
    editionIds,
    (filter) =>
      db
        .select({ edition: editions, subscriber: subscribers })
        .from(editions)
        .innerJoin(subscribers, eq(subscribers.id, editions.subscriberId))
        .where(filter)
        .all(),
    (r) => r.edition.id,
  );
}
