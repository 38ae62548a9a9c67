import type { Deps } from '../deps.ts';
import { type RefreshOutcome, refreshSource } from '../ingest/refresh-source.ts';
import { listDueSources } from '../store/sources.ts';

/** Refreshes every source whose next check is due. A failing source is logged and skipped. */
export async function ingestDue(deps: Deps): Promise<RefreshOutcome[]> {
  const due = await listDueSources(deps.db, deps.clock());
  const outcomes: RefreshOutcome[] = [];
  // A few at a time: polite to hosts, and a slow source cannot hold up the whole run.
  const queue = [...due];
  const worker = async () => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      const outcome = await refreshSource(deps, source);
      outcomes.push(outcome);
      if (outcome.ok) deps.log.debug('ingest: refreshed', { source: source.url, items: outcome.items });
      else deps.log.warn('ingest: source failed, skipped', { source: source.url, error: outcome.error });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return outcomes;
}
