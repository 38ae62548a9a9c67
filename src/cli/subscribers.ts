/** `sift subscribers …`: add, list, show, remove, set status, suppress. */
import { readFileSync } from 'node:fs';
import {
  addSubscriber,
  changeSubscriberStatus,
  findSubscriber,
  getSubscriberDetail,
  listSubscribers,
  removeSubscriber,
  SUBSCRIBER_STATUSES,
  suppressSubscriber,
  unsuppressAddress,
} from '../operator/subscribers.ts';
import { normalizeEmail } from '../store/subscribers.ts';
import { parseArgs, UsageError } from './args.ts';
import { type Io, printJson, runSubcommand, type Subcommand, stdio } from './context.ts';

const USAGE = `Usage: sift subscribers <command> [options]

Commands:
  add EMAIL [options]      Add a subscriber, active at once (no confirmation mail: you vouch for it)
      --timezone TZ        IANA time zone (default UTC)
      --at HH:MM           local delivery time (default 07:00)
      --weekly DAY         weekly on DAY (mon … sun) instead of daily
      --interests LIST     comma-separated interests, e.g. "hockey,climate policy"
      --prefs FILE         a preferences JSON document (see README "Preferences")
      --pending            add as pending instead of active
  list [--search TEXT] [--status S] [--limit N]
                           Subscribers, newest first (S: pending, active, unsubscribed)
  show EMAIL               One subscriber with preferences
  status EMAIL STATUS      Set the status (pending, active, unsubscribed)
  suppress EMAIL [--reason R]
                           Never mail this address again (it stays on the suppression list)
  unsuppress EMAIL         Take the address off the suppression list
  remove EMAIL             Delete the subscriber and everything about them

Options: --json prints JSON for scripts; -h, --help this help.
Exit codes: 0 success, 1 failure (e.g. unknown address, address exists), 2 usage error.
`;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected ${what}`);
  return positionals[0]!;
}

const COMMANDS: Record<string, Subcommand> = {
  async add(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, {
      timezone: { type: 'string' },
      at: { type: 'string' },
      weekly: { type: 'string' },
      interests: { type: 'string' },
      prefs: { type: 'string' },
      pending: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const email = one(positionals, 'one EMAIL');
    let hour: number | undefined;
    let minute: number | undefined;
    if (values.at !== undefined) {
      const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(values.at);
      if (!m) throw new UsageError(`--at: expected HH:MM (24-hour), got '${values.at}'`);
      hour = Number(m[1]);
      minute = Number(m[2]);
    }
    let weekday: number | undefined;
    if (values.weekly !== undefined) {
      weekday = WEEKDAYS.indexOf(values.weekly.slice(0, 3).toLowerCase()) + 1;
      if (weekday === 0)
        throw new UsageError(`--weekly: expected a weekday (mon … sun), got '${values.weekly}'`);
    }
    let preferences: Record<string, unknown> = {};
    if (values.prefs) {
      try {
        preferences = JSON.parse(readFileSync(values.prefs, 'utf8'));
      } catch (e) {
        io.err(`sift subscribers add: --prefs ${values.prefs}: ${(e as Error).message}\n`);
        return 1;
      }
    }
    if (values.interests)
      preferences.interests = values.interests
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const row = await addSubscriber(deps, {
      email,
      timezone: values.timezone,
      deliveryHour: hour,
      deliveryMinute: minute,
      frequency: weekday ? 'weekly' : 'daily',
      weekday,
      preferences,
      status: values.pending ? 'pending' : 'active',
    });
    if (values.json) printJson(io, row);
    else
      io.out(
        `added subscriber ${row.id}: ${row.email} (${row.status}), ${row.frequency}${row.frequency === 'weekly' ? ` on ${WEEKDAYS[row.weekday - 1]}` : ''} at ${String(row.deliveryHour).padStart(2, '0')}:${String(row.deliveryMinute).padStart(2, '0')} ${row.timezone}\n`,
      );
    return 0;
  },

  async list(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, {
      search: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const status = values.status as (typeof SUBSCRIBER_STATUSES)[number] | undefined;
    if (status && !SUBSCRIBER_STATUSES.includes(status))
      throw new UsageError(`--status: expected one of ${SUBSCRIBER_STATUSES.join(', ')}`);
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError('--limit: expected 1–10000');
    const { total, rows } = await listSubscribers(deps, { q: values.search, status, limit });
    if (values.json) {
      printJson(io, { total, rows });
      return 0;
    }
    if (rows.length === 0) io.out('no subscribers match\n');
    for (const r of rows)
      io.out(
        `${r.id}\t${r.email}\t${r.status}${r.suppressed ? ' (suppressed)' : ''}\t${r.frequency} ${String(r.deliveryHour).padStart(2, '0')}:${String(r.deliveryMinute).padStart(2, '0')} ${r.timezone}\n`,
      );
    if (total > rows.length) io.out(`… ${total - rows.length} more (use --limit or --search)\n`);
    return 0;
  },

  async show(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    const row = await findSubscriber(deps, one(positionals, 'one EMAIL'));
    const detail = await getSubscriberDetail(deps, row.id);
    if (values.json) printJson(io, detail);
    else io.out(`${JSON.stringify(detail, null, 2)}\n`);
    return 0;
  },

  async status(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 2) throw new UsageError('expected EMAIL and STATUS');
    const status = positionals[1] as (typeof SUBSCRIBER_STATUSES)[number];
    if (!SUBSCRIBER_STATUSES.includes(status))
      throw new UsageError(`STATUS: expected one of ${SUBSCRIBER_STATUSES.join(', ')}`);
    const row = await findSubscriber(deps, positionals[0]!);
    const detail = await changeSubscriberStatus(deps, { id: row.id, status });
    if (values.json) printJson(io, detail);
    else io.out(`${detail.email} is now ${detail.status}\n`);
    return 0;
  },

  async suppress(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, {
      reason: { type: 'string' },
      json: { type: 'boolean' },
    });
    const row = await findSubscriber(deps, one(positionals, 'one EMAIL'));
    const detail = await suppressSubscriber(deps, { id: row.id, reason: values.reason });
    if (values.json) printJson(io, detail);
    else io.out(`${detail.email} is on the suppression list: nothing will be mailed to it\n`);
    return 0;
  },

  async unsuppress(deps, argv, io) {
    const { positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    const email = one(positionals, 'one EMAIL');
    await unsuppressAddress(deps, { email });
    io.out(`${normalizeEmail(email)} is off the suppression list\n`);
    return 0;
  },

  async remove(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    const row = await findSubscriber(deps, one(positionals, 'one EMAIL'));
    await removeSubscriber(deps, { id: row.id });
    if (values.json) printJson(io, { removed: row.id, email: row.email });
    else io.out(`removed subscriber ${row.id} (${row.email}) and their editions, feedback and links\n`);
    return 0;
  },
};

/** Entry of `sift subscribers`; returns the exit code. */
export function runSubscribers(argv: string[], io: Io = stdio): Promise<number> {
  return runSubcommand('sift subscribers', USAGE, COMMANDS, argv, io);
}
