import { and, asc, eq, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type Source, sources } from '../db/schema.ts';

/** Adds a source, or returns the existing one with the same URL. */
export async function upsertSource(
  db: Db,
  input: { url: string; kind?: 'http' | 'bundled'; title?: string | null },
): Promise<Source> {
  await db
    .insert(sources)
    .values({ url: input.url, kind: input.kind ?? 'http', title: input.title ?? null })
    .onConflictDoNothing();
  return (await db.select().from(sources).where(eq(sources.url, input.url)).get())!;
}

/** One source by id, or undefined. */
export function getSource(db: Db, id: number): Promise<Source | undefined> {
  return db.select().from(sources).where(eq(sources.id, id)).get();
}

/** One source by its exact URL, or undefined. */
export function getSourceByUrl(db: Db, url: string): Promise<Source | undefined> {
  return db.select().from(sources).where(eq(sources.url, url)).get();
}

const dueNow = (now: number) =>
  and(
    eq(sources.paused, false),
    lte(sources.nextCheckAt, now),
    or(isNull(sources.leaseUntil), lte(sources.leaseUntil, now)),
  );

/**
 * Claims up to `limit` due sources for this runner by setting their lease in ONE statement, so two
 * runners (two processes, or a cron run overlapping a slow one) never fetch the same source at
 * once. A runner that dies leaves leases that simply expire at `now + leaseMs`.
 */
export function claimDueSources(db: Db, now: number, leaseMs: number, limit = 100): Promise<Source[]> {
  const due = db
    .select({ id: sources.id })
    .from(sources)
    .where(dueNow(now))
    .orderBy(asc(sources.nextCheckAt))
    .limit(limit);
  return db
    .update(sources)
    .set({ leaseUntil: now + leaseMs })
    .where(and(inArray(sources.id, due), dueNow(now)))
    .returning()
    .all();
}

/** Gives claimed sources back (a runner shutting down): due again for the next runner at once. */
export async function releaseSourceLeases(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(sources).set({ leaseUntil: null }).where(inArray(sources.id, ids));
}

/** Every source. */
export function listSources(db: Db): Promise<Source[]> {
  return db.select().from(sources).orderBy(asc(sources.id)).all();
}

/** Records the outcome of one check (or any other change). */
export async function updateSource(db: Db, id: number, patch: Partial<Omit<Source, 'id'>>) {
  await db.update(sources).set(patch).where(eq(sources.id, id));
}

/** Deletes a source and (by cascade) its items. Returns whether it existed. */
export async function deleteSource(db: Db, id: number): Promise<boolean> {
  const rows = await db.delete(sources).where(eq(sources.id, id)).returning({ id: sources.id }).all();
  return rows.length > 0;
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
