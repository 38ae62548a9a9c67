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
  // Foreign keys are per connection in SQLite; cascades (delete me) depend on them.
  await db.run('PRAGMA foreign_keys = ON');
  // Several jobs (and, at scale, processes) share one file: wait for locks instead of failing.
  await db.run('PRAGMA busy_timeout = 5000');
  // WAL: readers never block the writer, and one append per commit instead of a journal fsync;
  // ignored for :memory: (hence the catch).
  await db.run('PRAGMA journal_mode = WAL').catch(() => {});
  await db.run('PRAGMA synchronous = NORMAL').catch(() => {});
  await migrate(db, { migrationsFolder: folder });
}
