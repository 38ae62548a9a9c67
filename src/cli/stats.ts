/** `sift stats`: the numbers the dashboard shows, in the terminal or as JSON. */
import { getStats } from '../operator/stats.ts';
import { parseArgs, positiveInt, UsageError } from './args.ts';
import { type Io, printJson, reportError, runWithDeps, stdio } from './context.ts';

const USAGE = `Usage: sift stats [--days N] [--json]

Subscribers by status, outbox state, source health, sends and feedback per day.

Options:
  --days N   days of history (1–365, default 7)
  --json     the same object as GET /api/admin/stats
  -h, --help

Exit codes: 0 success, 1 failure, 2 usage error.
`;

/** Entry of `sift stats`; returns the exit code. */
export async function runStats(argv: string[], io: Io = stdio): Promise<number> {
  let days = 7;
  let json = false;
  try {
    const { values, positionals } = parseArgs(argv, { days: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.days !== undefined) days = positiveInt(values.days, '--days');
    if (days > 365) throw new UsageError('--days: at most 365');
    json = !!values.json;
  } catch (e) {
    return reportError('sift stats', USAGE, io, e);
  }
  return runWithDeps('sift stats', USAGE, io, async (deps) => {
    const s = await getStats(deps, { days });
    if (json) {
      printJson(io, s);
      return 0;
    }
    io.out(
      `subscribers  ${s.subscribers.active} active, ${s.subscribers.pending} pending, ${s.subscribers.unsubscribed} unsubscribed\n` +
        `sources      ${s.sources.total}: ${s.sources.ok} ok, ${s.sources.failing} failing, ${s.sources.paused} paused, ${s.sources.new} new\n` +
        `outbox       ${s.outbox.sent} sent, ${s.outbox.pending} queued, ${s.outbox.failed} failed, ${s.outbox.suppressed} suppressed\n` +
        `feedback     ${s.feedback.more} more, ${s.feedback.less} less (${s.feedback.undone} undone)\n\n` +
        'day          sent  failed  more  less\n',
    );
    s.sendsPerDay.forEach((d, i) => {
      const f = s.feedbackPerDay[i]!;
      io.out(
        `${d.day}  ${String(d.sent).padStart(4)}  ${String(d.failed).padStart(6)}  ${String(f.more).padStart(4)}  ${String(f.less).padStart(4)}\n`,
      );
    });
    return 0;
  });
}
