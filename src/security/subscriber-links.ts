import type { Subscriber } from '../db/schema.ts';
import { signLink } from './signed-links.ts';

/** The absolute links one subscriber's email and pages carry. */
export interface SubscriberLinks {
  unsubscribe: string;
  preferences: string;
  feeds: { atom: string; rss: string; json: string };
  /**
   * The signed prefix of every feedback link (`…/f/TOKEN`): a link is `${feedbackBase}/ITEM/more`
   * or `…/less`. Given on its own so a digest writes the signed part without rebuilding it.
   */
  feedbackBase: string;
  /** "More / less like this" for one item: opens a confirmation page whose button POSTs. */
  feedback(itemId: number, direction: 'more' | 'less'): string;
}

/** Builds a subscriber's signed links under `baseUrl`. */
export async function subscriberLinks(
  baseUrl: string,
  secret: string,
  subscriber: Pick<Subscriber, 'id' | 'tokenVersion' | 'feedVersion'>,
): Promise<SubscriberLinks> {
  const [unsub, manage, feed, feedback] = await Promise.all([
    signLink(secret, 'unsubscribe', subscriber.id, subscriber.tokenVersion),
    signLink(secret, 'manage', subscriber.id, subscriber.tokenVersion),
    signLink(secret, 'feed', subscriber.id, subscriber.feedVersion),
    signLink(secret, 'feedback', subscriber.id, subscriber.tokenVersion),
  ]);
  const feedbackBase = `${baseUrl}/f/${feedback}`;
  return {
    unsubscribe: `${baseUrl}/u/${unsub}`,
    preferences: `${baseUrl}/p/${manage}`,
    feeds: {
      atom: `${baseUrl}/feeds/${feed}.atom`,
      rss: `${baseUrl}/feeds/${feed}.rss`,
      json: `${baseUrl}/feeds/${feed}.json`,
    },
    feedbackBase,
    feedback: (itemId, direction) => `${feedbackBase}/${itemId}/${direction}`,
  };
}
