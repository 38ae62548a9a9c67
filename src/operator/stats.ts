import type { Deps } from '../deps.ts';
import { type EditionRunStatus, editionRunStatus } from '../store/outbox.ts';
import { listSources } from '../store/sources.ts';
import {
  type FailureRow,
  type FeedbackDay,
  feedbackPerDay,
  feedbackTotals,
  recentFailures,
  type SendDay,
  sendsPerDay,
  subscriberCounts,
} from '../store/stats.ts';
import { sourceHealth } from './source-health.ts';

const DAY = 86_400_000;
/** Edition runs the dashboard lists. */
const EDITION_RUNS = 7;

/** Everything the stats endpoint and the dashboard show, for the last `days` days. */
export interface InstanceStats {
  days: number;
  subscribers: { pending: number; active: number; unsubscribed: number; total: number };
  outbox: { pending: number; sending: number; sent: number; failed: number; suppressed: number };
  sources: { total: number; ok: number; failing: number; paused: number; new: number };
  /** One entry per UTC day, oldest first, zero-filled. */
  sendsPerDay: SendDay[];
  /** One entry per UTC day, oldest first, zero-filled; undone clicks are left out. */
  feedbackPerDay: FeedbackDay[];
  feedback: { more: number; less: number; undone: number };
  recentFailures: FailureRow[];
  /** The latest edition runs, newest first: complete when no email is pending or sending. */
  editionRuns: EditionRunStatus[];
}

/** UTC day labels from `days - 1` days ago through today. */
export function dayRange(now: number, days: number): string[] {
  const today = Math.floor(now / DAY) * DAY;
  return Array.from({ length: days }, (_, i) =>
    new Date(today - (days - 1 - i) * DAY).toISOString().slice(0, 10),
  );
}

/** Collects instance statistics. `days` is clamped to 1…365. */
export async function getStats(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { days?: number } = {},
): Promise<InstanceStats> {
  const days = Math.min(365, Math.max(1, Math.floor(input.days ?? 30)));
  const now = deps.clock();
  const labels = dayRange(now, days);
  const since = Date.parse(`${labels[0]}T00:00:00Z`);
  // Every run's counts, in one pass over the outbox: their sums are the outbox totals.
  const [subs, runs, sources, sends, clicks, totals, failures] = await Promise.all([
    subscriberCounts(deps.db),
    editionRunStatus(deps.db),
    listSources(deps.db),
    sendsPerDay(deps.db, since),
    feedbackPerDay(deps.db, since),
    feedbackTotals(deps.db),
    recentFailures(deps.db, 20),
  ]);
  const outbox = { pending: 0, sending: 0, sent: 0, failed: 0, suppressed: 0 };
  for (const run of runs)
    for (const status of Object.keys(outbox) as (keyof typeof outbox)[]) outbox[status] += run[status];
  const sourceStates = { total: sources.length, ok: 0, failing: 0, paused: 0, new: 0 };
  for (const s of sources) sourceStates[sourceHealth(s).state]++;
  const sendByDay = new Map(sends.map((d) => [d.day, d]));
  const clickByDay = new Map(clicks.map((d) => [d.day, d]));
  return {
    days,
    subscribers: { ...subs, total: subs.pending + subs.active + subs.unsubscribed },
    outbox,
    sources: sourceStates,
    sendsPerDay: labels.map((day) => sendByDay.get(day) ?? { day, sent: 0, failed: 0 }),
    feedbackPerDay: labels.map((day) => clickByDay.get(day) ?? { day, more: 0, less: 0 }),
    feedback: totals,
    recentFailures: failures,
    editionRuns: runs.slice(0, EDITION_RUNS),
  };
}
