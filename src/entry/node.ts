import { join } from 'node:path';
import { serve } from '@hono/node-server';
import cron from 'node-cron';
import { createApp } from '../app.tsx';
import { parseConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { editionsJob, ingestJob, runCycle, sendJob } from '../jobs/run-cycle.ts';
import { createNodeDeps } from './node-deps.ts';

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
const app = createApp(deps);

/** Runs a job unless its previous run is still going (node-cron ticks do not wait). */
function exclusive(name: string, job: () => Promise<unknown>) {
  let running: Promise<unknown> | null = null;
  return async () => {
    if (running) {
      log.debug(`jobs: ${name} still running, tick skipped`);
      return;
    }
    running = job()
      .catch((e) => log.error(`jobs: ${name} failed`, { error: e }))
      .finally(() => {
        running = null;
      });
    await running;
  };
}

const ingest = exclusive('ingest', () => ingestJob(deps));
const plan = exclusive('editions', () => editionsJob(deps));
const send = exclusive('send', () => sendJob(deps));
const tasks =
  config.SIFT_CRON === 'on'
    ? [
        cron.schedule(config.SIFT_CRON_INGEST, ingest, { name: 'ingest' }),
        cron.schedule(config.SIFT_CRON_EDITIONS, plan, { name: 'editions' }),
        cron.schedule(config.SIFT_CRON_SEND, send, { name: 'send' }),
      ]
    : [];

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  log.info(`Sift is running at ${config.baseUrl} (listening on ${info.address}:${info.port})`);
  log.info(`data folder: ${dataDir}`);
  if (config.SIFT_MAILER === 'outbox')
    log.info(`emails are written to ${join(dataDir, 'outbox')} (.eml and .html)`);
});

// Run the pipeline once at start, so a fresh install shows an edition without waiting for cron.
if (config.SIFT_CRON === 'on')
  void exclusive('startup', () => runCycle(deps))().then(() => log.info('jobs: start-up run finished'));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`received ${signal}, shutting down`);
  for (const t of tasks) await t.stop();
  server.close();
  await close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
