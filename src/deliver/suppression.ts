import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { suppressions } from '../db/schema.ts';
import { chunks, MAX_PARAMS } from '../store/chunks.ts';
import { normalizeEmail } from '../store/subscribers.ts';

/** Why an address is on the suppression list. */
export type SuppressionReason = 'bounce' | 'complaint' | 'no-such-user' | 'operator';

/**
 * Adds an address to the suppression list (idempotent: the first entry and its reason stay).
 * Addresses are compared lower-cased, as subscribers' addresses are stored.
 */
export async function suppressAddress(
  db: Db,
  email: string,
  reason: SuppressionReason,
  detail: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .insert(suppressions)
    .values({
      email: normalizeEmail(email),
      reason: `${reason}: ${detail}`.slice(0, 500),
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ email: suppressions.email });
  return rows.length > 0;
}

/** The suppression entry for an address (case-insensitive), or undefined. */
export function findSuppression(db: Db, email: string) {
  return db
    .select()
    .from(suppressions)
    .where(eq(sql`lower(${suppressions.email})`, normalizeEmail(email)))
    .get();
}

/** Which of these addresses are on the suppression list (lower-cased, as findSuppression compares). */
export async function suppressedAmong(db: Db, emails: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const c of chunks([...new Set(emails.map(normalizeEmail))], MAX_PARAMS)) {
    const rows = await db
      .select({ email: suppressions.email })
      .from(suppressions)
      .where(inArray(sql`lower(${suppressions.email})`, c))
      .all();
    for (const r of rows) out.add(normalizeEmail(r.email));
  }
  return out;
}
