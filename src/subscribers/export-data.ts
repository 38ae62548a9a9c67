import { desc, eq } from 'drizzle-orm';
import { editions, outbox, type Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { parsePreferences } from '../preferences/schema.ts';
import { allFeedback } from '../store/feedback.ts';
import { getItemsByIds } from '../store/items.ts';
import { getPreferencesRow } from '../store/subscribers.ts';

/**
 * "Download my data": everything Sift holds about a subscriber, as one JSON document — profile
 * and schedule, preferences, feedback, and every edition with its picks, reasons and delivery
 * state. Secrets (token hashes, versions) are left out: they are keys, not data about the person.
 */
export async function exportData(deps: Pick<Deps, 'db' | 'clock'>, subscriber: Subscriber) {
  const [prefsRow, feedback, editionRows, outboxRows] = await Promise.all([
    getPreferencesRow(deps.db, subscriber.id),
    allFeedback(deps.db, subscriber.id),
    deps.db
      .select()
      .from(editions)
      .where(eq(editions.subscriberId, subscriber.id))
      .orderBy(desc(editions.createdAt))
      .all(),
    deps.db
      .select({
        editionId: outbox.editionId,
        status: outbox.status,
        sentAt: outbox.sentAt,
        attempts: outbox.attempts,
      })
      .from(outbox)
      .where(eq(outbox.subscriberId, subscriber.id))
      .all(),
  ]);
  const items = await getItemsByIds(deps.db, [
    ...new Set([
      ...editionRows.flatMap((e) => e.picks.map((p) => p.itemId)),
      ...feedback.flatMap((f) => (f.itemId === null ? [] : [f.itemId])),
    ]),
  ]);
  const byId = new Map(items.map((i) => [i.id, i]));
  const delivery = new Map(outboxRows.map((o) => [o.editionId, o]));
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    exportedAt: new Date(deps.clock()).toISOString(),
    profile: {
      email: subscriber.email,
      status: subscriber.status,
      createdAt: iso(subscriber.createdAt),
      confirmedAt: iso(subscriber.confirmedAt),
      unsubscribedAt: iso(subscriber.unsubscribedAt),
    },
    schedule: {
      frequency: subscriber.frequency,
      weekday: subscriber.weekday,
      deliveryTime: `${String(subscriber.deliveryHour).padStart(2, '0')}:${String(subscriber.deliveryMinute).padStart(2, '0')}`,
      timezone: subscriber.timezone,
      emailEnabled: subscriber.emailEnabled,
      pausedUntil: iso(subscriber.pausedUntil),
    },
    preferences: parsePreferences(prefsRow?.data),
    preferencesUpdatedAt: iso(prefsRow?.updatedAt ?? null),
    feedback: feedback.map((f) => ({
      itemId: f.itemId,
      itemTitle: (f.itemId !== null && byId.get(f.itemId)?.title) || null,
      direction: f.direction,
      change: f.change,
      createdAt: iso(f.createdAt),
      undoneAt: iso(f.undoneAt),
    })),
    editions: editionRows.map((e) => ({
      editionKey: e.editionKey,
      createdAt: iso(e.createdAt),
      email: delivery.get(e.id)
        ? { status: delivery.get(e.id)!.status, sentAt: iso(delivery.get(e.id)!.sentAt ?? null) }
        : null,
      picks: e.picks.map((p) => ({
        itemId: p.itemId,
        title: byId.get(p.itemId)?.title ?? null,
        url: byId.get(p.itemId)?.url ?? null,
        reasons: p.reasons,
      })),
    })),
  };
}
