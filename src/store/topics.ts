import type { Db } from '../db/client.ts';
import { topics } from '../db/schema.ts';
import type { Topic } from '../rank/types.ts';

/** The operator's topic catalogue. */
export async function listTopics(db: Db): Promise<Topic[]> {
  const rows = await db.select({ name: topics.name, terms: topics.terms }).from(topics).all();
  return rows;
}
