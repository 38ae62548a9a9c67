/**
 * The operator dashboard (/admin): source health, sends and feedback per day as SVG charts,
 * recent failures and the suppression list. Server-rendered, no JavaScript. Signed in with
 * SIFT_ADMIN_TOKEN through a form (a signed, HttpOnly session cookie) or a Bearer header;
 * every form POST carries a CSRF token bound to the session.
 */
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import {
  bearerToken,
  createSession,
  csrfToken,
  isAdminToken,
  SESSION_MS,
  verifyCsrf,
  verifySession,
} from '../../operator/admin-auth.ts';
import { resendEdition } from '../../operator/editions.ts';
import { listSourceHealth, pauseSource, resumeSource } from '../../operator/sources.ts';
import { getStats } from '../../operator/stats.ts';
import { listSuppressionList, suppressAddress, unsuppressAddress } from '../../operator/subscribers.ts';
import { randomToken } from '../../security/random-token.ts';
import { EditionRunsTable } from '../edition-runs-table.tsx';
import { BarChart } from './charts.tsx';
import { isoMinute, relativeTime } from './format.ts';
import { AdminLayout } from './layout.tsx';

const SESSION_COOKIE = 'sift_admin';
const LOGIN_COOKIE = 'sift_admin_login';
const FLASH_COOKIE = 'sift_admin_flash';

type Auth = { kind: 'bearer' } | { kind: 'session'; session: string };

function cookieOptions(deps: Deps, maxAgeSeconds: number) {
  return {
    path: '/admin',
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: deps.config.baseUrl.startsWith('https://'),
    maxAge: maxAgeSeconds,
  };
}

function nonceOf(c: Context): string | undefined {
  return (c.get('secureHeadersNonce' as never) as string | undefined) ?? undefined;
}

