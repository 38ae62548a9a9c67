/** `sift editions …`: build editions now (or a dry run), list them, queue one again. */
import type { Deps } from '../deps.ts';
import { buildEditions, type PlanStats } from '../editions/build-editions.ts';
import { planEditionsDryRun } from '../operator/dry-run.ts';
import { listEditions, resendEdition } from '../operator/editions.ts';
import { findSubscriber } from '../operator/subscribers.ts';
import { parseArgs, positiveInt, UsageError } from './args.ts';
import { type Io, printJson, runSubcommand, type Subcommand, stdio } from './context.ts';
import { progressBar } from './progress.ts';

const USAGE = `Usage: sift editions <command> [options]

Commands:
  build [--now] [--dry-run]   Build the editions of subscribers who are due (as the scheduler does)
      --now                   everyone active, whatever their delivery time (their current period)
      --dry-run               rank in memory and print who would get what; writes nothing
  list [--subscriber EMAIL] [--limit N]
                              Editions, newest first, with their delivery state
  resend ID                   Queue edition ID's email again (the next \`sift send\` delivers it)

Options: --json prints JSON for scripts; -h, --help this help.
Exit codes: 0 success, 1 failure (unknown edition, refused resend), 2 usage error.
`;

/** Subscribers planned in the first step (and at least per step), so the progress bar moves. */
const STEP = 500;

async function build(deps: Deps, argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs(argv, {
    now: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const bar = progressBar(io, values['dry-run'] ? 'ranking' : 'building');
  if (values['dry-run']) {
    const result = await planEditionsDryRun(deps, { force: values.now, onProgress: bar.update });
    bar.finish();
    if (values.json) {
      printJson(io, { dryRun: true, ...result });
      return 0;
    }
    for (const e of result.editions)
      io.out(`${e.email}\t${e.editionKey}\t${e.picks.length} pick${e.picks.length === 1 ? '' : 's'}\n`);
    io.out(
      `dry run: ${result.due} due, ${result.wouldBuild} would get an edition, ${result.empty} with nothing new, ` +
        `${result.late} missed by more than the catch-up window. Nothing was written.\n`,
    );
    return 0;
  }
  // In steps (each a complete, idempotent planning run) so progress shows; one step when small.
  const total: PlanStats = { due: 0, built: 0, empty: 0, late: 0, alreadyPlanned: 0, deferred: 0 };
  let first = true;
  for (;;) {
    // After the first step the total is known: about ten more steps, so the ranker (built once
    // per planning run) is rebuilt a bounded number of times however many are due.
    const limit = first ? STEP : Math.max(STEP, Math.ceil(total.due / 10));
    const step = await buildEditions(deps, { force: values.now, limit });
    if (first) {
      total.due = step.due;
      first = false;
    }
    total.built += step.built;
    total.empty += step.empty;
    total.late += step.late;
    total.alreadyPlanned += step.alreadyPlanned;
    bar.update(total.built + total.empty + total.alreadyPlanned, total.due);
    const progressed = step.built + step.empty + step.alreadyPlanned + step.late;
    if (step.deferred === 0 || progressed === 0) {
      total.deferred = step.deferred;
      break;
    }
  }
  bar.finish();
  if (values.json) printJson(io, total);
  else
    io.out(
      `built ${total.built} edition${total.built === 1 ? '' : 's'} (${total.due} due, ${total.empty} with nothing new, ` +
        `${total.late} missed by more than the catch-up window, ${total.alreadyPlanned} already planned)\n` +
        (total.built > 0 ? 'run `sift send` (or wait for the scheduler) to mail them\n' : ''),
    );
  return 0;
}

const COMMANDS: Record<string, Subcommand> = {
  build,
  async list(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, {
      subscriber: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const limit = values.limit === undefined ? 50 : positiveInt(values.limit, '--limit');
    const subscriberId = values.subscriber ? (await findSubscriber(deps, values.subscriber)).id : undefined;
    const { total, rows } = await listEditions(deps, { subscriberId, limit });
    if (values.json) {
      printJson(io, { total, rows });
      return 0;
    }
    if (rows.length === 0) io.out('no editions yet\n');
    for (const r of rows)
      io.out(
        `${r.id}\t${r.editionKey}\t${r.email}\t${r.pickCount} picks\t${r.delivery ? r.delivery.status : 'no email'}` +
          `${r.delivery?.lastError ? `: ${r.delivery.lastError}` : ''}\n`,
      );
    return 0;
  },
  async resend(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected the edition ID (see `sift editions list`)');
    const row = await resendEdition(deps, { editionId: positiveInt(positionals[0], 'the edition ID') });
    if (values.json) printJson(io, { outboxId: row.id, status: row.status });
    else io.out(`edition ${positionals[0]} queued again: \`sift send\` (or the scheduler) delivers it\n`);
    return 0;
  },
};

/** Entry of `sift editions`; returns the exit code. */
export function runEditions(argv: string[], io: Io = stdio): Promise<number> {
  return runSubcommand('sift editions', USAGE, COMMANDS, argv, io);
}
