import { and, desc, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { tokens } from '../db/schema.ts';
import { hashToken, randomToken } from '../security/random-token.ts';

type Purpose = (typeof tokens.$inferSelect)['purpose'];

/**
 * Issues a single-use token; returns the plain token (only its hash is stored). Tokens that
 * expired before `now` can never be used: issuing is a cheap moment to drop them, so the table
 * holds only live ones.
 */
export async function issueToken(
  db: Db,
  subscriberId: number,
  purpose: Purpose,
  expiresAt: number,
  now: number,
): Promise<string> {
  const token = randomToken();
  await db.batch([
    db.delete(tokens).where(lt(tokens.expiresAt, now)),
    db
      .insert(tokens)
      .values({ subscriberId, purpose, tokenHash: await hashToken(token), expiresAt, createdAt: now }),
  ]);
  return token;
}

/**
 * Spends a single-use token: marks it used and returns its subscriber, or undefined when the
 * token is unknown, expired, already used, or for another purpose.
 */
export async function consumeToken(
  db: Db,
  token: string,
  purpose: Purpose,
  now: number,
): Promise<number | undefined> {
  const [row] = await db
    .update(tokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(tokens.tokenHash, await hashToken(token)),
        eq(tokens.purpose, purpose),
        isNull(tokens.usedAt),
        gt(tokens.expiresAt, now),
      ),
    )
    .returning({ subscriberId: tokens.subscriberId });
  return row?.subscriberId;
}

/** When the newest single-use token of a subscriber was issued (any purpose), or undefined. */
export async function lastTokenIssuedAt(db: Db, subscriberId: number): Promise<number | undefined> {
  const row = await db
    .select({ at: tokens.createdAt })
    .from(tokens)
    .where(eq(tokens.subscriberId, subscriberId))
    .orderBy(desc(tokens.createdAt))
    .limit(1)
    .get();
  return row?.at;
}
