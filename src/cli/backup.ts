/** `sift backup`: a consistent copy of the libsql database file, safe while Sift runs. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { openLibsql } from '../db/libsql.ts';
import { AppError } from '../errors.ts';
import { parseArgs, UsageError } from './args.ts';
import { type Io, printJson, reportError, runWithDeps, shownDatabaseUrl, stdio } from './context.ts';

const USAGE = `Usage: sift backup [FILE] [--json]

Writes a consistent snapshot of the database (SQLite's VACUUM INTO) to FILE, default
$SIFT_DATA_DIR/backups/sift-YYYYMMDD-HHMMSS.db, while Sift keeps running, then checks the copy's
integrity. Restore by stopping Sift and putting the file back as the database
(DATABASE_URL, default $SIFT_DATA_DIR/sift.db). Also keep $SIFT_DATA_DIR/secret (or SIFT_SECRET):
without it, links in emails already sent stop working.

For Turso use \`turso db shell NAME .dump\`; for D1 \`wrangler d1 export NAME --remote\`.

Options:
  --json     print {"file","bytes"}
  -h, --help

Exit codes: 0 written and verified, 1 failure (e.g. FILE exists, not a local database), 2 usage error.
`;

/** Entry of `sift backup`; returns the exit code. */
export async function runBackup(argv: string[], io: Io = stdio): Promise<number> {
  let target: string | undefined;
  let json = false;
  try {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError('expected at most one FILE');
    target = positionals[0];
    json = !!values.json;
  } catch (e) {
    return reportError('sift backup', USAGE, io, e);
  }
  return runWithDeps('sift backup', USAGE, io, async (deps) => {
    const url = deps.config.DATABASE_URL;
    if (url && !url.startsWith('file:'))
      throw new AppError(
        'bad_request',
        `${shownDatabaseUrl(url)} is not a local database file: use your provider's export (Turso: turso db shell NAME .dump)`,
      );
    const stamp = new Date(deps.clock()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const file = resolve(target ?? join(deps.config.SIFT_DATA_DIR, 'backups', `sift-${stamp}.db`));
    if (existsSync(file)) throw new AppError('conflict', `${file} already exists: choose another name`);
    mkdirSync(dirname(file), { recursive: true });
    await deps.db.run(sql`VACUUM INTO ${file}`);
    const copy = openLibsql(`file:${file}`);
    try {
      const [row] = await copy.db.all<{ integrity_check: string }>(sql`PRAGMA integrity_check`);
      if (row?.integrity_check !== 'ok')
        throw new AppError(
          'internal',
          `the copy at ${file} failed its integrity check: ${row?.integrity_check}`,
        );
    } finally {
      copy.close();
    }
    const bytes = statSync(file).size;
    if (json) printJson(io, { file, bytes });
    else io.out(`backup written and verified: ${file} (${(bytes / 1024).toFixed(0)} KiB)\n`);
    return 0;
  });
}
