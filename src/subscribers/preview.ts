import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { editions, items } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { toRankItem } from '../editions/build-editions.ts';
import { sourceName } from '../editions/load-view.ts';
import { batchRanker, type RankingBatch } from '../editions/sentences.ts';
import type { Preferences } from '../preferences/schema.ts';
import type { Topic } from '../rank/index.ts';
import { type ItemWithSource, listRecentItems } from '../store/items.ts';
import { listTopics } from '../store/topics.ts';

/** One item the next edition would contain, with the same reasons an email would show. */
export interface PreviewPick {
  itemId: number;
  title: string;
  url: string | null;
  source: string;
  reasons: string[];
}

/** "Your next edition" as it would be picked right now. */
export interface EditionPreview {
  picks: PreviewPick[];
  /** Items that would have qualified but a mute (word or source) hid. */
  hiddenByMutes: number;
  /** A few of those, so the subscriber can judge whether a mute is too broad. */
  hiddenExamples: string[];
}

interface Pool {
  key: string;
  /** The topic catalogue the ranker was built with. */
  topicsKey: string;
  builtAt: number;
  /** Real time of the last "did items change?" check. */
  checkedAt: number;
  /** The ranker and its context; interests' sentence vectors are made on first preview. */
  batch: RankingBatch;
  byId: Map<string, ItemWithSource>;
  previews: Map<string, EditionPreview>;
}

const DAY = 86_400_000;
const POOL_WINDOW = 30 * DAY;
const POOL_MAX_ITEMS = 5000;
const POOL_MAX_AGE = 10 * 60_000;
const PREVIEW_CACHE = 500;
// Rankers are costly to build and cheap to ask: one per database, rebuilt when items change.
// Keyed by the db object, so each Deps (and each test) has its own, and nothing is global.
const pools = new WeakMap<Db, Pool>();

const RECHECK_MS = 2000;

// Concurrent first views share one build instead of each building a ranker.
const building = new WeakMap<Db, Promise<Pool>>();

/** A topic catalogue the caller has read, with its key (its JSON), made once per call. */
interface GivenTopics {
  topics: Topic[];
  key: string;
}

function poolFor(
  deps: Pick<Deps, 'db' | 'clock' | 'embeddings' | 'sentences' | 'log'>,
  topics?: Topic[],
): Promise<Pool> {
  const cached = pools.get(deps.db);
  const given = topics && { topics, key: JSON.stringify(topics) };
  const sameTopics = !given || cached?.topicsKey === given.key;
  if (cached && sameTopics && Date.now() - cached.checkedAt < RECHECK_MS) return Promise.resolve(cached);
  let pending = building.get(deps.db);
  if (!pending) {
    building.set(deps.db, (pending = refreshPool(deps, given).finally(() => building.delete(deps.db))));
  }
  return pending;
}

async function refreshPool(
  deps: Pick<Deps, 'db' | 'clock' | 'embeddings' | 'sentences' | 'log'>,
  given?: GivenTopics,
): Promise<Pool> {
  const now = deps.clock();
  // A preview may trail new items by a couple of seconds; checking less often keeps page views cheap.
  const cached = pools.get(deps.db);
  const stamp = await deps.db
    .select({ id: sql<number | null>`max(${items.id})`, at: sql<number | null>`max(${items.fetchedAt})` })
    .from(items)
    .get();
  const key = `${stamp?.id ?? 0}|${stamp?.at ?? 0}`;
  const sameTopics = !given || cached?.topicsKey === given.key;
  if (cached && sameTopics && cached.key === key && Math.abs(now - cached.builtAt) < POOL_MAX_AGE) {
    cached.checkedAt = Date.now();
    return cached;
  }
  const [rows, topics] = await Promise.all([
    listRecentItems(deps.db, now - POOL_WINDOW, POOL_MAX_ITEMS),
    given?.topics ?? listTopics(deps.db),
  ]);
  const rankItems = rows.map(toRankItem);
  // The planner's context (topics, embeddings, stored sentence vectors), so the preview shows
  // what the edition will pick. Only vectors ingest stored: a page view does not wait for items
  // to be encoded, and those rank without a vector here.
  const batch = await batchRanker(deps, rankItems, { topics, encodeItems: 0 });
  const pool: Pool = {
    key,
    topicsKey: given?.key ?? JSON.stringify(topics),
    builtAt: now,
    checkedAt: Date.now(),
    batch,
    byId: new Map(rows.map((r) => [String(r.id), r])),
    previews: new Map(),
  };
  pools.set(deps.db, pool);
  return pool;
}

