import { eq } from 'drizzle-orm';
import { sources, subscribers } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { parsePreferences } from '../preferences/schema.ts';
import { countRealSources, upsertSource } from '../store/sources.ts';
import { countRealSubscribers, createSubscriber, getSubscriberByEmail } from '../store/subscribers.ts';

/** The demo feeds shipped in src/demo/feeds, read without the network. */
export const DEMO_FEEDS = ['tech-daily.rss', 'science-notes.atom', 'sports-wire.rss'];

/** What the demo subscriber says they want. */
export const DEMO_PREFERENCES = parsePreferences({
  interests: [
    'open source',
    'privacy',
    'climate',
    { term: 'space', weight: 1.5 },
    'battery',
    'hockey',
    'email',
  ],
  mutes: ['football'],
  maxItems: 8,
});

/**
 * Switches the demo on or off. In `auto` mode the demo runs while the instance has no source
 * and no subscriber of its own; adding either pauses the demo feeds and retires the demo
 * subscriber. Idempotent. Returns whether the demo is on.
 */
export async function syncDemo(deps: Deps): Promise<boolean> {
  const mode = deps.config.SIFT_DEMO;
  const on =
    mode === 'on' ||
    (mode === 'auto' &&
      (await countRealSources(deps.db)) === 0 &&
      (await countRealSubscribers(deps.db)) === 0);
  const email = deps.config.SIFT_DEMO_EMAIL;
  if (!on) {
    await deps.db
      .update(sources)
      .set({ paused: true, pausedReason: 'demo switched off' })
      .where(eq(sources.kind, 'bundled'));
    await deps.db.update(subscribers).set({ status: 'unsubscribed' }).where(eq(subscribers.isDemo, true));
    return false;
  }
  for (const name of DEMO_FEEDS) {
    const source = await upsertSource(deps.db, { url: `bundled:${name}`, kind: 'bundled' });
    if (source.paused)
      await deps.db
        .update(sources)
        .set({ paused: false, pausedReason: null })
        .where(eq(sources.id, source.id));
  }
  const existing = await getSubscriberByEmail(deps.db, email);
  if (!existing) {
    const now = new Date(deps.clock());
    // Scheduled for the minute the demo starts, so the first edition arrives right away.
    await createSubscriber(
      deps.db,
      {
        email,
        status: 'active',
        timezone: 'UTC',
        deliveryHour: now.getUTCHours(),
        deliveryMinute: now.getUTCMinutes(),
        isDemo: true,
        confirmedAt: deps.clock(),
      },
      DEMO_PREFERENCES,
    );
  } else if (existing.isDemo && existing.status !== 'active') {
    await deps.db.update(subscribers).set({ status: 'active' }).where(eq(subscribers.id, existing.id));
  }
  return true;
}
