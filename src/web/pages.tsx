import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { parseEmail } from '../subscribers/email-address.ts';
import { confirm, requestSignIn, signIn, subscribe } from '../subscribers/subscribe.ts';
import { Layout } from './layout.tsx';
import {
  clientIp,
  currentSubscriber,
  endSession,
  forgetAccount,
  nonceOf,
  runInBackground,
  startSession,
} from './request.ts';

const TOKEN = '{[A-Za-z0-9_-]+}';

function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v : '';
}

/** An email input with its error message tied to it for screen readers. */
function EmailInput(props: { id: string; errorId: string; email?: string; error?: string }) {
  return (
    <>
      <input
        id={props.id}
        name="email"
        type="email"
        autocomplete="email"
        required
        value={props.email ?? ''}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? props.errorId : undefined}
      />
      {props.error ? (
        <p id={props.errorId} class="error">
          {props.error}
        </p>
      ) : null}
    </>
  );
}

/** Sign-up, double opt-in, passwordless sign-in, manage links, sign-out and the privacy page. */
export function pagesRoutes(deps: Deps) {
  function SignUpForm(props: { email?: string; error?: string; interests?: string }) {
    return (
      <form method="post" action="/subscribe" class="panel" novalidate>
        <label for="email">Your email address</label>
        <EmailInput id="email" errorId="email-error" email={props.email} error={props.error} />
        <label for="interests">What do you want to read about? (optional)</label>
        <input
          id="interests"
          name="interests"
          type="text"
          value={props.interests ?? ''}
          placeholder="e.g. hockey, climate policy, rust"
          aria-describedby="interests-hint"
        />
        <p id="interests-hint" class="hint">
          Separate with commas. You can change everything later.
        </p>
        <input type="hidden" name="timezone" value="" data-browser-tz />
        <p>
          <button type="submit">Subscribe</button>
        </p>
        <p class="hint">We send one confirmation email. Nothing else arrives until you confirm.</p>
      </form>
    );
  }

  function SignInForm(props: { email?: string; error?: string }) {
    return (
      <form method="post" action="/signin" class="panel" novalidate>
        <label for="signin-email">Your email address</label>
        <EmailInput id="signin-email" errorId="signin-error" email={props.email} error={props.error} />
        <p>
          <button type="submit">Email me a sign-in link</button>
        </p>
      </form>
    );
  }

  const CheckInbox = (props: { what: string }) => (
    <>
      <h1>Check your inbox</h1>
      <p role="status">
        If the address can receive Sift mail, {props.what} is on its way. It may take a minute; look in spam
        too. For your privacy, this page looks the same whether or not the address is known.
      </p>
      <p class="muted">
        Nothing arrived after ten minutes? You can ask again; we send at most one email per ten minutes.
      </p>
    </>
  );

  return (
    new Hono()
      .get('/', async (c) => {
        const me = await currentSubscriber(c, deps);
        return c.html(
          <Layout title="Personal newsletters from the feeds you choose" nonce={nonceOf(c)} signedIn={!!me}>
            <h1>Your news, picked by what you say you want</h1>
            <p>
              Sift reads the news sources of this site and sends you one short edition at your local time,
              picked by the interests you state, each story with the reason it was picked. By email, and as a
              private RSS, Atom or JSON feed. No tracking, no guessing behind your back.
            </p>
            <SignUpForm />
            <p>
              Already subscribed? <a href="/signin">Get a sign-in link</a> to change your preferences.
            </p>
          </Layout>,
        );
      })
      .post('/subscribe', async (c) => {
        const body = await c.req.parseBody();
        const parsed = parseEmail(body.email);
        const interests = field(body, 'interests');
        if ('error' in parsed)
          return c.html(
            <Layout title="Subscribe" nonce={nonceOf(c)}>
              <h1>Subscribe</h1>
              <div role="alert" class="alert">
                <p>{parsed.error}</p>
              </div>
              <SignUpForm email={field(body, 'email')} error={parsed.error} interests={interests} />
            </Layout>,
            400,
          );
        const terms = interests
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0 && t.length <= 100)
          .slice(0, 20);
        const decision = await subscribe(deps, {
          email: parsed.email,
          ip: clientIp(c, deps),
          timezone: field(body, 'timezone').slice(0, 64) || undefined,
          interests: terms,
        });
        if (decision.email) runInBackground(c, deps, deps.mailer.send(decision.email));
        return c.html(
          <Layout title="Check your inbox" nonce={nonceOf(c)}>
            <CheckInbox what="a confirmation link" />
          </Layout>,
        );
      })
      .get('/signin', async (c) =>
        c.html(
          <Layout title="Sign in" nonce={nonceOf(c)}>
            <h1>Sign in</h1>
            <p>
              Sift has no passwords. Enter your address and we email you a link that signs you in (it works
              once, for 30 minutes). Every Sift email also has a "Preferences" link that opens your page
              directly.
            </p>
            <SignInForm />
          </Layout>,
        ),
      )
      .post('/signin', async (c) => {
        const body = await c.req.parseBody();
        const parsed = parseEmail(body.email);
        if ('error' in parsed)
          return c.html(
            <Layout title="Sign in" nonce={nonceOf(c)}>
              <h1>Sign in</h1>
              <div role="alert" class="alert">
                <p>{parsed.error}</p>
              </div>
              <SignInForm email={field(body, 'email')} error={parsed.error} />
            </Layout>,
            400,
          );
        const decision = await requestSignIn(deps, { email: parsed.email, ip: clientIp(c, deps) });
        if (decision.email) runInBackground(c, deps, deps.mailer.send(decision.email));
        return c.html(
          <Layout title="Check your inbox" nonce={nonceOf(c)}>
            <CheckInbox what="a sign-in link" />
          </Layout>,
        );
      })
      // Single-use links open a page whose button POSTs: mail scanners that fetch every link
      // must neither confirm a subscription nor burn a sign-in link.
      .get(`/confirm/:token${TOKEN}`, (c) =>
        c.html(
          <Layout title="Confirm your subscription" nonce={nonceOf(c)}>
            <h1>Confirm your subscription</h1>
            <form method="post">
              <p>One click and your first edition is on its way at your chosen time.</p>
              <button type="submit">Confirm my subscription</button>
            </form>
          </Layout>,
        ),
      )
      .post(`/confirm/:token${TOKEN}`, async (c) => {
        const subscriber = await confirm(deps, c.req.param('token'));
        forgetAccount(deps.db, subscriber.id);
        await startSession(c, deps, subscriber);
        return c.redirect('/preferences?welcome=1', 303);
      })
      .get(`/signin/:token${TOKEN}`, (c) =>
        c.html(
          <Layout title="Sign in" nonce={nonceOf(c)}>
            <h1>Sign in to Sift</h1>
            <form method="post">
              <p>Continue to your preferences.</p>
              <button type="submit">Sign in</button>
            </form>
          </Layout>,
        ),
      )
      .post(`/signin/:token${TOKEN}`, async (c) => {
        const subscriber = await signIn(deps, c.req.param('token'));
        await startSession(c, deps, subscriber);
        return c.redirect('/preferences', 303);
      })
      .post('/signout', (c) => {
        endSession(c, deps);
        return c.redirect('/', 303);
      })
      .get('/privacy', async (c) => {
        const me = await currentSubscriber(c, deps);
        return c.html(
          <Layout title="Privacy" nonce={nonceOf(c)} signedIn={!!me}>
            <h1>Privacy</h1>
            <ul>
              <li>
                We keep your address, your stated preferences and schedule, your "more / less like this"
                clicks, and the editions we built for you.
              </li>
              <li>
                No tracking pixels, and no click tracking: links in emails and feeds go straight to the story.
              </li>
              <li>
                Your feeds have a secret address you can change at any time; the old one stops working at
                once.
              </li>
              <li>
                On your preferences page you can download everything as JSON and delete it all. If you had
                unsubscribed, only a one-way hash of your address is kept so nobody can add you again without
                your confirmation.
              </li>
              <li>Every email has a one-click unsubscribe link that works without signing in.</li>
            </ul>
          </Layout>,
        );
      })
  );
}
