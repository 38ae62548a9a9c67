import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { verifyLink } from '../security/signed-links.ts';
import { getSubscriber } from '../store/subscribers.ts';
import { unsubscribeSubscriber } from '../subscribers/account.ts';
import { Layout } from './layout.tsx';
import { forgetAccount, nonceOf } from './request.ts';

/**
 * Unsubscribe: GET shows one button (mail scanners open links; only a POST acts). The same
 * POST serves RFC 8058 one-click requests from mail providers: no cookie, cross-site, body
 * `List-Unsubscribe=One-Click` — app.tsx exempts exactly this route from csrf(). Idempotent,
 * and unsent editions are suppressed in the same write, so it takes effect at once.
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
        <Layout title="Unsubscribe" nonce={nonceOf(c)}>
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
      await unsubscribeSubscriber(deps, subscriber);
      forgetAccount(deps.db, subscriber.id);
      return c.html(
        <Layout title="Unsubscribed" nonce={nonceOf(c)}>
          <h1>You are unsubscribed</h1>
          <p role="status">{subscriber.email} will get no more editions.</p>
          <p>
            Changed your mind? <a href="/">Subscribe again</a> (we send a confirmation email first).
          </p>
        </Layout>,
      );
    });
}