/** Builds the /admin sub-app. */
export function adminDashboard(deps: Deps) {
  const app = new Hono();

  async function authOf(c: Context): Promise<Auth | null> {
    const expected = deps.config.SIFT_ADMIN_TOKEN;
    if (!expected) return null;
    const bearer = bearerToken(c.req.header('authorization'));
    if (bearer) return (await isAdminToken(expected, bearer)) ? { kind: 'bearer' } : null;
    const session = getCookie(c, SESSION_COOKIE);
    if (session && (await verifySession(deps.secret, expected, session, deps.clock())))
      return { kind: 'session', session };
    return null;
  }

  /** Authorises a form POST: a Bearer header, or a session plus its CSRF token. */
  async function authPost(c: Context): Promise<{ form: Record<string, string> } | Response> {
    const auth = await authOf(c);
    if (!auth) return c.redirect('/admin/login', 303);
    const raw = await c.req.parseBody();
    const form = Object.fromEntries(
      Object.entries(raw).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
    );
    if (auth.kind === 'session' && !(await verifyCsrf(deps.secret, auth.session, form._csrf)))
      return c.html(
        <AdminLayout title="Expired form" nonce={nonceOf(c)}>
          <h1>This form has expired</h1>
          <p>
            It was not sent from your current dashboard session. <a href="/admin">Reload the dashboard</a> and
            try again.
          </p>
        </AdminLayout>,
        403,
      );
    return { form };
  }

  // The outcome travels in a short-lived cookie, not the URL: a crafted link cannot make the
  // dashboard display text of someone else's choosing.
  const back = (c: Context, text: string, kind: 'notice' | 'error' = 'notice') => {
    setCookie(c, FLASH_COOKIE, `${kind}:${text}`, cookieOptions(deps, 60));
    return c.redirect('/admin', 303);
  };

  /** Runs an action, turning expected failures into an error notice on the dashboard. */
  async function act(c: Context, run: (form: Record<string, string>) => Promise<string>) {
    const auth = await authPost(c);
    if (auth instanceof Response) return auth;
    try {
      return back(c, await run(auth.form));
    } catch (e) {
      if (e instanceof AppError) return back(c, e.message, 'error');
      throw e;
    }
  }

  app.get('/login', async (c) => {
    if (!deps.config.SIFT_ADMIN_TOKEN) return c.html(<Disabled nonce={nonceOf(c)} />, 503);
    if (await authOf(c)) return c.redirect('/admin', 303);
    const nonce = randomToken();
    setCookie(c, LOGIN_COOKIE, nonce, cookieOptions(deps, 600));
    return c.html(<Login nonce={nonceOf(c)} formNonce={nonce} />);
  });

  app.post('/login', async (c) => {
    const expected = deps.config.SIFT_ADMIN_TOKEN;
    if (!expected) return c.html(<Disabled nonce={nonceOf(c)} />, 503);
    const form = await c.req.parseBody();
    const cookieNonce = getCookie(c, LOGIN_COOKIE);
    const fresh = randomToken();
    setCookie(c, LOGIN_COOKIE, fresh, cookieOptions(deps, 600));
    // Login CSRF: the form must come from a page we served (double-submit of a random nonce).
    if (!cookieNonce || form._login !== cookieNonce)
      return c.html(
        <Login nonce={nonceOf(c)} formNonce={fresh} error="The sign-in form expired. Please try again." />,
        403,
      );
    if (typeof form.token !== 'string' || !(await isAdminToken(expected, form.token.trim())))
      return c.html(<Login nonce={nonceOf(c)} formNonce={fresh} error="That is not the admin token." />, 401);
    deleteCookie(c, LOGIN_COOKIE, { path: '/admin' });
    setCookie(
      c,
      SESSION_COOKIE,
      await createSession(deps.secret, expected, deps.clock()),
      cookieOptions(deps, SESSION_MS / 1000),
    );
    return c.redirect('/admin', 303);
  });

  app.post('/logout', async (c) => {
    const auth = await authPost(c);
    if (auth instanceof Response) return auth;
    deleteCookie(c, SESSION_COOKIE, { path: '/admin' });
    return c.redirect('/admin/login', 303);
  });

  app.get('/', async (c) => {
    const auth = await authOf(c);
    if (!auth) {
      if (!deps.config.SIFT_ADMIN_TOKEN) return c.html(<Disabled nonce={nonceOf(c)} />, 503);
      return c.redirect('/admin/login', 303);
    }
    const csrf = auth.kind === 'session' ? await csrfToken(deps.secret, auth.session) : '';
    const flashValue = getCookie(c, FLASH_COOKIE);
    const flash = flashValue
      ? { kind: flashValue.startsWith('error:') ? 'error' : 'notice', text: flashValue.replace(/^\w+:/, '') }
      : null;
    if (flashValue) deleteCookie(c, FLASH_COOKIE, { path: '/admin' });
    const now = deps.clock();
    const [stats, sources, suppressions] = await Promise.all([
      getStats(deps, { days: 30 }),
      listSourceHealth(deps),
      listSuppressionList(deps),
    ]);
    const days = stats.sendsPerDay.map((d) => d.day);
    const Csrf = () => <input type="hidden" name="_csrf" value={csrf} />;
    return c.html(
      <AdminLayout
        title="Dashboard"
        nonce={nonceOf(c)}
        signedIn={
          auth.kind === 'session' ? (
            <form method="post" action="/admin/logout" class="inline">
              <Csrf />
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          ) : null
        }
      >
        <h1>Dashboard</h1>
        {flash?.kind === 'notice' && (
          <p class="notice" role="status">
            {flash.text}
          </p>
        )}
        {flash?.kind === 'error' && (
          <p class="error" role="alert">
            {flash.text}
          </p>
        )}
        <section aria-label="Summary" class="tiles">
          <div class="tile">
            Active subscribers<b>{stats.subscribers.active}</b>
            <span class="muted">
              {stats.subscribers.pending} pending · {stats.subscribers.unsubscribed} unsubscribed
            </span>
          </div>
          <div class="tile">
            Sources<b>{stats.sources.total}</b>
            <span class="muted">
              {stats.sources.failing} failing · {stats.sources.paused} paused
            </span>
          </div>
          <div class="tile">
            Emails sent<b>{stats.outbox.sent}</b>
            <span class="muted">
              {stats.outbox.pending} queued · {stats.outbox.failed} failed
            </span>
          </div>
          <div class="tile">
            Feedback<b>{stats.feedback.more + stats.feedback.less}</b>
            <span class="muted">
              {stats.feedback.more} more · {stats.feedback.less} less
            </span>
          </div>
        </section>

        <h2>Last 30 days</h2>
        <div class="charts">
          <BarChart
            id="sends"
            title="Emails per day"
            days={days}
            series={[
              { name: 'sent', color: '#2f81f7', values: stats.sendsPerDay.map((d) => d.sent) },
              { name: 'failed', color: '#d1242f', values: stats.sendsPerDay.map((d) => d.failed) },
            ]}
          />
          <BarChart
            id="feedback"
            title="Feedback per day"
            days={days}
            series={[
              { name: 'more like this', color: '#1a7f37', values: stats.feedbackPerDay.map((d) => d.more) },
              { name: 'less like this', color: '#bf8700', values: stats.feedbackPerDay.map((d) => d.less) },
            ]}
          />
        </div>

        <h2 id="sources">Source health</h2>
        {sources.length === 0 ? (
          <p class="empty">No sources yet. Add one with `sift sources add URL` or POST /api/admin/sources.</p>
        ) : (
          <div class="scroll">
            <table aria-labelledby="sources">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">State</th>
                  <th scope="col">Last success</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Next check</th>
                  <th scope="col">Items</th>
                  <th scope="col">
                    <span class="muted">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sources.map((s) => (
                  <tr data-source={s.id}>
                    <td class="url">
                      {s.title ?? s.url}
                      {s.title && (
                        <>
                          <br />
                          <span class="muted">{s.url}</span>
                        </>
                      )}
                    </td>
                    <td>
                      <span class={`badge state-${s.state}`}>{s.state}</span>
                    </td>
                    <td title={isoMinute(s.lastSuccessAt)}>
                      {s.lastSuccessAt === null ? 'never' : relativeTime(s.lastSuccessAt, now)}
                    </td>
                    <td>{s.state === 'paused' ? s.summary : (s.lastError ?? '—')}</td>
                    <td title={isoMinute(s.nextCheckAt)}>
                      {s.paused
                        ? 'paused'
                        : s.nextCheckAt === null || s.nextCheckAt <= now
                          ? 'due now'
                          : relativeTime(s.nextCheckAt, now)}
                    </td>
                    <td>{s.items}</td>
                    <td>
                      <form
                        method="post"
                        action={`/admin/sources/${s.id}/${s.paused ? 'resume' : 'pause'}`}
                        class="inline"
                      >
                        <Csrf />
                        <button
                          type="submit"
                          class="secondary"
                          aria-label={`${s.paused ? 'Resume' : 'Pause'} ${s.title ?? s.url}`}
                        >
                          {s.paused ? 'Resume' : 'Pause'}
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2 id="runs">Edition runs</h2>
        <EditionRunsTable runs={stats.editionRuns} labelledBy="runs" />

        <h2 id="failures">Recent delivery failures</h2>
        {stats.recentFailures.length === 0 ? (
          <p class="empty">No failed or retrying emails.</p>
        ) : (
          <div class="scroll">
            <table aria-labelledby="failures">
              <thead>
                <tr>
                  <th scope="col">Recipient</th>
                  <th scope="col">Edition</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Error</th>
                  <th scope="col">
                    <span class="muted">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.recentFailures.map((f) => (
                  <tr>
                    <td class="url">{f.email ?? `subscriber ${f.subscriberId}`}</td>
                    <td>{f.editionKey}</td>
                    <td>
                      {f.status === 'failed' ? (
                        <span class="badge state-failing">failed</span>
                      ) : (
                        <span class="badge state-paused" title={isoMinute(f.nextAttemptAt)}>
                          retry {relativeTime(f.nextAttemptAt, now)}
                        </span>
                      )}
                    </td>
                    <td>{f.attempts}</td>
                    <td>{f.lastError ?? '—'}</td>
                    <td>
                      <form method="post" action={`/admin/editions/${f.editionId}/resend`} class="inline">
                        <Csrf />
                        <button type="submit" class="secondary">
                          Resend
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2 id="suppressions">Suppression list</h2>
        <p class="muted">Addresses that are never mailed (bounces, complaints, operator action).</p>
        <form method="post" action="/admin/suppressions" class="tiles">
          <Csrf />
          <label>
            Address <input type="email" name="email" required autocomplete="off" />
          </label>
          <label>
            Reason <input type="text" name="reason" maxlength={200} />
          </label>
          <div>
            <button type="submit">Suppress</button>
          </div>
        </form>
        {suppressions.length === 0 ? (
          <p class="empty">The suppression list is empty.</p>
        ) : (
          <div class="scroll">
            <table aria-labelledby="suppressions">
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span class="muted">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {suppressions.map((s) => (
                  <tr>
                    <td class="url">{s.email.startsWith('sha256:') ? 'erased address (hashed)' : s.email}</td>
                    <td>{s.reason}</td>
                    <td title={isoMinute(s.createdAt)}>{relativeTime(s.createdAt, now)}</td>
                    <td>
                      <form method="post" action="/admin/suppressions/remove" class="inline">
                        <Csrf />
                        <input type="hidden" name="email" value={s.email} />
                        <button type="submit" class="secondary">
                          Remove
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="muted">
          API: <a href="/api/admin/openapi.json">/api/admin/openapi.json</a>
        </p>
      </AdminLayout>,
    );
  });

  const idOf = (c: Context) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('not_found', 'no such id');
    return id;
  };
  app.post('/sources/:id/pause', (c) =>
    act(c, async () => {
      const s = await pauseSource(deps, { id: idOf(c), reason: 'paused from the dashboard' });
      return `Paused ${s.title ?? s.url}.`;
    }),
  );
  app.post('/sources/:id/resume', (c) =>
    act(c, async () => {
      const s = await resumeSource(deps, { id: idOf(c) });
      return `Resumed ${s.title ?? s.url}: it is checked on the next ingest run.`;
    }),
  );
  app.post('/editions/:id/resend', (c) =>
    act(c, async () => {
      await resendEdition(deps, { editionId: idOf(c) });
      return 'Queued again: the next send run delivers it.';
    }),
  );
  app.post('/suppressions', (c) =>
    act(c, async (form) => {
      const email = (form.email ?? '').trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw new AppError('bad_request', 'email: expected an email address');
      await suppressAddress(deps, { email, reason: form.reason });
      return `${email} is suppressed.`;
    }),
  );
  app.post('/suppressions/remove', (c) =>
    act(c, async (form) => {
      await unsuppressAddress(deps, { email: form.email ?? '' });
      return `${form.email} can be mailed again.`;
    }),
  );
  return app;
}

function Login(props: { nonce?: string; formNonce: string; error?: string }) {
  return (
    <AdminLayout title="Sign in" nonce={props.nonce}>
      <h1>Sign in</h1>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <form method="post" action="/admin/login">
        <input type="hidden" name="_login" value={props.formNonce} />
        <p>
          <label for="token">Admin token</label>
          <br />
          <input id="token" type="password" name="token" required autocomplete="current-password" size={48} />
        </p>
        <p class="muted">The value of SIFT_ADMIN_TOKEN. You stay signed in for 12 hours on this browser.</p>
        <button type="submit">Sign in</button>
      </form>
    </AdminLayout>
  );
}

function Disabled(props: { nonce?: string }) {
  return (
    <AdminLayout title="Dashboard off" nonce={props.nonce}>
      <h1>The dashboard is off</h1>
      <p>
        Set <code>SIFT_ADMIN_TOKEN</code> (32 or more random characters, e.g.{' '}
        <code>openssl rand -base64 32</code>) and restart Sift to turn on the dashboard and the admin API.
      </p>
    </AdminLayout>
  );
}
