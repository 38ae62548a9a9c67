import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { verifyLink } from '../security/signed-links.ts';
import { getSubscriber, unsubscribe } from '../store/subscribers.ts';
import { Layout } from './layout.tsx';

/**
 * Unsubscribe: GET shows one button (mail scanners open links; only a POST acts). The same
 * POST serves RFC 8058 one-click requests from mail providers: no cookie, cross-site, body
 * `List-Unsubscribe=One-Click`. Idempotent.
 */
export function unsubscribeRoutes(deps: Deps) {
  async function subscriberFor(token: string) {
    const link = await verifyLink(deps.secret, 'unsubscribe', token);
    const subscriber = link && (await getSubscriber(deps.db, link.subscriberId));
    if (!subscriber || subscriber.tokenVersion !== link.version)
      throw new NotFoundError('This link is not valid any more.');
    return subscriber;
  }
  return new Hono()
    .get('/u/:token', async (c) => {
      const subscriber = await subscriberFor(c.req.param('token'));
      return c.html(
        <Layout title="Unsubscribe">
          <h1>Unsubscribe</h1>
          {subscriber.status === 'unsubscribed' ? (
            <p>{subscriber.email} is unsubscribed. No more editions will be sent.</p>
          ) : (
            <form method="post">
              <p>Stop all Sift editions to {subscriber.email}?</p>
              <button type="submit">Unsubscribe</button>
            </form>
          )}
        </Layout>,
      );
    })
    .post('/u/:token', async (c) => {
      const subscriber = await subscriberFor(c.req.param('token'));
      await unsubscribe(deps.db, subscriber.id, deps.clock());
      deps.log.info('web: unsubscribed', { subscriber: subscriber.id });
      return c.html(
        <Layout title="Unsubscribed">
          <h1>You are unsubscribed</h1>
          <p>{subscriber.email} will get no more editions. You can subscribe again at any time.</p>
        </Layout>,
      );
    });
}
