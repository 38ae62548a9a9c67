import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { feedback, items } from '../db/schema.ts';

/** One "more / less like this" row. */
export type FeedbackRow = typeof feedback.$inferSelect;

/** Records a feedback click with what it changed. */
export async function insertFeedback(db: Db, row: typeof feedback.$inferInsert): Promise<FeedbackRow> {
  const [out] = await db.insert(feedback).values(row).returning();
  return out!;
}

/** A subscriber's feedback, newest first, with the item title when the item still exists. */
export function listFeedback(db: Db, subscriberId: number, limit = 50) {
  return db
    .select({ feedback, itemTitle: items.title, itemUrl: items.url })
    .from(feedback)
    .leftJoin(items, eq(items.id, feedback.itemId))
    .where(eq(feedback.subscriberId, subscriberId))
    .orderBy(desc(feedback.createdAt), desc(feedback.id))
    .limit(limit)
    .all();
}

/** The active (not undone) feedback of a subscriber on one item and direction, if any. */
export function findActiveFeedback(db: Db, subscriberId: number, itemId: number, direction: 'more' | 'less') {
  return db
    .select()
    .from(feedback)
    .where(
      and(
        eq(feedback.subscriberId, subscriberId),
        eq(feedback.itemId, itemId),
        eq(feedback.direction, direction),
        isNull(feedback.undoneAt),
      ),
    )
    .get();
}

/** One feedback row of a subscriber (undefined for someone else's). */
export function getFeedback(db: Db, subscriberId: number, id: number) {
  return db
    .select()
    .from(feedback)
    .where(and(eq(feedback.id, id), eq(feedback.subscriberId, subscriberId)))
    .get();
}

/** Marks a feedback row undone. */
export async function markFeedbackUndone(db: Db, id: number, now: number): Promise<void> {
  await db.update(feedback).set({ undoneAt: now }).where(eq(feedback.id, id));
}

/** Everything a subscriber said, for "download my data". */
export function allFeedback(db: Db, subscriberId: number) {
  return db.select().from(feedback).where(eq(feedback.subscriberId, subscriberId)).all();
}
