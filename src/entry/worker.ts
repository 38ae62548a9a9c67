import { drizzle } from 'drizzle-orm/d1';
import { createApp } from '../app.tsx';
import { parseConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { createHttpMailer } from '../deliver/http-mailer.ts';
import { MailError, type Mailer } from '../deliver/mailer.ts';
import type { Deps } from '../deps.ts';
import { editionsJob, ingestJob, sendJob } from '../jobs/run-cycle.ts';
import { createLog } from '../log.ts';

/** Bindings declared in wrangler.toml (plus secrets set with `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  [key: string]: unknown;
}

// Without SIFT_MAILER=http no transport runs inside Workers: rows stay pending (never lost).
const noMailer: Mailer = {
  name: 'none',
  async send() {
    throw new MailError('deliver: no mail transport is configured for Workers', false, 3_600_000);
  },
};

/** Builds per-request dependencies from the bindings: no module-level state. */
export function workerDeps(env: Env): Deps {
  const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
  const config = parseConfig(strings);
  if (!config.SIFT_SECRET)
    throw new Error('config: SIFT_SECRET must be set on Workers (wrangler secret put SIFT_SECRET)');
  // D1's drizzle driver has the same query API and `batch` as libsql's; Db names that shared surface.
  const db = drizzle(env.DB, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    config,
    secret: config.SIFT_SECRET,
    mailer:
      config.SIFT_MAILER === 'http'
        ? createHttpMailer(config.SIFT_HTTP_PROVIDER, {
            apiKey: config.SIFT_HTTP_API_KEY!,
            apiUrl: config.SIFT_HTTP_API_URL,
          })
        : noMailer,
    log: createLog(config.LOG_LEVEL, (line) => console.log(line)),
    clock: Date.now,
    fetch: (input, init) => fetch(input, init),
    bundled: async () => {
      throw new Error('ingest: bundled demo feeds are only available on Node');
    },
  };
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    return createApp(workerDeps(env)).fetch(request, env, ctx);
  },
  /** Cron Triggers run the same job functions as node-cron, chosen by the trigger's pattern. */
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const deps = workerDeps(env);
    const run = async () => {
      await ingestJob(deps);
      await editionsJob(deps);
      if (deps.mailer !== noMailer) await sendJob(deps);
    };
    ctx.waitUntil(run());
  },
} satisfies ExportedHandler<Env>;
