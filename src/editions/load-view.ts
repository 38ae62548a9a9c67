import type { Edition, Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { EditionView, PickView } from '../render/view.ts';
import { type SubscriberLinks, subscriberLinks } from '../security/subscriber-links.ts';
import { getItemsByIds, type ItemWithSource } from '../store/items.ts';

/** Loads what rendering needs for several editions of one subscriber, with one items lookup. */
export async function loadEditionViews(
  deps: Pick<Deps, 'db' | 'config' | 'secret'>,
  subscriber: Subscriber,
  editions: Edition[],
): Promise<EditionView[]> {
  const ids = [...new Set(editions.flatMap((e) => e.picks.map((p) => p.itemId)))];
  const [links, rows] = await Promise.all([
    subscriberLinks(deps.config.baseUrl, deps.secret, subscriber),
    getItemsByIds(deps.db, ids),
  ]);
  const byId = new Map<number, ItemWithSource>(rows.map((r) => [r.id, r]));
  return editions.map((edition) => toEditionView(edition, subscriber, links, byId));
}

/**
 * Loads views for many (subscriber, edition) pairs with one items lookup for all of them (a
 * few queries, under the parameter limit): what a batch sender needs to avoid a query per
 * email. With `itemCache` (one per send run), items loaded for an earlier batch are not loaded
 * again: editions of one run share most of their items. Views come back in the order given.
 */
export async function loadEditionViewsBatch(
  deps: Pick<Deps, 'db' | 'config' | 'secret'>,
  pairs: { subscriber: Subscriber; edition: Edition }[],
  itemCache: Map<number, ItemWithSource> = new Map(),
): Promise<EditionView[]> {
  const missing = [...new Set(pairs.flatMap(({ edition }) => edition.picks.map((p) => p.itemId)))].filter(
    (id) => !itemCache.has(id),
  );
  const [rows, links] = await Promise.all([
    getItemsByIds(deps.db, missing),
    Promise.all(pairs.map(({ subscriber }) => subscriberLinks(deps.config.baseUrl, deps.secret, subscriber))),
  ]);
  for (const r of rows) itemCache.set(r.id, r);
  return pairs.map(({ subscriber, edition }, i) => toEditionView(edition, subscriber, links[i]!, itemCache));
}

/** An edition as every channel renders it, from already loaded items. */
function toEditionView(
  edition: Edition,
  subscriber: Subscriber,
  links: SubscriberLinks,
  byId: Map<number, ItemWithSource>,
): EditionView {
  return {
    editionId: edition.id,
    editionKey: edition.editionKey,
    createdAt: edition.createdAt,
    email: subscriber.email,
    links,
    picks: edition.picks.flatMap((p): PickView[] => {
      const item = byId.get(p.itemId);
      // An item removed since (its source deleted) drops out of the edition rather than breaking it.
      if (!item) return [];
      return [
        {
          itemId: item.id,
          title: item.title,
          url: item.url,
          source: sourceName(item),
          summary: item.summary,
          reasons: p.reasons,
          publishedAt: item.publishedAt,
        },
      ];
    }),
  };
}

/** The name a pick shows for its source: the feed's title, else its host. */
export function sourceName(item: Pick<ItemWithSource, 'sourceTitle' | 'sourceUrl'>): string {
  return item.sourceTitle ?? new URL(item.sourceUrl, 'http://x').hostname;
}
