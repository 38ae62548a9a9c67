import type { Deps } from '../deps.ts';
import type { RankItem } from '../rank/index.ts';
import {
  listPlannableSchedules,
  loadPlanInputs,
  maxFreshnessHours,
  type PlannableSubscriber,
  type PlannedEdition,
  type PlannedSkip,
  plannedKeys,
  storePlans,
} from '../store/editions.ts';
import { type ItemWithSource, listRecentItems } from '../store/items.ts';
import { listTopics } from '../store/topics.ts';
import { createOccurrenceFinder, decide, editionKey } from './schedule.ts';
import { batchRanker } from './sentences.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What one planning run did. */
export interface PlanStats {
  /** Due now and not yet planned for their current period. */
  due: number;
  built: number;
  /** Due, but nothing new passed the threshold: no edition, recorded and logged. */
  empty: number;
  /** More than the catch-up window late (downtime): skipped, recorded and logged. */
  late: number;
  /** Another planner got there first (its edition stands; nothing twice). */
  alreadyPlanned: number;
  /** Due but left for the next run (the run's `limit` was reached). */
  deferred: number;
}

/** How a planning run behaves; the defaults suit Node. */
export interface PlanOptions {
  /** Plan every plannable subscriber for the current period now, whatever their hour. */
  force?: boolean;
  /** Subscribers per stored group (one db.batch each). */
  groupSize?: number;
  /** Most subscribers to plan in this run (Workers CPU limits); the rest wait for the next tick. */
  limit?: number;
  /** Stops between groups (graceful shutdown): each stored group is complete. */
  signal?: AbortSignal;
  /** Filled with milliseconds spent per stage (for the benchmark and the run log). */
  timings?: PlanTimings;
}

/** Milliseconds per planning stage. */
export interface PlanTimings {
  due: number;
  rank: number;
  store: number;
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

/** One subscriber the due check kept, with the period to plan. */
export interface DueSubscriber {
  subscriber: PlannableSubscriber;
  key: string;
}

/**
 * The due check: who is due now and has neither an edition nor a recorded skip for their
 * latest occurrence, and who missed theirs by more than the catch-up window. One query for
 * the schedules, one for "already planned"; the time-zone math is shared per zone.
 */
export async function findDue(
  deps: Pick<Deps, 'db' | 'config'>,
  now: number,
  options: { force?: boolean } = {},
): Promise<{ due: DueSubscriber[]; late: DueSubscriber[] }> {
  const rows = await listPlannableSchedules(deps.db, now);
  const finder = createOccurrenceFinder(now);
  const catchUpMs = deps.config.SIFT_CATCH_UP_HOURS * HOUR;
  const due: DueSubscriber[] = [];
  const late: DueSubscriber[] = [];
  for (const s of rows) {
    if (options.force) {
      due.push({ subscriber: s, key: editionKey(s, now) });
      continue;
    }
    const d = decide(finder, now, s, catchUpMs);
    if (d.kind === 'due') due.push({ subscriber: s, key: d.occurrence.key });
    else if (d.kind === 'late') late.push({ subscriber: s, key: d.occurrence.key });
  }
  const planned = await plannedKeys(deps.db, [...new Set([...due, ...late].map((c) => c.key))]);
  const fresh = (c: DueSubscriber) => !planned.has(`${c.subscriber.id}|${c.key}`);
  return { due: due.filter(fresh), late: late.filter(fresh) };
}

/**
 * Builds the edition of every subscriber who is due now and has none for the current period,
 * and writes its outbox row. Idempotent: a second call, or a concurrent one on the same
 * database, creates nothing new (editions, outbox rows and skips are unique per subscriber and
 * period, inserted with ON CONFLICT DO NOTHING). Work is done in groups, each stored in one
 * batch, so a run killed midway resumes where it stopped: nobody skipped, nobody twice.
 */
export async function buildEditions(deps: Deps, options: PlanOptions = {}): Promise<PlanStats> {
  const now = deps.clock();
  const stats: PlanStats = { due: 0, built: 0, empty: 0, late: 0, alreadyPlanned: 0, deferred: 0 };
  const timings = options.timings ?? { due: 0, rank: 0, store: 0 };
  let t = performance.now();
  const lap = (stage: keyof PlanTimings) => {
    const n = performance.now();
    timings[stage] += n - t;
    t = n;
  };
  const { due: allDue, late } = await findDue(deps, now, options);
  lap('due');

  if (late.length > 0) {
    const { skipped } = await storePlans(deps.db, {
      editions: [],
      skips: late.map((c) => ({ subscriberId: c.subscriber.id, editionKey: c.key, reason: 'late' })),
      now,
    });
    stats.late = skipped;
    lap('store');
    if (skipped > 0)
      deps.log.warn('editions: missed by more than the catch-up window, skipped', {
        count: skipped,
        catchUpHours: deps.config.SIFT_CATCH_UP_HOURS,
        sample: late.slice(0, 10).map((c) => `${c.subscriber.id}:${c.key}`),
      });
  }

  const due = options.limit !== undefined ? allDue.slice(0, options.limit) : allDue;
  stats.due = allDue.length;
  stats.deferred = allDue.length - due.length;
  if (due.length === 0) return stats;

  // Items older than the longest freshness window cannot be picked, nor need excluding.
  const windowMs = Math.max((await maxFreshnessHours(deps.db)) * HOUR, DAY);
  const [items, topics] = await Promise.all([listRecentItems(deps.db, now - windowMs), listTopics(deps.db)]);
  const rankItems = items.map(toRankItem);
  // Built once per run: its shared indexes make each subscriber's rank() cheap.
  const batch = await batchRanker(deps, rankItems, { topics });
  const { ranker } = batch;
  lap('rank');

  const groupSize = options.groupSize ?? 500;
  for (let i = 0; i < due.length; i += groupSize) {
    if (options.signal?.aborted) {
      stats.deferred += due.length - i;
      break;
    }
    const group = due.slice(i, i + groupSize);
    const { prefs, sent } = await loadPlanInputs(
      deps.db,
      group.map((c) => c.subscriber.id),
      now - windowMs,
    );
    await batch.prepare(prefs.values());
    const planned: PlannedEdition[] = [];
    const skips: PlannedSkip[] = [];
    for (const { subscriber, key } of group) {
      const picks = ranker.rank(prefs.get(subscriber.id)!, { now, exclude: sent.get(subscriber.id) });
      if (picks.length === 0) {
        skips.push({ subscriberId: subscriber.id, editionKey: key, reason: 'empty' });
        deps.log.debug('editions: nothing new passed the threshold, skipped', {
          subscriber: subscriber.id,
          key,
        });
        continue;
      }
      planned.push({
        subscriberId: subscriber.id,
        editionKey: key,
        picks: picks.map((p) => ({ itemId: Number(p.id), score: p.score, reasons: p.reasons })),
        email: subscriber.emailEnabled,
      });
    }
    lap('rank');
    const result = await storePlans(deps.db, { editions: planned, skips, now });
    lap('store');
    stats.built += result.created.size;
    stats.alreadyPlanned += planned.length - result.created.size;
    stats.empty += result.skipped;
  }
  return stats;
}
