import type { Deps } from '../deps.ts';
import { createRanker, type RankItem } from '../rank/index.ts';
import { existingEditionKeys, sentItemIds, storeEdition } from '../store/editions.ts';
import { type ItemWithSource, listRecentItems } from '../store/items.ts';
import { listPlannable } from '../store/subscribers.ts';
import { listTopics } from '../store/topics.ts';
import { editionKey, isDue } from './schedule.ts';

const DAY = 86_400_000;

/** What one planning run did. */
export interface PlanStats {
  due: number;
  built: number;
  /** Due, but nothing new passed the threshold: no edition, said in the log. */
  empty: number;
  /** Another planner (or an earlier run) got there first. */
  alreadyPlanned: number;
}

/** Maps a stored item to what the ranker sees. */
export function toRankItem(item: ItemWithSource): RankItem {
  return {
    id: String(item.id),
    title: item.title,
    summary: item.summary,
    url: item.url ?? undefined,
    source: item.sourceTitle ?? undefined,
    sourceUrl: item.sourceUrl,
    author: item.author ?? undefined,
    categories: item.categories,
    publishedAt: item.publishedAt ?? item.fetchedAt,
    clusterId: item.clusterKey ?? undefined,
  };
}

/**
 * Builds the edition of every subscriber who is due now and has none for the current period.
 * Idempotent: a second call, or a concurrent one on the same database, creates nothing new
 * (editions and outbox rows are unique per subscriber and period).
 */
export async function buildEditions(deps: Deps, options: { force?: boolean } = {}): Promise<PlanStats> {
  const now = deps.clock();
  const stats: PlanStats = { due: 0, built: 0, empty: 0, alreadyPlanned: 0 };
  const candidates = (await listPlannable(deps.db, now))
    .filter(({ subscriber }) => options.force || isDue(subscriber, now))
    .map((c) => ({ ...c, key: editionKey(c.subscriber, now) }));
  if (candidates.length === 0) return stats;
  const existing = await existingEditionKeys(
    deps.db,
    candidates.map((c) => c.key),
  );
  const due = candidates.filter((c) => !existing.has(`${c.subscriber.id}|${c.key}`));
  stats.due = due.length;
  if (due.length === 0) return stats;

  const maxWindow = Math.max(...due.map((c) => c.prefs.freshnessHours)) * 3_600_000;
  const [items, sent, topics] = await Promise.all([
    listRecentItems(deps.db, now - Math.max(maxWindow, DAY)),
    sentItemIds(deps.db, now - 30 * DAY),
    listTopics(deps.db),
  ]);
  const ranker = createRanker(items.map(toRankItem), { topics });
  for (const { subscriber, prefs, key } of due) {
    const picks = ranker.rank(prefs, { now, exclude: sent.get(subscriber.id) });
    if (picks.length === 0) {
      stats.empty++;
      deps.log.info('editions: nothing new passed the threshold, skipped', {
        subscriber: subscriber.id,
        key,
      });
      continue;
    }
    const created = await storeEdition(deps.db, {
      subscriberId: subscriber.id,
      editionKey: key,
      picks: picks.map((p) => ({ itemId: Number(p.id), score: p.score, reasons: p.reasons })),
      email: subscriber.emailEnabled,
      now,
    });
    if (created) stats.built++;
    else stats.alreadyPlanned++;
  }
  return stats;
}
