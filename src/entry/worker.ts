import { drizzle } from 'drizzle-orm/d1';
import { createApp } from '../app.tsx';
import { parseConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { createHttpMailer } from '../deliver/http-mailer.ts';
import { MailError, type Mailer } from '../deliver/mailer.ts';
import type { Deps } from '../deps.ts';
import { editionsJob, ingestJob, sendJob } from '../jobs/run-cycle.ts';
import { consumeSendBatch, enqueueDueSends, type SendMessage } from '../jobs/send-queue.ts';
import { createLog } from '../log.ts';

/** Bindings declared in wrangler.toml (plus secrets set with `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  /** Sends fan out through this queue (wrangler.toml [[queues.producers]]); the same Worker consumes it. */
  SEND_QUEUE?: Queue<SendMessage>;
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

/** Subscribers planned per cron tick: ranking ~1 ms each keeps a tick well inside the CPU limit. */
const PLAN_LIMIT = 5000;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    return createApp(workerDeps(env)).fetch(request, env, ctx);
  },
  /**
   * The Cron Trigger runs the same job functions as node-cron: ingest, then plan (at most
   * PLAN_LIMIT subscribers per tick, for the Workers CPU limit; the rest are planned on the
   * next tick), then hand due outbox rows to the send queue. Without a queue binding it sends
   * in-line, as Node does.
   */
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const deps = workerDeps(env);
    const run = async () => {
      await ingestJob(deps);
      await editionsJob(deps, { limit: PLAN_LIMIT });
      if (env.SEND_QUEUE) await enqueueDueSends(deps, env.SEND_QUEUE);
      else if (deps.mailer !== noMailer) await sendJob(deps);
    };
    ctx.waitUntil(run());
  },
  /** Queue consumer: sends one batch of outbox rows (wrangler.toml sizes batches for the CPU limit). */
  async queue(batch: MessageBatch<SendMessage>, env: Env, ctx: ExecutionContext) {
    const deps = workerDeps(env);
    ctx.waitUntil(
      consumeSendBatch(deps, batch.messages).then((stats) => {
        if (stats.sent + stats.failed + stats.retried + stats.suppressed > 0)
          deps.log.info('deliver: queue batch finished', { ...stats });
      }),
    );
  },
} satisfies ExportedHandler<Env, SendMessage>;
