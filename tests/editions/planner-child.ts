/**
 * A planner in its own process, for the concurrency tests: `node --import tsx planner-child.ts
 * DB_URL NOW GROUP_SIZE`. Prints its stats as JSON when done.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { schema } from '../../src/db/client.ts';
import { buildEditions } from '../../src/editions/build-editions.ts';
import { testDeps } from '../helpers/deps.ts';

const [url, now, groupSize] = process.argv.slice(2);
// Every pooled connection waits for the other process's write lock instead of failing
// (libsql's `timeout` is the per-connection busy timeout; a PRAGMA reaches only one connection).
const client = createClient({ url: url!, timeout: 10_000 });
const db = drizzle(client, { schema, casing: 'snake_case' });
const deps = await testDeps({ url: url!, db, clock: () => Number(now) });
// Start together with the other planner: say ready, wait for the parent's go.
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const stats = await buildEditions(deps, { groupSize: Number(groupSize) });
console.log(JSON.stringify(stats));
deps.close();
client.close();
