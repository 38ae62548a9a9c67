import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema.ts';

/**
 * The database handle every store function takes. Both libsql (Node, Turso) and D1 (Workers)
 * drivers satisfy it; `batch` is the only multi-statement write we use, since D1 has no
 * interactive transactions.
 */
export type Db = LibSQLDatabase<typeof schema>;

export { schema };
