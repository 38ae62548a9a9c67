import type { EditionPick } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { findDue, toRankItem } from '../editions/build-editions.ts';
import { batchRanker } from '../editions/sentences.ts';
import { loadPlanInputs, maxFreshnessHours } from '../store/editions.ts';
import { listRecentItems } from '../store/items.ts';
import { emailsByIds } from '../store/stats.ts';
import { listTopics } from '../store/topics.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What an edition build would do for one subscriber. */
export interface PlannedEdition {
  subscriberId: number;
  email: string;
  editionKey: string;
  picks: EditionPick[];
}

/** The outcome of a dry run: the counts a real build reports, plus what each would get. */
export interface DryRunResult {
  due: number;
  wouldBuild: number;
  empty: number;
  late: number;
  editions: PlannedEdition[];
}

/**
 * Ranks picks for these subscribers exactly as an edition build does (same due check, item
 * window, exclusions of what was already sent, topics and ranker) and returns them. Reads only.
 */
export async function rankInMemory(
  deps: Pick<Deps, 'db' | 'clock' | 'embeddings' | 'sentences' | 'log'>,
  candidates: { subscriberId: number; email: string; key: string }[],
  onProgress?: (done: number, total: number) => void,
): Promise<PlannedEdition[]> {
  if (candidates.length === 0) return [];
  const now = deps.clock();
  const windowMs = Math.max((await maxFreshnessHours(deps.db)) * HOUR, DAY);
  const [items, topics, inputs] = await Promise.all([
    listRecentItems(deps.db, now - windowMs),
    listTopics(deps.db),
    loadPlanInputs(
      deps.db,
      candidates.map((c) => c.subscriberId),
      now - windowMs,
    ),
  ]);
  const rankItems = items.map(toRankItem);
  // Stored item vectors only: a dry run (and the admin API's preview) writes nothing, and an
  // HTTP request should not wait for items to be encoded.
  const { ranker, prepare } = await batchRanker(deps, rankItems, { topics, encodeItems: 0 });
  await prepare(inputs.prefs.values());
  return candidates.map((c, i) => {
    const picks = ranker.rank(inputs.prefs.get(c.subscriberId)!, {
      now,
      exclude: inputs.sent.get(c.subscriberId),
    });
    onProgress?.(i + 1, candidates.length);
    return {
      subscriberId: c.subscriberId,
      email: c.email,
      editionKey: c.key,
      picks: picks.map((p) => ({ itemId: Number(p.id), score: p.score, reasons: p.reasons })),
    };
  });
}

/**
 * `sift editions build --dry-run`: who is due and what each would get, computed in memory with
 * the planner's own due check. Writes nothing (no edition, outbox row or skip record), so it is
 * safe on a live instance.
 */
export async function planEditionsDryRun(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'log' | 'embeddings' | 'sentences'>,
  options: { force?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<DryRunResult> {
  const now = deps.clock();
  const { due, late } = await findDue(deps, now, { force: options.force });
  const emails = await emailsByIds(
    deps.db,
    due.map((c) => c.subscriber.id),
  );
  const planned = await rankInMemory(
    deps,
    due.map((c) => ({ subscriberId: c.subscriber.id, email: emails.get(c.subscriber.id) ?? '', key: c.key })),
    options.onProgress,
  );
  const editions = planned.filter((p) => p.picks.length > 0);
  return {
    due: due.length,
    wouldBuild: editions.length,
    empty: planned.length - editions.length,
    late: late.length,
    editions,
  };
}
