/** `sift send`: drains the outbox once through the configured mail transport. */
import { sendJob } from '../jobs/run-cycle.ts';
import { outboxCounts } from '../store/outbox.ts';
import { parseArgs, UsageError } from './args.ts';
import { type Io, printJson, reportError, runWithDeps, stdio } from './context.ts';

const USAGE = `Usage: sift send [--json]

Sends every outbox email that is due now through the configured transport (SIFT_MAILER),
exactly as the scheduler does every SIFT_CRON_SEND, and prints what happened.

Options:
  --json    print {"sent","failed","retried","suppressed","queue":{…}} for scripts
  -h, --help

Exit codes: 0 nothing failed for good, 1 at least one email failed permanently, 2 usage error.
Emails that failed temporarily are retried later (backoff); they do not change the exit code.
`;

/** Entry of `sift send`; returns the exit code. */
export async function runSend(argv: string[], io: Io = stdio): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    json = !!values.json;
  } catch (e) {
    return reportError('sift send', USAGE, io, e);
  }
  return runWithDeps('sift send', USAGE, io, async (deps) => {
    const stats = await sendJob(deps);
    const queue = await outboxCounts(deps.db);
    if (json) printJson(io, { ...stats, queue });
    else
      io.out(
        `sent ${stats.sent}, failed ${stats.failed}, retrying later ${stats.retried}, suppressed ${stats.suppressed}` +
          ` (${queue.pending ?? 0} still queued)\n`,
      );
    return stats.failed > 0 ? 1 : 0;
  });
}
