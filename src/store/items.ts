import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type Item, items, type NewItem, sources } from '../db/schema.ts';
import { chunks, MAX_PARAMS, rowsByIds } from './chunks.ts';

/** Inserts new items and refreshes changed ones, keyed by (source, key). Returns rows written. */
export async function upsertItems(db: Db, rows: NewItem[]): Promise<number> {
  if (rows.length === 0) return 0;
  // SQLite limits bound parameters per statement (D1: 100); 6 rows × 14 columns stays under it.
  const statements = [];
  for (let i = 0; i < rows.length; i += 6) {
    statements.push(
      db
        .insert(items)
        .values(rows.slice(i, i + 6))
        .onConflictDoUpdate({
          target: [items.sourceId, items.key],
          set: {
            url: sql`excluded.url`,
            title: sql`excluded.title`,
            summary: sql`excluded.summary`,
            contentHtml: sql`excluded.content_html`,
            author: sql`excluded.author`,
            categories: sql`excluded.categories`,
            clusterKey: sql`excluded.cluster_key`,
            canonicalUrl: sql`excluded.canonical_url`,
            simhash: sql`excluded.simhash`,
            enclosure: sql`excluded.enclosure`,
            // A date the feed adds later replaces the "first seen" stand-in; otherwise keep it.
            publishedAt: sql`coalesce(excluded.published_at, ${items.publishedAt})`,
          },
        }),
    );
  }
  await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return rows.length;
}

/** An item with the display name and URL of its source. */
export type ItemWithSource = Item & { sourceTitle: string | null; sourceUrl: string };

/** Items fetched or published since `since`, newest first, with their source. */
export function listRecentItems(db: Db, since: number, limit = 20_000): Promise<ItemWithSource[]> {
  return db
    .select({
      ...itemColumns,
      sourceTitle: sources.title,
      sourceUrl: sources.url,
    })
    .from(items)
    .innerJoin(sources, eq(items.sourceId, sources.id))
    .where(gte(items.fetchedAt, since))
    .orderBy(desc(items.fetchedAt))
    .limit(limit)
    .all();
}

/**
 * Items by id with their source, in no particular order. Any number of ids, read with
 * `rowsByIds` under the parameter limit (a subscriber's export holds every pick of 60 editions;
 * a send batch's items are mostly one dense run of recent ids: one BETWEEN).
 */
export function getItemsByIds(db: Db, ids: number[]): Promise<ItemWithSource[]> {
  return rowsByIds(
    items.id,
    ids,
    (filter) =>
      db
        .select({ ...itemColumns, sourceTitle: sources.title, sourceUrl: sources.url })
        .from(items)
        .innerJoin(sources, eq(items.sourceId, sources.id))
        .where(filter)
        .all(),
    (r) => r.id,
  );
}

/** Count of items of one source (for tests and health pages). */
export async function countItems(db: Db, sourceId?: number): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(items)
    .where(sourceId === undefined ? undefined : and(eq(items.sourceId, sourceId)))
    .get();
  return row?.n ?? 0;
}

/** What clustering needs of recent items: their canonical URL, fingerprint and cluster. */
export function listClusterSignatures(db: Db, since: number) {
  return db
    .select({
      sourceId: items.sourceId,
      canonicalUrl: items.canonicalUrl,
      simhash: items.simhash,
      clusterKey: items.clusterKey,
    })
    .from(items)
    .where(gte(items.fetchedAt, since))
    .all();
}

/** Keys of the items a source already has among `keys` (to tell new items from updates). */
export async function existingItemKeys(db: Db, sourceId: number, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const c of chunks(keys, MAX_PARAMS)) {
    const rows = await db
      .select({ key: items.key })
      .from(items)
      .where(and(eq(items.sourceId, sourceId), inArray(items.key, c)))
      .all();
    for (const r of rows) found.add(r.key);
  }
  return found;
}

const itemColumns = {
  id: items.id,
  sourceId: items.sourceId,
  key: items.key,
  url: items.url,
  title: items.title,
  summary: items.summary,
  contentHtml: items.contentHtml,
  author: items.author,
  categories: items.categories,
  publishedAt: items.publishedAt,
  fetchedAt: items.fetchedAt,
  clusterKey: items.clusterKey,
  canonicalUrl: items.canonicalUrl,
  simhash: items.simhash,
  enclosure: items.enclosure,
};
