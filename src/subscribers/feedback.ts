import type { Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { applyFeedback as applyToPreferences } from '../preferences/feedback.ts';
import { parsePreferences } from '../preferences/schema.ts';
import { findActiveFeedback, getFeedback, insertFeedback, markFeedbackUndone } from '../store/feedback.ts';
import { getItemsByIds } from '../store/items.ts';
import { getPreferences, savePreferences } from '../store/subscribers.ts';
import {
  diffInterests,
  type FeedbackChange,
  feedbackRecord,
  undoFeedbackChanges,
} from './feedback-change.ts';

/** What a feedback click did. */
export interface FeedbackResult {
  changes: FeedbackChange[];
  /** True when the same click was already recorded (a second click changes nothing). */
  repeated: boolean;
}

/**
 * Applies "more / less like this" on one item to the subscriber's preferences — with the
 * preferences module's own rule (applyFeedback: the item's key words gain or lose weight) —
 * and records exactly what changed, so the preferences page can show and undo it.
 * Idempotent per item and direction until undone. NotFoundError when the item is gone.
 */
export async function applyFeedback(
  deps: Pick<Deps, 'db' | 'clock' | 'log'>,
  subscriber: Subscriber,
  input: { itemId: number; direction: 'more' | 'less' },
): Promise<FeedbackResult> {
  const previous = await findActiveFeedback(deps.db, subscriber.id, input.itemId, input.direction);
  if (previous) return { changes: feedbackRecord(previous.change).changes, repeated: true };
  const [item] = await getItemsByIds(deps.db, [input.itemId]);
  if (!item) throw new NotFoundError('That story is no longer available, so there is nothing to adjust.');
  const prefs = parsePreferences(await getPreferences(deps.db, subscriber.id));
  const next = applyToPreferences(prefs, item, input.direction);
  const changes = diffInterests(prefs, next);
  const now = deps.clock();
  await savePreferences(deps.db, subscriber.id, next, now);
  await insertFeedback(deps.db, {
    subscriberId: subscriber.id,
    itemId: item.id,
    direction: input.direction,
    change: { changes },
    createdAt: now,
  });
  deps.log.info('subscribers: feedback', { subscriber: subscriber.id, direction: input.direction });
  return { changes, repeated: false };
}

/** Undoes one feedback click of this subscriber. Undoing twice is a no-op; someone else's row is a 404. */
export async function undoFeedback(
  deps: Pick<Deps, 'db' | 'clock'>,
  subscriber: Subscriber,
  feedbackId: number,
): Promise<void> {
  const row = await getFeedback(deps.db, subscriber.id, feedbackId);
  if (!row) throw new NotFoundError('No such feedback.');
  if (row.undoneAt !== null) return;
  const prefs = parsePreferences(await getPreferences(deps.db, subscriber.id));
  const now = deps.clock();
  await savePreferences(
    deps.db,
    subscriber.id,
    undoFeedbackChanges(prefs, feedbackRecord(row.change).changes),
    now,
  );
  await markFeedbackUndone(deps.db, row.id, now);
}
