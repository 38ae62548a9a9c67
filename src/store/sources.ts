import { and, asc, eq, lte, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type Source, sources } from '../db/schema.ts';

/** Adds a source, or returns the existing one with the same URL. */
export async function upsertSource(
  db: Db,
  input: { url: string; kind?: 'http' | 'bundled'; title?: string },
) {
  await db
    .insert(sources)
    .values({ url: input.url, kind: input.kind ?? 'http', title: input.title })
    .onConflictDoNothing();
  return (await db.select().from(sources).where(eq(sources.url, input.url)).get())!;
}

/** Sources whose next check is due and that are not paused, oldest first. */
export function listDueSources(db: Db, now: number, limit = 100): Promise<Source[]> {
  return db
    .select()
    .from(sources)
    .where(and(eq(sources.paused, false), lte(sources.nextCheckAt, now)))
    .orderBy(asc(sources.nextCheckAt))
    .limit(limit)
    .all();
}

/** Every source. */
export function listSources(db: Db): Promise<Source[]> {
  return db.select().from(sources).orderBy(asc(sources.id)).all();
}

/** Records the outcome of one check. */
export async function updateSource(db: Db, id: number, patch: Partial<Omit<Source, 'id'>>) {
  await db.update(sources).set(patch).where(eq(sources.id, id));
}

/** How many sources are not bundled demo feeds (adding one switches the demo off). */
export async function countRealSources(db: Db): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(sources)
    .where(ne(sources.kind, 'bundled'))
    .get();
  return row?.n ?? 0;
}
