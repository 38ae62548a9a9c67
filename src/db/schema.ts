import { sql } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Preferences } from '../preferences/schema.ts';

// Times are epoch milliseconds (integer): portable between libsql and D1 and cheap to compare.
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

/** A feed Sift reads. `kind` 'bundled' reads a demo file shipped with Sift (no network). */
export const sources = sqliteTable(
  'sources',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    url: text().notNull(),
    kind: text({ enum: ['http', 'bundled'] })
      .notNull()
      .default('http'),
    title: text(),
    siteUrl: text(),
    etag: text(),
    lastModified: text(),
    nextCheckAt: integer().notNull().default(0),
    leaseUntil: integer(),
    lastCheckAt: integer(),
    lastSuccessAt: integer(),
    lastError: text(),
    errorCount: integer().notNull().default(0),
    paused: integer({ mode: 'boolean' }).notNull().default(false),
    pausedReason: text(),
    /** Format found at the last successful check ("RSS 2.0", "Atom 1.0", "JSON Feed 1.1"). */
    format: text(),
    /** SHA-256 of the last body parsed: an unchanged body from a server without validators is skipped. */
    bodyHash: text(),
    createdAt: integer().notNull().default(now),
  },
  (t) => [uniqueIndex('sources_url_unique').on(t.url), index('sources_next_check_idx').on(t.nextCheckAt)],
);

/** One normalised feed entry. `key` is its stable identity within the source (guid, link or hash). */
export const items = sqliteTable(
  'items',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    sourceId: integer()
      .notNull()
      .references(() => sources.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    url: text(),
    title: text().notNull(),
    summary: text().notNull().default(''),
    contentHtml: text(),
    author: text(),
    categories: text({ mode: 'json' }).$type<string[]>().notNull().default([]),
    publishedAt: integer(),
    fetchedAt: integer().notNull().default(now),
    clusterKey: text(),
    /** Link without scheme, www., tracking parameters or fragment: copies of one story share it. */
    canonicalUrl: text(),
    /** 64-bit SimHash of title + summary as 16 hex digits, for near-duplicate clustering. */
    simhash: text(),
    /** Podcast file or other attachment. */
    enclosure: text({ mode: 'json' }).$type<{ url: string; type: string | null; length: number | null }>(),
  },
  (t) => [
    uniqueIndex('items_source_key_unique').on(t.sourceId, t.key),
    index('items_fetched_idx').on(t.fetchedAt),
    index('items_cluster_idx').on(t.clusterKey),
  ],
);

/** A person who receives editions. Schedule fields are columns so the planner can query them. */
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    email: text().notNull(),
    status: text({ enum: ['pending', 'active', 'unsubscribed'] })
      .notNull()
      .default('pending'),
    timezone: text().notNull().default('UTC'),
    deliveryHour: integer().notNull().default(7),
    deliveryMinute: integer().notNull().default(0),
    frequency: text({ enum: ['daily', 'weekly'] })
      .notNull()
      .default('daily'),
    /** ISO weekday 1 (Monday) … 7 (Sunday), for weekly editions. */
    weekday: integer().notNull().default(1),
    emailEnabled: integer({ mode: 'boolean' }).notNull().default(true),
    pausedUntil: integer(),
    /** Bumping it revokes every signed link issued before. */
    tokenVersion: integer().notNull().default(1),
    /** Version of the private feed link; rotating the feed bumps it, so the old URL 404s. */
    feedVersion: integer().notNull().default(1),
    isDemo: integer({ mode: 'boolean' }).notNull().default(false),
    createdAt: integer().notNull().default(now),
    confirmedAt: integer(),
    unsubscribedAt: integer(),
  },
  (t) => [uniqueIndex('subscribers_email_unique').on(t.email), index('subscribers_status_idx').on(t.status)],
);

/** The subscriber's stated preferences, one validated document (see src/preferences/schema.ts). */
export const preferences = sqliteTable('preferences', {
  subscriberId: integer()
    .primaryKey()
    .references(() => subscribers.id, { onDelete: 'cascade' }),
  data: text({ mode: 'json' }).$type<Preferences>().notNull(),
  updatedAt: integer().notNull().default(now),
});

/** A picked item inside an edition, with the reasons shown to the subscriber. */
export interface EditionPick {
  itemId: number;
  score: number;
  reasons: string[];
}

/** The unit of truth: what one subscriber gets for one period. Email and feeds render this. */
export const editions = sqliteTable(
  'editions',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    /** The local period, e.g. '2026-11-24' (daily) or '2026-W48' (weekly). */
    editionKey: text().notNull(),
    picks: text({ mode: 'json' }).$type<EditionPick[]>().notNull(),
    createdAt: integer().notNull().default(now),
  },
  (t) => [
    uniqueIndex('editions_subscriber_key_unique').on(t.subscriberId, t.editionKey),
    // The planner asks "who already has this period?" by key: one index-only scan per run.
    index('editions_key_subscriber_idx').on(t.editionKey, t.subscriberId),
  ],
);

