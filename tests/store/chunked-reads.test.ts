import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, schema } from '../../src/db/client.ts';
import { migrateLibsql } from '../../src/db/libsql.ts';
import { items, sources, subscribers } from '../../src/db/schema.ts';
import { paths } from '../../src/entry/node-deps.ts';
import { getItemsByIds } from '../../src/store/items.ts';
import { emailsByIds } from '../../src/store/stats.ts';
import { getSubscribers } from '../../src/store/subscribers.ts';

/** D1's limit on bound parameters per statement (local SQLite allows far more, so it is counted here). */
const D1_MAX_PARAMS = 100;

let close = () => {};
afterEach(() => close());

/**
 * A migrated in-memory database that records the most parameters any one statement bound
 * since the last `reset` (the test's own multi-row inserts bind more; only the reads count).
 */
async function countingDb(): Promise<{ db: Db; maxParams: () => number; reset: () => void }> {
  const client = createClient({ url: ':memory:' });
  close = () => client.close();
  let max = 0;
  const db = drizzle(client, {
    schema,
    casing: 'snake_case',
    logger: { logQuery: (_query, params) => void (max = Math.max(max, params.length)) },
  });
  await migrateLibsql(db, paths.migrations);
  return {
    db,
    maxParams: () => max,
    reset: () => {
      max = 0;
    },
  };
}

describe('id lookups under D1’s parameter limit', () => {
  it('getItemsByIds returns every one of 250 items (an export of 60 editions asks for that many)', async () => {
    const { db, maxParams, reset } = await countingDb();
    const [source] = await db.insert(sources).values({ url: 'https://feed.test/rss' }).returning();
    const ids: number[] = [];
    for (let i = 0; i < 250; i += 25) {
      const rows = await db
        .insert(items)
        .values(
          Array.from({ length: 25 }, (_, j) => ({
            sourceId: source!.id,
            key: `k${i + j}`,
            title: `t${i + j}`,
          })),
        )
        .returning({ id: items.id });
      ids.push(...rows.map((r) => r.id));
    }
    reset();
    const found = await getItemsByIds(db, [...ids, ids[0]!, 999_999]);
    expect(found.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
    expect(found[0]!.sourceUrl).toBe('https://feed.test/rss');
    expect(maxParams()).toBeGreaterThan(0);
    expect(maxParams()).toBeLessThanOrEqual(D1_MAX_PARAMS);
  });

  it('getSubscribers and emailsByIds read 250 subscribers in statements D1 accepts', async () => {
    const { db, maxParams, reset } = await countingDb();
    const ids: number[] = [];
    for (let i = 0; i < 250; i += 10) {
      const rows = await db
        .insert(subscribers)
        .values(Array.from({ length: 10 }, (_, j) => ({ email: `s${i + j}@example.com` })))
        .returning({ id: subscribers.id });
      ids.push(...rows.map((r) => r.id));
    }
    reset();
    expect((await getSubscribers(db, ids)).map((s) => s.id).sort((a, b) => a - b)).toEqual(ids);
    const emails = await emailsByIds(db, ids);
    expect(emails.size).toBe(250);
    expect(emails.get(ids[7]!)).toBe('s7@example.com');
    expect(maxParams()).toBeGreaterThan(0);
    expect(maxParams()).toBeLessThanOrEqual(D1_MAX_PARAMS);
  });

  it('a dense run of ids, read as one range, returns only the ids asked for, each once', async () => {
    const { db } = await countingDb();
    const rows = await db
      .insert(subscribers)
      .values(Array.from({ length: 5 }, (_, j) => ({ email: `r${j}@example.com` })))
      .returning({ id: subscribers.id });
    const ids = rows.map((r) => r.id);
    // ids[1] and ids[3] lie inside the range ids[0]..ids[4] but were not asked for.
    const asked = [ids[4]!, ids[0]!, ids[2]!, ids[2]!];
    const found = (await getSubscribers(db, asked)).map((s) => s.id).sort((a, b) => a - b);
    expect(found).toEqual([ids[0], ids[2], ids[4]]);
  });
});
