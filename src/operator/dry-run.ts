import type { EditionPick, Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { toRankItem } from '../editions/build-editions.ts';
import { editionKey, isDue } from '../editions/schedule.ts';
import type { Preferences } from '../preferences/schema.ts';
import { createRanker } from '../rank/index.ts';
import { existingEditionKeys, sentItemIds } from '../store/editions.ts';
import { listRecentItems } from '../store/items.ts';
import { listPlannable } from '../store/subscribers.ts';
import { listTopics } from '../store/topics.ts';

const DAY = 86_400_000;

/** What an edition build would do for one subscriber. */
export interface PlannedEdition {
  subscriberId: number;
  email: string;
  editionKey: string;
  picks: EditionPick[];
}

/** The outcome of a dry run: the same counts a real build reports, plus what each would get. */
export interface DryRunResult {
  due: number;
  wouldBuild: number;
  empty: number;
  alreadyPlanned: number;
  editions: PlannedEdition[];
}

/**
 * Ranks picks for the given subscribers exactly as an edition build would (same window, same
 * exclusions, same topics) without writing anything. `onProgress` is called after each one.
 */
export async function rankInMemory(
  deps: Pick<Deps, 'db' | 'clock'>,
  candidates: { subscriber: Subscriber; prefs: Preferences; key: string }[],
  onProgress?: (done: number, total: number) => void,
): Promise<PlannedEdition[]> {
  if (candidates.length === 0) return [];
  const now = deps.clock();
  const maxWindow = Math.max(...candidates.map((c) => c.prefs.freshnessHours)) * 3_600_000;
  const [items, sent, topics] = await Promise.all([
    listRecentItems(deps.db, now - Math.max(maxWindow, DAY)),
    sentItemIds(deps.db, now - 30 * DAY),
    listTopics(deps.db),
  ]);
  const ranker = createRanker(items.map(toRankItem), { topics });
  const out: PlannedEdition[] = [];
  candidates.forEach(({ subscriber, prefs, key }, i) => {
    const picks = ranker.rank(prefs, { now, exclude: sent.get(subscriber.id) });
    out.push({
      subscriberId: subscriber.id,
      email: subscriber.email,
      editionKey: key,
      picks: picks.map((p) => ({ itemId: Number(p.id), score: p.score, reasons: p.reasons })),
    });
    onProgress?.(i + 1, candidates.length);
  });
  return out;
}

/**
 * `sift editions build --dry-run`: who is due and what each would get, computed in memory.
 * Writes nothing (no edition, no outbox row), so it is safe on a live instance.
 */
export async function planEditionsDryRun(
  deps: Pick<Deps, 'db' | 'clock'>,
  options: { force?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<DryRunResult> {
  const now = deps.clock();
  const candidates = (await listPlannable(deps.db, now))
    .filter(({ subscriber }) => options.force || isDue(subscriber, now))
    .map((c) => ({ ...c, key: editionKey(c.subscriber, now) }));
  const existing = await existingEditionKeys(
    deps.db,
    candidates.map((c) => c.key),
  );
  const due = candidates.filter((c) => !existing.has(`${c.subscriber.id}|${c.key}`));
  const planned = await rankInMemory(deps, due, options.onProgress);
  const editions = planned.filter((p) => p.picks.length > 0);
  return {
    due: due.length,
    wouldBuild: editions.length,
    empty: planned.length - editions.length,
    alreadyPlanned: candidates.length - due.length,
    editions,
  };
}
