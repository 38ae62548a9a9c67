/** `sift ingest`: checks every due source once (as the scheduler does), or all of them with --all. */
import { and, eq } from 'drizzle-orm';
import { sources } from '../db/schema.ts';
import { ingestJob } from '../jobs/run-cycle.ts';
import { listSources } from '../store/sources.ts';
import { parseArgs, UsageError } from './args.ts';
import { type Io, printJson, reportError, runWithDeps, stdio } from './context.ts';

const USAGE = `Usage: sift ingest [--all] [--json]

Checks the sources whose next check is due (what the scheduler does every SIFT_CRON_INGEST),
prints one line per source and a summary.

Options:
  --all     check every source that is not paused now, due or not
  --json    print {"checked","ok","failed","newItems","sources":[…]} for scripts
  -h, --help

Exit codes: 0 every checked source was fine, 1 at least one failed (see its line), 2 usage error.
`;

/** Entry of `sift ingest`; returns the exit code. */
export async function runIngest(argv: string[], io: Io = stdio): Promise<number> {
  let values: { all?: boolean; json?: boolean; help?: boolean };
  try {
    const parsed = parseArgs(argv, { all: { type: 'boolean' }, json: { type: 'boolean' } });
    if (parsed.positionals.length) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    values = parsed.values;
  } catch (e) {
    return reportError('sift ingest', USAGE, io, e);
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  return runWithDeps('sift ingest', USAGE, io, async (deps) => {
    if (values.all)
      await deps.db
        .update(sources)
        .set({ nextCheckAt: deps.clock() })
        .where(and(eq(sources.paused, false)));
    const outcomes = await ingestJob(deps);
    const byId = new Map((await listSources(deps.db)).map((s) => [s.id, s]));
    const failed = outcomes.filter((o) => !o.ok);
    const newItems = outcomes.reduce((n, o) => n + (o.ok ? o.newItems : 0), 0);
    if (values.json) {
      printJson(io, {
        checked: outcomes.length,
        ok: outcomes.length - failed.length,
        failed: failed.length,
        newItems,
        sources: outcomes.map((o) => ({ ...o, url: byId.get(o.sourceId)?.url ?? null })),
      });
    } else {
      for (const o of outcomes) {
        const s = byId.get(o.sourceId);
        const name = s?.title ?? s?.url ?? `source ${o.sourceId}`;
        if (o.ok)
          io.out(
            `ok      ${name}: ${o.notModified ? 'not modified' : `${o.items} items, ${o.newItems} new`}\n`,
          );
        else io.out(`failed  ${name}: ${o.error}${o.paused ? ' (paused after repeated failures)' : ''}\n`);
      }
      io.out(
        outcomes.length === 0
          ? 'nothing was due (use --all to check every source now)\n'
          : `checked ${outcomes.length} source${outcomes.length === 1 ? '' : 's'}: ${outcomes.length - failed.length} ok, ${failed.length} failed, ${newItems} new items\n`,
      );
    }
    return failed.length > 0 ? 1 : 0;
  });
}
