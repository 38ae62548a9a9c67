import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { verifyLink } from '../security/signed-links.ts';
import { getPreferences, getSubscriber } from '../store/subscribers.ts';
import { Layout } from './layout.tsx';

/** Public pages: landing and (read-only for now) preferences. */
export function pagesRoutes(deps: Deps) {
  return new Hono()
    .get('/', (c) =>
      c.html(
        <Layout title="Personal newsletters from the feeds you choose">
          <h1>Sift</h1>
          <p>
            Sift reads the news sources you choose and sends you one short edition at your local time, picked
            by the interests you state: by email and as a private feed. No tracking, no guessing behind your
            back.
          </p>
        </Layout>,
      ),
    )
    .get('/p/:token', async (c) => {
      const link = await verifyLink(deps.secret, 'manage', c.req.param('token'));
      const subscriber = link && (await getSubscriber(deps.db, link.subscriberId));
      if (!subscriber || subscriber.tokenVersion !== link.version)
        throw new NotFoundError('This link is not valid any more.');
      const prefs = (await getPreferences(deps.db, subscriber.id))!;
      return c.html(
        <Layout title="Your preferences">
          <h1>Your preferences</h1>
          <p class="muted">Signed in as {subscriber.email}.</p>
          <h2>Interests</h2>
          <ul>
            {prefs.interests.map((i) => (
              <li>
                {i.term} (weight {i.weight})
              </li>
            ))}
          </ul>
          <h2>Mutes</h2>
          {prefs.mutes.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul>
              {prefs.mutes.map((m) => (
                <li>{m}</li>
              ))}
            </ul>
          )}
          <h2>Delivery</h2>
          <p>
            {subscriber.frequency === 'daily' ? 'Daily' : `Weekly (day ${subscriber.weekday})`} at{' '}
            {String(subscriber.deliveryHour).padStart(2, '0')}:
            {String(subscriber.deliveryMinute).padStart(2, '0')} ({subscriber.timezone}), up to{' '}
            {prefs.maxItems} items.
          </p>
        </Layout>,
      );
    });
}
