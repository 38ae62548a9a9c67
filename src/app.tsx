import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.ts';
import { AppError } from './errors.ts';
import { RateLimitedError } from './subscribers/errors.ts';
import { adminRoutes } from './web/admin.tsx';
import { feedbackRoutes } from './web/feedback.tsx';
import { feedRoutes, matchFeed } from './web/feeds.ts';
import { Layout } from './web/layout.tsx';
import { outboxViewerRoutes } from './web/outbox-viewer.tsx';
import { pagesRoutes } from './web/pages.tsx';
import { preferencesRoutes } from './web/preferences.tsx';
import { forgetAccounts, nonceOf } from './web/request.ts';
import { unsubscribeRoutes } from './web/unsubscribe.tsx';
import { webhookRoutes } from './web/webhooks.ts';

/** Builds the web application over its dependencies. No runtime access: Node and Workers share it. */
export function createApp(deps: Deps) {
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        // Scripts only with this response's nonce (progressive enhancement; pages work without).
        scriptSrc: [NONCE],
        // The live preview fetches from this site only.
        connectSrc: ["'self'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'https:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
    }),
  );
  const limitBody = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.text('Request body too large (64 KiB at most).', 413),
  });
  // GET and HEAD carry no body; skipping them also spares @hono/node-server building a full Request.
  app.use(async function limitBodies(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return limitBody(c, next);
  });
  // csrf() on every form POST (Origin / Sec-Fetch-Site must be this site) except exactly the
  // RFC 8058 one-click unsubscribe, which mail providers send cross-site without cookies.
  const baseOrigin = new URL(deps.config.baseUrl).origin;
  const csrfCheck = csrf({
    origin: (origin, c) => origin === baseOrigin || origin === new URL(c.req.url).origin,
  });
  app.use(async function csrfExceptOneClick(c, next) {
    if (c.req.method === 'POST' && ONE_CLICK.test(c.req.path)) return next();
    // The admin API authenticates by bearer header only (no cookies): a cross-site form cannot carry it.
    if (c.req.path.startsWith('/api/admin/')) return next();
    return csrfCheck(c, next);
  });
  // Page views may reuse an account read a moment ago; any post may have changed one, so the
  // next view reads the database again.
  app.use(async function freshAccountsAfterPost(c, next) {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') forgetAccounts(deps.db);
  });
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/', pagesRoutes(deps));
  app.route('/', preferencesRoutes(deps));
  app.route('/', feedbackRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));
  app.route('/', webhookRoutes(deps));
  app.route('/', outboxViewerRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.notFound((c) =>
    c.html(<ErrorPage status={404} message="There is nothing here." nonce={nonceOf(c)} />, 404),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status === 403)
      return c.html(
        <ErrorPage
          status={403}
          message="This form was sent from another site, so it was refused. Go back, reload the page and try again."
          nonce={nonceOf(c)}
        />,
        403,
      );
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err instanceof AppError)
      return c.html(<ErrorPage status={err.status} message={err.message} nonce={nonceOf(c)} />, err.status);
    deps.log.error('web: unhandled error', { path: redactTokens(c.req.path), error: err });
    return c.html(<ErrorPage status={500} message="Something went wrong on our side." />, 500);
  });
  // Feeds are data with their own headers and a latency budget (bench/http.ts): GET and HEAD of
  // a feed URL are served before any routing or page middleware (CSP nonces, csrf, body limit),
  // so a cached answer is one synchronous call. Other methods and malformed feed paths go to the
  // routes like any unknown URL (404).
  const feeds = feedRoutes(deps);
  const pages = app.fetch;
  app.fetch = (request, env, ctx) => {
    const feed = matchFeed(request.url, request.method);
    return feed ? feeds.serve(feed, request) : pages(request, env, ctx);
  };
  return app;
}

/** A path with its link tokens (long URL segments) replaced, so logs never hold a working link. */
export function redactTokens(path: string): string {
  return path.replace(/\/[A-Za-z0-9_.-]{16,}/g, '/[token]');
}

/** The one-click unsubscribe route, exempt from csrf() (RFC 8058). */
const ONE_CLICK = /^\/u\/[^/]+$/;

const TITLES: Record<number, string> = {
  400: 'Please check your input',
  401: 'Please sign in',
  403: 'Refused',
  404: 'Not found',
  413: 'Too large',
  429: 'Too many requests',
};

function ErrorPage(props: { status: number; message: string; nonce?: string | undefined }) {
  return (
    <Layout title={TITLES[props.status] ?? `Error ${props.status}`} nonce={props.nonce}>
      <h1>{TITLES[props.status] ?? `Error ${props.status}`}</h1>
      <p role="alert">{props.message}</p>
      {props.status === 401 ? (
        <p>
          <a href="/signin">Get a sign-in link</a>
        </p>
      ) : (
        <p>
          <a href="/">Back to the start page</a>
        </p>
      )}
    </Layout>
  );
}
