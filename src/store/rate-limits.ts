import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rateLimits } from '../db/schema.ts';

/** The state of one counter after a hit. */
export interface RateLimitHit {
  count: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

/**
 * Counts one hit on `key` in a fixed window of `windowMs` and returns the new count. One
 * upsert (atomic in SQLite and D1): a window that has ended starts again at 1.
 */
export async function hitRateLimit(
  db: Db,
  key: string,
  now: number,
  windowMs: number,
): Promise<RateLimitHit> {
  const expired = sql`${rateLimits.windowStart} <= ${now - windowMs}`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      // SQLite evaluates every SET expression against the old row, so both CASEs agree.
      set: {
        count: sql`CASE WHEN ${expired} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${expired} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
  return { count: row!.count, resetAt: row!.windowStart + windowMs };
}

/** Deletes counters whose window started before `before` (they can only restart at 1). */
export async function pruneRateLimits(db: Db, before: number): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, before));
}