/** Item ids this subscriber already received (the planner never picks them again). */
async function alreadySent(db: Db, subscriberId: number): Promise<{ ids: Set<string>; newest: number }> {
  const rows = await db
    .select({ id: editions.id, picks: editions.picks })
    .from(editions)
    .where(eq(editions.subscriberId, subscriberId))
    .orderBy(desc(editions.createdAt))
    .limit(60)
    .all();
  return {
    ids: new Set(rows.flatMap((r) => r.picks.map((p) => String(p.itemId)))),
    newest: rows[0]?.id ?? 0,
  };
}

/**
 * What the next edition would contain if it were picked now: the planner's ranker over the
 * recent items, minus what the subscriber already received, with reasons; plus how many
 * items the mutes hid. "Hidden" is measured with the ranker itself — rank again without the
 * mutes and count what then qualifies but was not a candidate before — so it uses exactly
 * the ranker's mute matching. Cached per preferences document until items or the topic
 * catalogue (`topics`, when the caller has read it) change.
 */
export async function previewEdition(
  deps: Pick<Deps, 'db' | 'clock' | 'embeddings' | 'sentences' | 'log'>,
  subscriberId: number,
  prefs: Preferences,
  newestEditionId?: number | null,
  topics?: Topic[],
): Promise<EditionPreview> {
  const pool = await poolFor(deps, topics);
  const known = newestEditionId === undefined ? undefined : (newestEditionId ?? 0);
  const keyFor = (newest: number) => `${subscriberId}|${newest}|${JSON.stringify(prefs)}`;
  if (known !== undefined) {
    const hit = pool.previews.get(keyFor(known));
    if (hit) return hit;
  }
  const sent = await alreadySent(deps.db, subscriberId);
  const cacheKey = keyFor(sent.newest);
  const hit = pool.previews.get(cacheKey);
  if (hit) return hit;
  await pool.batch.prepare([prefs]);
  const now = deps.clock();
  const picks = pool.batch.ranker.rank(prefs, { now, exclude: sent.ids });
  let hiddenByMutes = 0;
  const hiddenExamples: string[] = [];
  if (prefs.mutes.length > 0 || prefs.mutedSources.length > 0) {
    const wide = { ...prefs, maxItems: 50, perSourceCap: 50 };
    const limit = 500;
    const withMutes = new Set(
      pool.batch.ranker.rank(wide, { now, exclude: sent.ids, limit }).map((p) => p.id),
    );
    const unmuted = pool.batch.ranker.rank(
      { ...wide, mutes: [], mutedSources: [] },
      { now, exclude: sent.ids, limit },
    );
    for (const p of unmuted) {
      if (withMutes.has(p.id)) continue;
      hiddenByMutes++;
      const title = pool.byId.get(p.id)?.title;
      if (title && hiddenExamples.length < 5) hiddenExamples.push(title);
    }
  }
  const preview: EditionPreview = {
    picks: picks.flatMap((p) => {
      const item = pool.byId.get(p.id);
      if (!item) return [];
      return [
        {
          itemId: item.id,
          title: item.title,
          url: item.url,
          source: sourceName(item),
          reasons: p.reasons,
        },
      ];
    }),
    hiddenByMutes,
    hiddenExamples,
  };
  if (pool.previews.size >= PREVIEW_CACHE) pool.previews.delete(pool.previews.keys().next().value!);
  pool.previews.set(cacheKey, preview);
  return preview;
}
