import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';
import { items, preferences, sources, subscribers } from '../../src/db/schema.ts';
import { type PreferencesInput, parsePreferences } from '../../src/preferences/schema.ts';

/** A subscriber to seed: schedule fields and preferences, everything else defaulted. */
export interface SeedSubscriber {
  email?: string;
  status?: 'pending' | 'active' | 'unsubscribed';
  timezone?: string;
  frequency?: 'daily' | 'weekly';
  weekday?: number;
  deliveryHour?: number;
  deliveryMinute?: number;
  emailEnabled?: boolean;
  pausedUntil?: number | null;
  createdAt?: number;
  prefs?: PreferencesInput;
}

/** Inserts subscribers (and their preferences) in multi-row batches; returns their ids in order. */
export async function seedSubscribers(db: Db, list: SeedSubscriber[], createdAt: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < list.length; i += 200) {
    const chunk = list.slice(i, i + 200);
    const rows = await db
      .insert(subscribers)
      .values(
        chunk.map((s, j) => ({
          email: s.email ?? `reader-${i + j}-${Math.random().toString(36).slice(2)}@example.com`,
          status: s.status ?? 'active',
          timezone: s.timezone ?? 'UTC',
          frequency: s.frequency ?? 'daily',
          weekday: s.weekday ?? 1,
          deliveryHour: s.deliveryHour ?? 8,
          deliveryMinute: s.deliveryMinute ?? 0,
          emailEnabled: s.emailEnabled ?? true,
          pausedUntil: s.pausedUntil ?? null,
          createdAt: s.createdAt ?? createdAt,
        })),
      )
      .returning({ id: subscribers.id });
    await db.insert(preferences).values(
      chunk.map((s, j) => ({
        subscriberId: rows[j]!.id,
        data: parsePreferences(s.prefs ?? { interests: ['hockey'] }),
      })),
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** One source with `n` hockey stories fetched at `at` (ids in insertion order). */
export async function seedItems(db: Db, at: number, n = 5, topic = 'hockey'): Promise<void> {
  const [source] = await db
    .insert(sources)
    .values({ url: `https://news.test/${topic}-${at}.rss`, title: 'News', paused: true, nextCheckAt: at })
    .returning({ id: sources.id });
  await db.insert(items).values(
    Array.from({ length: n }, (_, i) => ({
      sourceId: source!.id,
      key: `${topic}-${at}-${i}`,
      url: `https://news.test/${topic}/${at}/${i}`,
      title: `${topic} story ${i}: the ${topic} team wins again`,
      summary: `All about ${topic}, part ${i}.`,
      fetchedAt: at,
      publishedAt: at,
    })),
  );
}

/** Rows per (subscriber, key) in a table: more than one would be a double. */
export async function countsByKey(db: Db, table: 'editions' | 'outbox' | 'edition_skips') {
  return db.all<{ subscriber_id: number; edition_key: string; n: number }>(
    sql`SELECT subscriber_id, edition_key, count(*) AS n FROM ${sql.identifier(table)} GROUP BY subscriber_id, edition_key`,
  );
}
