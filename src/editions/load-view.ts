import type { Edition, Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { EditionView, PickView } from '../render/view.ts';
import { subscriberLinks } from '../security/subscriber-links.ts';
import { getItemsByIds, type ItemWithSource } from '../store/items.ts';

/** Loads what rendering needs for several editions of one subscriber, with one items query. */
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
  return editions.map((edition) => ({
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
          source: item.sourceTitle ?? new URL(item.sourceUrl, 'http://x').hostname,
          summary: item.summary,
          reasons: p.reasons,
          publishedAt: item.publishedAt,
        },
      ];
    }),
  }));
}
