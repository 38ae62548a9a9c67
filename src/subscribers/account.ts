import type { Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import {
  bumpFeedVersion,
  bumpTokenVersion,
  eraseSubscriber,
  unsubscribeNow,
  updateSubscriber,
} from '../store/subscribers.ts';

type AccountDeps = Pick<Deps, 'db' | 'clock' | 'log'>;

/** Gives the subscriber a new private feed address; the old one answers 404 from now on. */
export async function rotateFeedToken(deps: AccountDeps, subscriber: Subscriber): Promise<Subscriber> {
  const updated = await bumpFeedVersion(deps.db, subscriber.id);
  deps.log.info('subscribers: feed address rotated', { subscriber: subscriber.id });
  return updated;
}

/** Revokes every signed link and session of the subscriber (manage, unsubscribe, feedback). */
export async function revokeLinks(deps: AccountDeps, subscriber: Subscriber): Promise<Subscriber> {
  const updated = await bumpTokenVersion(deps.db, subscriber.id);
  deps.log.info('subscribers: links revoked', { subscriber: subscriber.id });
  return updated;
}

/**
 * Unsubscribes (idempotent) and suppresses unsent editions at once, so nothing more goes out
 * and the next planning run skips them.
 */
export async function unsubscribeSubscriber(deps: AccountDeps, subscriber: Subscriber): Promise<void> {
  await unsubscribeNow(deps.db, subscriber.id, deps.clock());
  if (subscriber.status !== 'unsubscribed')
    deps.log.info('subscribers: unsubscribed', { subscriber: subscriber.id });
}

/**
 * Subscribes again a signed-in subscriber who had unsubscribed: the address was proven by the
 * sign-in link, so no new confirmation is needed.
 */
export async function resubscribe(deps: AccountDeps, subscriber: Subscriber): Promise<Subscriber> {
  if (subscriber.status === 'active') return subscriber;
  const updated = await updateSubscriber(deps.db, subscriber.id, {
    status: 'active',
    unsubscribedAt: null,
    confirmedAt: subscriber.confirmedAt ?? deps.clock(),
  });
  deps.log.info('subscribers: resubscribed', { subscriber: subscriber.id });
  return updated;
}

/**
 * "Delete me": erases the subscriber's rows, tokens, editions, outbox rows and feedback. Only
 * when they had unsubscribed is a hashed suppression entry kept (so an import cannot re-add
 * them); it holds a SHA-256 of the address, never the address.
 */
export async function deleteSubscriber(deps: AccountDeps, subscriber: Subscriber): Promise<void> {
  await eraseSubscriber(deps.db, subscriber);
  deps.log.info('subscribers: erased', { subscriber: subscriber.id });
}
