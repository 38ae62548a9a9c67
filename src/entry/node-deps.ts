import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { migrateLibsql, openLibsql } from '../db/libsql.ts';
import { createHttpMailer } from '../deliver/http-mailer.ts';
import type { Mailer } from '../deliver/mailer.ts';
import { createOutboxMailer } from '../deliver/outbox-mailer.ts';
import { createSmtpMailer } from '../deliver/smtp-mailer.ts';
import { DEMO_FEEDS } from '../demo/demo.ts';
import { freshenDemoFeed } from '../demo/freshen.ts';
import type { BundledFeeds, Deps } from '../deps.ts';
import { parseAllowList } from '../ingest/address-policy.ts';
import { createSafeFetch } from '../ingest/node-safe-fetch.ts';
import { createLog, type Log } from '../log.ts';
import { decodeEmbeddings, type EmbeddingTable } from '../rank/index.ts';
import { lazySentenceEncoder } from '../semantic/encoder.ts';
import { createSentenceService, memoryVectorStore, type SentenceServices } from '../semantic/service.ts';
import { dbVectorStore } from '../store/sentence-vectors.ts';

const root = new URL('../..', import.meta.url).pathname;

/** Where the migrations and demo feeds live, relative to the package. */
export const paths = {
  migrations: join(root, 'drizzle'),
  demoFeeds: join(root, 'src/demo/feeds'),
  embeddings: join(root, 'src/rank/data/embeddings.bin'),
};

/** Distinct interests whose sentence vectors a process keeps (~0.5 KB each). */
const INTEREST_VECTORS_KEPT = 50_000;

// Read-only data, identical for every Deps built in this process (tests build many): decode once.
let embeddings: EmbeddingTable | undefined;

/** The shipped word-embedding table (src/rank/data/embeddings.bin), decoded once per process. */
export function loadEmbeddings(): EmbeddingTable {
  embeddings ??= decodeEmbeddings(readFileSync(paths.embeddings));
  return embeddings;
}

/**
 * Sentence vectors for the product: items' in the database by content, interests' in memory
 * (see SentenceServices). The model loads on the first text that is not stored yet, so a start
 * with everything encoded costs nothing.
 */
function sentenceServices(db: Db, config: Config, log: Log): SentenceServices | undefined {
  if (config.SIFT_SENTENCES === 'off') return undefined;
  const encoder = lazySentenceEncoder(log);
  if (!encoder) return undefined;
  return {
    items: createSentenceService(encoder, dbVectorStore(db), log),
    interests: createSentenceService(encoder, memoryVectorStore(INTEREST_VECTORS_KEPT), log),
  };
}

/**
 * The secret for signed links: SIFT_SECRET, or one generated on first start and kept in the
 * data folder (mode 600), so a newcomer needs no configuration and links survive restarts.
 */
export function resolveSecret(config: Config, dataDir: string): string {
  if (config.SIFT_SECRET) return config.SIFT_SECRET;
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Reads bundled demo feeds from disk, dates shifted so the demo always looks fresh. */
export function diskBundledFeeds(clock: () => number): BundledFeeds {
  return async (name) => {
    if (!DEMO_FEEDS.includes(name)) throw new Error(`ingest: no bundled feed named '${name}'`);
    return freshenDemoFeed(await readFile(join(paths.demoFeeds, name), 'utf8'), clock());
  };
}

/** Creates the configured mail transport. */
export function createMailer(config: Config, dataDir: string): Mailer {
  if (config.SIFT_MAILER === 'smtp') return createSmtpMailer(config.SMTP_URL!);
  if (config.SIFT_MAILER === 'http')
    return createHttpMailer(config.SIFT_HTTP_PROVIDER, {
      apiKey: config.SIFT_HTTP_API_KEY!,
      apiUrl: config.SIFT_HTTP_API_URL,
    });
  return createOutboxMailer(join(dataDir, 'outbox'));
}

/** The fetch for user-supplied URLs: public addresses only, unless SIFT_ALLOW_PRIVATE_HOSTS names the host. */
export function createSourceFetch(config: Config): typeof fetch {
  return createSafeFetch({
    allowPrivateHosts: parseAllowList(config.SIFT_ALLOW_PRIVATE_HOSTS),
    connectTimeoutMs: config.SIFT_FETCH_CONNECT_TIMEOUT * 1000,
  });
}

/** Builds Node dependencies: data folder, libsql database (migrated), mailer, logger. */
export async function createNodeDeps(
  config: Config,
  overrides: Partial<Deps> & { log?: Log } = {},
): Promise<{ deps: Deps; dataDir: string; close(): Promise<void> }> {
  const dataDir = resolve(config.SIFT_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const { db, close } = openLibsql(
    config.DATABASE_URL ?? `file:${join(dataDir, 'sift.db')}`,
    config.DATABASE_AUTH_TOKEN,
  );
  await migrateLibsql(db, paths.migrations);
  const clock = overrides.clock ?? Date.now;
  const mailer = overrides.mailer ?? createMailer(config, dataDir);
  const log = overrides.log ?? createLog(config.LOG_LEVEL);
  const deps: Deps = {
    db,
    mailer,
    config,
    secret: resolveSecret(config, dataDir),
    log,
    clock,
    fetch: createSourceFetch(config),
    bundled: diskBundledFeeds(clock),
    embeddings: loadEmbeddings(),
    sentences: sentenceServices(db, config, log),
    ...overrides,
  };
  return {
    deps,
    dataDir,
    async close() {
      await mailer.close?.();
      close();
    },
  };
}
