import { createServer } from 'node:http';
import { join } from 'node:path';
import cron from 'node-cron';
import { createApp } from '../app.tsx';
import { parseConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { createJobRunner, stoppableMailer } from '../jobs/job-runner.ts';
import { editionsJob, ingestJob, sendJob } from '../jobs/run-cycle.ts';
import { createNodeDeps } from './node-deps.ts';
import { createNodeListener } from './node-listener.ts';

// The Node composition root: the only module that reads process.env.
let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`sift: ${e.message}\nSee .env.example and the configuration table in README.md.`);
    process.exit(1);
  }
  throw e;
}

const { deps, dataDir, close } = await createNodeDeps(config);
const { log } = deps;
// Shutdown lets the message in flight finish and hands the rest of a claimed batch back.
const mailer = stoppableMailer(deps.mailer);
deps.mailer = mailer;
const app = createApp(deps);
const shutdown = new AbortController();
const runner = createJobRunner(log);

const ingest = runner.exclusive('ingest', () => ingestJob(deps, { signal: shutdown.signal }));
const plan = runner.exclusive('editions', () => editionsJob(deps, { signal: shutdown.signal }));
const send = runner.exclusive('send', () => sendJob(deps, { signal: shutdown.signal }));
const tasks =
  config.SIFT_CRON === 'on'
    ? [
        cron.schedule(config.SIFT_CRON_INGEST, ingest, { name: 'ingest' }),
        cron.schedule(config.SIFT_CRON_EDITIONS, plan, { name: 'editions' }),
        cron.schedule(config.SIFT_CRON_SEND, send, { name: 'send' }),
      ]
    : [];

const server = createServer(createNodeListener(app.fetch, deps.db));
server.listen(config.PORT, config.HOST, () => {
  log.info(`Sift is running at ${config.baseUrl} (listening on ${config.HOST}:${config.PORT})`);
  log.info(`data folder: ${dataDir}`);
  if (config.SIFT_MAILER === 'outbox')
    log.info(`emails are written to ${join(dataDir, 'outbox')} (.eml and .html)`);
});

// Run the pipeline once at start, so a fresh install shows an edition without waiting for cron.
if (config.SIFT_CRON === 'on')
  void runner.exclusive('startup', async () => {
    await ingestJob(deps, { signal: shutdown.signal });
    await editionsJob(deps, { signal: shutdown.signal });
    await sendJob(deps, { signal: shutdown.signal });
    log.info('jobs: start-up run finished');
  })();

/** How long SIGTERM waits for jobs in flight (container runtimes kill after ~30 s). */
const SHUTDOWN_GRACE_MS = 20_000;

/**
 * Graceful shutdown: no new ticks or requests; ingestion finishes the fetches in flight and
 * releases the leases of sources it had not started; the planner stops after the group it is
 * storing; the sender finishes the message in flight and puts the rest of its claimed batch
 * back to pending (releasing those leases); then the database is closed.
 */
async function stop(signal: string) {
  if (shutdown.signal.aborted) return;
  log.info(`received ${signal}, shutting down`, { running: runner.active() });
  shutdown.abort();
  mailer.stop();
  for (const t of tasks) await t.stop();
  server.close();
  const unfinished = await runner.stop(SHUTDOWN_GRACE_MS);
  if (unfinished.length > 0)
    log.warn('jobs still running at shutdown; their leases expire on their own', { jobs: unfinished });
  await close();
  log.info('shutdown complete');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
