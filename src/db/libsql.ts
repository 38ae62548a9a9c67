import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { type Db, schema } from './client.ts';

/** Opens a libsql database (file:, :memory:, libsql:// or https://) with Sift's schema. */
export function openLibsql(url: string, authToken?: string): { db: Db; close(): void } {
  // `timeout` is the busy timeout of every pooled connection, not only the one a PRAGMA runs on.
  const client = createClient({ url, authToken, timeout: 5000 });
  const db = drizzle(client, { schema, casing: 'snake_case' });
  return { db, close: () => client.close() };
}

/** Applies the drizzle-kit migrations in `folder` (idempotent). */
export async function migrateLibsql(db: Db, folder: string): Promise<void> {
  // Foreign keys are per connection in SQLite and cascades (delete me) depend on them. libsql
  // opens every connection with them on; this only says so again on the current one.
  await db.run('PRAGMA foreign_keys = ON');
  // WAL (stored in the file, so every connection and process gets it): readers never block the
  // writer, and one append per commit instead of a journal fsync; ignored for :memory: (hence the
  // catch). Lock waits need no PRAGMA: openLibsql's `timeout` is every connection's busy timeout.
  await db.run('PRAGMA journal_mode = WAL').catch(() => {});
  // Best effort: synchronous is per connection and this reaches only the one it runs on. That is
  // the pool's first, which serves most statements (idle connections are reused newest first);
  // connections opened while it is busy (during a transaction) keep SQLite's FULL — as safe,
  // only slower per commit.
  await db.run('PRAGMA synchronous = NORMAL').catch(() => {});
  await migrate(db, { migrationsFolder: folder });
}
