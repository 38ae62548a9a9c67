import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { tokens } from '../db/schema.ts';
import { hashToken, randomToken } from '../security/random-token.ts';

type Purpose = (typeof tokens.$inferSelect)['purpose'];

/** Issues a single-use token; returns the plain token (only its hash is stored). */
export async function issueToken(
  db: Db,
  subscriberId: number,
  purpose: Purpose,
  expiresAt: number,
): Promise<string> {
  const token = randomToken();
  await db.insert(tokens).values({ subscriberId, purpose, tokenHash: await hashToken(token), expiresAt });
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
