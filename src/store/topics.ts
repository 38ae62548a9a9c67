import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { topics } from '../db/schema.ts';
import type { Topic } from '../rank/types.ts';

/** A stored topic with its id and creation time. */
export type TopicRow = typeof topics.$inferSelect;

/** The operator's topic catalogue, as the ranker reads it. */
export async function listTopics(db: Db): Promise<Topic[]> {
  const rows = await db.select({ name: topics.name, terms: topics.terms }).from(topics).all();
  return rows;
}

/** Every topic with its id, by name. */
export function listTopicRows(db: Db): Promise<TopicRow[]> {
  return db.select().from(topics).orderBy(asc(topics.name)).all();
}

/** One topic by id. */
export function getTopic(db: Db, id: number): Promise<TopicRow | undefined> {
  return db.select().from(topics).where(eq(topics.id, id)).get();
}

/** One topic by its (unique) name. */
export function getTopicByName(db: Db, name: string): Promise<TopicRow | undefined> {
  return db.select().from(topics).where(eq(topics.name, name)).get();
}

/** Inserts a topic; returns undefined when the name is taken. */
export async function insertTopic(
  db: Db,
  input: { name: string; terms: string[] },
): Promise<TopicRow | undefined> {
  const [row] = await db.insert(topics).values(input).onConflictDoNothing().returning();
  return row;
}

/** Changes a topic's name and/or terms; returns the new row, or undefined when the id is unknown. */
export async function updateTopic(
  db: Db,
  id: number,
  patch: { name?: string; terms?: string[] },
): Promise<TopicRow | undefined> {
  if (patch.name === undefined && patch.terms === undefined) return getTopic(db, id);
  const [row] = await db.update(topics).set(patch).where(eq(topics.id, id)).returning();
  return row;
}

/** Deletes a topic; returns whether it existed. */
export async function deleteTopic(db: Db, id: number): Promise<boolean> {
  const rows = await db.delete(topics).where(eq(topics.id, id)).returning({ id: topics.id });
  return rows.length > 0;
}
