import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { keyWords } from '../preferences/feedback.ts';
import { verifyLink } from '../security/signed-links.ts';
import { subscriberLinks } from '../security/subscriber-links.ts';
import { getItemsByIds } from '../store/items.ts';
import { getSubscriber } from '../store/subscribers.ts';
import { applyFeedback } from '../subscribers/feedback.ts';
import { describeChanges } from '../subscribers/feedback-change.ts';
import { Layout } from './layout.tsx';
import { forgetAccount, nonceOf } from './request.ts';

const PATH = '/f/:token/:item{[0-9]+}/:dir{more|less}';

/**
 * "More / less like this" from an email: GET shows a confirmation page (mail scanners open
 * every link and must not change preferences); its button POSTs. The token is the signed
 * 'feedback' link of the subscriber (current token version), so no session is needed.
 */
export function feedbackRoutes(deps: Deps) {
  async function resolve(token: string, itemId: number) {
    const link = await verifyLink(deps.secret, 'feedback', token);
    const subscriber = link && (await getSubscriber(deps.db, link.subscriberId));
    if (!subscriber || subscriber.tokenVersion !== link.version)
      throw new NotFoundError('This link does not work any more. Open your preferences from a newer email.');
    const [item] = await getItemsByIds(deps.db, [itemId]);
    if (!item) throw new NotFoundError('That story is no longer available, so there is nothing to adjust.');
    return { subscriber, item };
  }
  return new Hono()
    .get(PATH, async (c) => {
      const { item } = await resolve(c.req.param('token'), Number(c.req.param('item')));
      const more = c.req.param('dir') === 'more';
      const words = keyWords(item);
      return c.html(
        <Layout title={more ? 'More like this' : 'Less like this'} nonce={nonceOf(c)}>
          <h1>{more ? 'More like this?' : 'Less like this?'}</h1>
          <p>
            Story: <strong>{item.title}</strong>
          </p>
          <form method="post">
            <p>
              This {more ? 'raises' : 'lowers'} the weight of {words.map((w) => `'${w}'`).join(', ')} in your
              interests{more ? '' : ' (interests you typed yourself stay as they are)'}. You can see and undo
              it on your preferences page.
            </p>
            <button type="submit">{more ? 'Yes, more like this' : 'Yes, less like this'}</button>
          </form>
        </Layout>,
      );
    })
    .post(PATH, async (c) => {
      const { subscriber, item } = await resolve(c.req.param('token'), Number(c.req.param('item')));
      const direction = c.req.param('dir') as 'more' | 'less';
      const result = await applyFeedback(deps, subscriber, { itemId: item.id, direction });
      forgetAccount(deps.db, subscriber.id);
      const links = await subscriberLinks(deps.config.baseUrl, deps.secret, subscriber);
      return c.html(
        <Layout title="Thanks" nonce={nonceOf(c)}>
          <h1>Noted</h1>
          <p role="status">
            {result.repeated ? 'You had already said so; nothing changed this time. ' : ''}Your interests:{' '}
            {describeChanges(result.changes)}.
          </p>
          <p>
            Changed your mind? <a href={links.preferences}>Undo it on your preferences page</a>.
          </p>
        </Layout>,
      );
    });
}
