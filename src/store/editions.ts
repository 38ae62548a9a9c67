import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type Edition, type EditionPick, editions, outbox } from '../db/schema.ts';

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

/** Which of these subscribers already have an edition for their key. */
export async function existingEditionKeys(db: Db, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .select({ s: editions.subscriberId, k: editions.editionKey })
      .from(editions)
      .where(inArray(editions.editionKey, unique.slice(i, i + 500)))
      .all();
    for (const r of rows) out.add(`${r.s}|${r.k}`);
  }
  return out;
}

/** Item ids already sent to each subscriber since `since` (never picked again). */
export async function sentItemIds(db: Db, since: number): Promise<Map<number, Set<string>>> {
  const rows = await db
    .select({ s: editions.subscriberId, picks: editions.picks })
    .from(editions)
    .where(gte(editions.createdAt, since))
    .all();
  const out = new Map<number, Set<string>>();
  for (const r of rows) {
    let set = out.get(r.s);
    if (!set) out.set(r.s, (set = new Set()));
    for (const p of r.picks) set.add(String(p.itemId));
  }
  return out;
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
