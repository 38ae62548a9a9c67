import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { deleteSource, getSource, listSources, updateSource } from '../store/sources.ts';
import { itemCountsBySource } from '../store/stats.ts';
import { type SourceHealth, sourceHealth } from './source-health.ts';

/** A source's health plus how many items Sift holds from it. */
export type SourceListEntry = SourceHealth & { items: number };

/** Every source with its health, failing ones first. */
export async function listSourceHealth(deps: Pick<Deps, 'db'>): Promise<SourceListEntry[]> {
  const rows = await listSources(deps.db);
  const counts = await itemCountsBySource(
    deps.db,
    rows.map((r) => r.id),
  );
  const rank = { failing: 0, new: 1, ok: 2, paused: 3 } as const;
  return rows
    .map((r) => ({ ...sourceHealth(r), items: counts.get(r.id) ?? 0 }))
    .sort((a, b) => rank[a.state] - rank[b.state] || a.id - b.id);
}

/** One source with its health; NotFoundError for an unknown id. */
export async function getSourceHealth(deps: Pick<Deps, 'db'>, id: number): Promise<SourceListEntry> {
  const row = await getSource(deps.db, id);
  if (!row) throw new NotFoundError(`no source with id ${id}`);
  const counts = await itemCountsBySource(deps.db, [id]);
  return { ...sourceHealth(row), items: counts.get(id) ?? 0 };
}

/** Stops checking a source (idempotent); its items stay. */
export async function pauseSource(
  deps: Pick<Deps, 'db'>,
  input: { id: number; reason?: string },
): Promise<SourceListEntry> {
  await getSourceHealth(deps, input.id);
  await updateSource(deps.db, input.id, {
    paused: true,
    pausedReason: input.reason ?? 'paused by the operator',
  });
  return getSourceHealth(deps, input.id);
}

/** Checks a paused source again, right away (idempotent). Resets the error back-off. */
export async function resumeSource(deps: Pick<Deps, 'db' | 'clock'>, input: { id: number }) {
  const current = await getSourceHealth(deps, input.id);
  if (current.paused)
    await updateSource(deps.db, input.id, {
      paused: false,
      pausedReason: null,
      errorCount: 0,
      nextCheckAt: deps.clock(),
    });
  return getSourceHealth(deps, input.id);
}

/**
 * Deletes a source and its items. Editions already built keep their other picks (a pick whose
 * item is gone drops out when rendered). NotFoundError for an unknown id.
 */
export async function removeSource(deps: Pick<Deps, 'db'>, input: { id: number }): Promise<void> {
  if (!(await deleteSource(deps.db, input.id))) throw new NotFoundError(`no source with id ${input.id}`);
}
