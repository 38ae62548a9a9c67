import type { Source } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { ClusterIndex } from '../ingest/cluster.ts';
import { type RefreshOutcome, refreshSource } from '../ingest/refresh-source.ts';
import { claimDueSources, releaseSourceLeases } from '../store/sources.ts';

/** Sources claimed per round; a run keeps claiming until nothing is due. */
const BATCH = 100;

/**
 * Refreshes every source whose next_check_at has come, in rounds of leased batches: a source is
 * claimed (leased) before it is fetched, so two runners never fetch it at once, and a crashed
 * runner's claims expire. At most SIFT_INGEST_CONCURRENCY fetches run at once and at most
 * SIFT_INGEST_PER_HOST against one host. A failing source is recorded and skipped; with the
 * fetch deadline it cannot hold up the others for long. When `signal` aborts (shutdown), fetches
 * in flight finish, nothing new starts, and the leases of claimed-but-unstarted sources are
 * released so the next runner checks them at once.
 */
export async function ingestDue(
  deps: Deps,
  options: { signal?: AbortSignal } = {},
): Promise<RefreshOutcome[]> {
  const { signal } = options;
  const outcomes: RefreshOutcome[] = [];
  const concurrency = deps.config.SIFT_INGEST_CONCURRENCY;
  const perHost = deps.config.SIFT_INGEST_PER_HOST;
  const timeoutMs = deps.config.SIFT_FETCH_TIMEOUT * 1000;
  // Long enough for a whole batch to drain at the configured concurrency, every fetch timing out.
  const leaseMs = (Math.ceil(BATCH / concurrency) + 1) * timeoutMs + 60_000;
  const clusters = await ClusterIndex.load(deps.db, deps.clock());
  const seen = new Set<number>();
  // 0 = every due source; a cap leaves the rest due (oldest first) for the next run.
  const cap = deps.config.SIFT_INGEST_MAX_PER_RUN || Number.POSITIVE_INFINITY;
  while (!signal?.aborted) {
    const room = Math.min(BATCH, cap - seen.size);
    if (room <= 0) break;
    const claimed = (await claimDueSources(deps.db, deps.clock(), leaseMs, room)).filter(
      (s) => !seen.has(s.id),
    );
    if (claimed.length === 0) break;
    for (const s of claimed) seen.add(s.id);
    const unstarted = await runPolitely(claimed, concurrency, perHost, signal, async (source) => {
      const outcome = await refreshSource(deps, source, { clusters });
      outcomes.push(outcome);
      if (outcome.ok) deps.log.debug('ingest: refreshed', { source: source.url, items: outcome.items });
      else deps.log.warn('ingest: source failed, skipped', { source: source.url, error: outcome.error });
    });
    if (unstarted.length > 0)
      await releaseSourceLeases(
        deps.db,
        unstarted.map((s) => s.id),
      );
  }
  return outcomes;
}

function hostOf(source: Source): string {
  try {
    return new URL(source.url).host;
  } catch {
    return source.url;
  }
}

/** Runs `task` over sources with a global and a per-host cap; returns those not started (aborted). */
async function runPolitely(
  sources: Source[],
  concurrency: number,
  perHost: number,
  signal: AbortSignal | undefined,
  task: (source: Source) => Promise<void>,
): Promise<Source[]> {
  const pending = [...sources];
  const busy = new Map<string, number>();
  const running = new Set<Promise<void>>();
  while (pending.length > 0 || running.size > 0) {
    for (let i = 0; i < pending.length && running.size < concurrency && !signal?.aborted; ) {
      const host = hostOf(pending[i]!);
      if ((busy.get(host) ?? 0) >= perHost) {
        i++;
        continue;
      }
      const [source] = pending.splice(i, 1);
      busy.set(host, (busy.get(host) ?? 0) + 1);
      const run: Promise<void> = task(source!)
        .catch(() => {})
        .finally(() => {
          busy.set(host, busy.get(host)! - 1);
          running.delete(run);
        });
      running.add(run);
    }
    if (running.size > 0) await Promise.race(running);
    else if (signal?.aborted) break;
  }
  return pending;
}
