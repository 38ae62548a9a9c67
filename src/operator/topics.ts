import type { Deps } from '../deps.ts';
import { AppError, NotFoundError } from '../errors.ts';
import {
  deleteTopic,
  getTopic,
  getTopicByName,
  insertTopic,
  listTopicRows,
  type TopicRow,
  updateTopic,
} from '../store/topics.ts';

/** Trims, drops empties and duplicates (case-insensitively), keeping the first spelling. */
export function normalizeTerms(terms: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of terms.map((x) => x.trim().replace(/\s+/g, ' '))) {
    const key = t.toLowerCase();
    if (t && !seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

/** The topic catalogue, by name. */
export function listTopicCatalogue(deps: Pick<Deps, 'db'>): Promise<TopicRow[]> {
  return listTopicRows(deps.db);
}

/** One topic by id, or NotFoundError. */
export async function getTopicById(deps: Pick<Deps, 'db'>, id: number): Promise<TopicRow> {
  const row = await getTopic(deps.db, id);
  if (!row) throw new NotFoundError(`no topic with id ${id}`);
  return row;
}

/** One topic by name (exact), or NotFoundError. */
export async function findTopic(deps: Pick<Deps, 'db'>, name: string): Promise<TopicRow> {
  const row = await getTopicByName(deps.db, name.trim());
  if (!row) throw new NotFoundError(`no topic named '${name.trim()}'`);
  return row;
}

/** Adds a topic; 409 conflict when the name is taken, 400 when no term is left after trimming. */
export async function createTopic(
  deps: Pick<Deps, 'db'>,
  input: { name: string; terms: string[] },
): Promise<TopicRow> {
  const terms = normalizeTerms(input.terms);
  if (terms.length === 0) throw new AppError('bad_request', 'terms: at least one non-empty term is needed');
  const name = input.name.trim();
  // The ranker matches topic names case-insensitively, so 'Science' and 'science' would clash.
  const clash = (await listTopicRows(deps.db)).some((t) => t.name.toLowerCase() === name.toLowerCase());
  const row = clash ? undefined : await insertTopic(deps.db, { name, terms });
  if (!row) throw new AppError('conflict', `a topic named '${input.name.trim()}' already exists`);
  return row;
}

/**
 * Renames a topic and/or replaces its terms. Subscribers choose topics by name: after a rename,
 * those who chose the old name no longer get it (the API and CLI docs say so).
 */
export async function changeTopic(
  deps: Pick<Deps, 'db'>,
  input: { id: number; name?: string; terms?: string[] },
): Promise<TopicRow> {
  const current = await getTopicById(deps, input.id);
  const name = input.name?.trim();
  const taken = async (n: string) =>
    (await listTopicRows(deps.db)).some(
      (t) => t.id !== current.id && t.name.toLowerCase() === n.toLowerCase(),
    );
  if (name !== undefined && (await taken(name)))
    throw new AppError('conflict', `a topic named '${name}' already exists`);
  const terms = input.terms === undefined ? undefined : normalizeTerms(input.terms);
  if (terms && terms.length === 0)
    throw new AppError('bad_request', 'terms: at least one non-empty term is needed');
  return (await updateTopic(deps.db, input.id, { name, terms }))!;
}

/**
 * Deletes a topic. Subscribers who chose it keep the name in their preferences; the ranker
 * ignores names that are not in the catalogue, so nothing breaks.
 */
export async function removeTopic(deps: Pick<Deps, 'db'>, input: { id: number }): Promise<void> {
  if (!(await deleteTopic(deps.db, input.id))) throw new NotFoundError(`no topic with id ${input.id}`);
}
