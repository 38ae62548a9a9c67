import { Hono } from 'hono';
import type { Config } from '../config.ts';
import { isBrowsable } from '../deliver/mailer.ts';
import type { Deps } from '../deps.ts';
import { editionRunStatus } from '../store/outbox.ts';
import { EditionRunsTable } from './edition-runs-table.tsx';
import { Layout } from './layout.tsx';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether the dev outbox viewer is on: SIFT_OUTBOX_VIEWER=on, or `auto` (the default) while the
 * outbox mailer is in use and the base URL is a localhost one — never on a public deployment
 * unless the operator forces it.
 */
export function outboxViewerEnabled(config: Config, mailerBrowsable: boolean): boolean {
  if (!mailerBrowsable || config.SIFT_OUTBOX_VIEWER === 'off') return false;
  if (config.SIFT_OUTBOX_VIEWER === 'on') return true;
  return LOCAL_HOSTS.has(new URL(config.baseUrl).hostname);
}

/** Dev-only pages at /dev/outbox: the emails the outbox mailer wrote, and edition run status. */
export function outboxViewerRoutes(deps: Deps) {
  const app = new Hono();
  const mailer = deps.mailer;
  if (!isBrowsable(mailer) || !outboxViewerEnabled(deps.config, true)) return app;

  app.get('/dev/outbox', async (c) => {
    const [messages, runs] = await Promise.all([
      mailer.listMessages(),
      editionRunStatus(deps.db, { limit: 10 }),
    ]);
    return c.html(
      <Layout title="Outbox">
        <h1>Outbox</h1>
        <p>
          Emails written by the outbox mailer (development only; set <code>SIFT_OUTBOX_VIEWER=off</code> to
          hide this page).
        </p>
        <h2 id="runs">Edition runs</h2>
        <EditionRunsTable runs={runs} labelledBy="runs" plain />
        <h2>Messages</h2>
        {messages.length === 0 ? (
          <p>The outbox is empty.</p>
        ) : (
          <ul>
            {messages.map((m) => (
              <li>
                <a href={`/dev/outbox/${m.name}.html`}>{m.subject}</a> to {m.to} ·{' '}
                <time datetime={new Date(m.writtenAt).toISOString()}>
                  {new Date(m.writtenAt).toISOString().replace('T', ' ').slice(0, 19)} UTC
                </time>{' '}
                · <a href={`/dev/outbox/${m.name}.eml`}>.eml</a>
              </li>
            ))}
          </ul>
        )}
      </Layout>,
    );
  });

  app.get('/dev/outbox/:file{[A-Za-z0-9@._-]+\\.(?:html|eml)}', async (c) => {
    const file = c.req.param('file');
    const kind = file.endsWith('.eml') ? 'eml' : 'html';
    const body = await mailer.readMessage(file.slice(0, -(kind.length + 1)), kind);
    if (!body) return c.notFound();
    return c.body(new Uint8Array(body), 200, {
      'content-type': kind === 'html' ? 'text/html; charset=utf-8' : 'message/rfc822',
      ...(kind === 'eml' ? { 'content-disposition': `attachment; filename="${file}"` } : {}),
    });
  });
  return app;
}
