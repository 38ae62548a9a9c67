import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.ts';
import { AppError } from './errors.ts';
import { adminRoutes } from './web/admin.tsx';
import { feedRoutes } from './web/feeds.ts';
import { Layout } from './web/layout.tsx';
import { pagesRoutes } from './web/pages.tsx';
import { unsubscribeRoutes } from './web/unsubscribe.tsx';
import { webhookRoutes } from './web/webhooks.ts';

/** Builds the web application over its dependencies. No runtime access: Node and Workers share it. */
export function createApp(deps: Deps) {
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'https:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
    }),
  );
  app.use(
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.text('Request body too large (64 KiB at most).', 413),
    }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/', pagesRoutes(deps));
  app.route('/', feedRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));
  app.route('/', webhookRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.notFound((c) => c.html(<ErrorPage status={404} message="There is nothing here." />, 404));
  app.onError((err, c) => {
    if (err instanceof AppError)
      return c.html(<ErrorPage status={err.status} message={err.message} />, err.status);
    deps.log.error('web: unhandled error', { path: c.req.path, error: err });
    return c.html(<ErrorPage status={500} message="Something went wrong on our side." />, 500);
  });
  return app;
}

function ErrorPage(props: { status: number; message: string }) {
  return (
    <Layout title={String(props.status)}>
      <h1>{props.status === 404 ? 'Not found' : `Error ${props.status}`}</h1>
      <p>{props.message}</p>
    </Layout>
  );
}
