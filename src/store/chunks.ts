import { between, inArray, type SQL } from 'drizzle-orm';

/**
 * Most bound parameters in one statement. D1 allows 100 (SQLite itself 32,766): every store
 * statement is sized for the smaller, so the same code runs on both. Large writes become many
 * small statements inside one `db.batch` (one transaction), not many round trips.
 */
export const MAX_PARAMS = 90;

/** `list` cut into consecutive pieces of at most `size`. */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * A filter on `column` for a sorted list of ids, in as few statements as the parameter limit
 * allows: a dense run of ids is one BETWEEN (2 parameters) whose extra rows the caller drops, a
 * sparse one is IN lists. For reads only: an UPDATE or DELETE must not touch the extra rows a
 * BETWEEN takes in, so writes use plain `chunks(ids, MAX_PARAMS)`.
 */
function idFilters(column: Parameters<typeof inArray>[0], sortedIds: number[]): SQL[] {
  if (sortedIds.length === 0) return [];
  const lo = sortedIds[0]!;
  const hi = sortedIds[sortedIds.length - 1]!;
  if (hi - lo + 1 <= sortedIds.length * 2) return [between(column, lo, hi)];
  return chunks(sortedIds, MAX_PARAMS - 2).map((c) => inArray(column, c));
}

/**
 * Rows for any number of ids, read through `idFilters`: `query` runs once per filter, and the
 * extra rows a BETWEEN takes in (ids in the range that were not asked for) are dropped by
 * `idOf`. Ids may repeat and come in any order; rows come in no particular order.
 */
export async function rowsByIds<R>(
  column: Parameters<typeof inArray>[0],
  ids: Iterable<number>,
  query: (filter: SQL) => Promise<R[]>,
  idOf: (row: R) => number,
): Promise<R[]> {
  const wanted = new Set(ids);
  const found = await Promise.all(
    idFilters(
      column,
      [...wanted].sort((a, b) => a - b),
    ).map(query),
  );
  return found.flat().filter((r) => wanted.has(idOf(r)));
}