/**
 * A period the planner decided not to send (nothing new passed the threshold, or more than the
 * catch-up window late). Recorded so later ticks neither re-rank nor log it again.
 */
export const editionSkips = sqliteTable(
  'edition_skips',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    editionKey: text().notNull(),
    reason: text({ enum: ['empty', 'late'] }).notNull(),
    createdAt: integer().notNull().default(now),
  },
  (t) => [
    uniqueIndex('edition_skips_subscriber_key_unique').on(t.subscriberId, t.editionKey),
    index('edition_skips_key_subscriber_idx').on(t.editionKey, t.subscriberId),
  ],
);

/** Delivery state of one edition email. The unique key makes planning idempotent. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    editionKey: text().notNull(),
    editionId: integer()
      .notNull()
      .references(() => editions.id, { onDelete: 'cascade' }),
    status: text({ enum: ['pending', 'sending', 'sent', 'failed', 'suppressed'] })
      .notNull()
      .default('pending'),
    attempts: integer().notNull().default(0),
    leaseUntil: integer(),
    nextAttemptAt: integer().notNull().default(0),
    lastError: text(),
    messageId: text(),
    createdAt: integer().notNull().default(now),
    sentAt: integer(),
  },
  (t) => [
    uniqueIndex('outbox_subscriber_edition_unique').on(t.subscriberId, t.editionKey),
    index('outbox_status_idx').on(t.status, t.nextAttemptAt),
  ],
);

/** Single-use secrets (sign-in and confirmation links): only their SHA-256 hash is kept. */
export const tokens = sqliteTable(
  'tokens',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    purpose: text({ enum: ['signin', 'confirm'] }).notNull(),
    tokenHash: text().notNull(),
    createdAt: integer().notNull().default(now),
    expiresAt: integer(),
    usedAt: integer(),
  },
  (t) => [
    uniqueIndex('tokens_hash_unique').on(t.tokenHash),
    index('tokens_subscriber_idx').on(t.subscriberId),
  ],
);

/** Addresses that must never be mailed (hard bounce, complaint, operator action). */
export const suppressions = sqliteTable('suppressions', {
  email: text().primaryKey(),
  reason: text().notNull(),
  createdAt: integer().notNull().default(now),
});

/** "More / less like this" clicks, kept so the subscriber can see and undo them. */
export const feedback = sqliteTable(
  'feedback',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    itemId: integer().references(() => items.id, { onDelete: 'set null' }),
    direction: text({ enum: ['more', 'less'] }).notNull(),
    /** What the click changed in the preferences, so it can be undone. */
    change: text({ mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer().notNull().default(now),
    undoneAt: integer(),
  },
  (t) => [index('feedback_subscriber_idx').on(t.subscriberId)],
);

/** Operator-defined topic catalogue: a name and seed terms. */
export const topics = sqliteTable('topics', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: text().notNull().unique(),
  terms: text({ mode: 'json' }).$type<string[]>().notNull(),
  createdAt: integer().notNull().default(now),
});

/** Small key/value store for instance state (e.g. whether the demo was seeded). */
export const meta = sqliteTable('meta', {
  key: text().primaryKey(),
  value: text().notNull(),
});

/**
 * Fixed-window counters for rate limits (sign-up and link requests per IP and per address).
 * Keys are HMACs of the IP or address, never the plain values.
 */
export const rateLimits = sqliteTable('rate_limits', {
  key: text().primaryKey(),
  windowStart: integer().notNull(),
  count: integer().notNull().default(0),
});

/**
 * Sentence vectors by content (src/semantic/): key = sha256 of the encoder's id and the text
 * encoded, so an item, or a re-ingested copy of it, is encoded once, and a new encoder never
 * reads an old one's vectors. Items only: written by ingest (and by the planner for items ingest
 * missed). Interests' vectors are never stored (they are kept in memory: src/semantic/service.ts);
 * only Node writes it (Workers rank without sentence vectors).
 */
export const sentenceVectors = sqliteTable('sentence_vectors', {
  key: text().primaryKey(),
  /** Unit vector ×127 as int8 bytes. */
  vector: blob({ mode: 'buffer' }).notNull(),
  createdAt: integer().notNull().default(now),
});

export type Source = typeof sources.$inferSelect;
export type Item = typeof items.$inferSelect;
export type NewItem = typeof items.$inferInsert;
export type Subscriber = typeof subscribers.$inferSelect;
export type Edition = typeof editions.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type EditionSkip = typeof editionSkips.$inferSelect;
