import { type SendStats, sendOutbox } from '../deliver/send-outbox.ts';
import { syncDemo } from '../demo/demo.ts';
import type { Deps } from '../deps.ts';
import { buildEditions, type PlanOptions, type PlanStats } from '../editions/build-editions.ts';
import { ingestDue } from './ingest-due.ts';

/** Ingest job: demo switch, then every due source. */
export async function ingestJob(deps: Deps, options: { signal?: AbortSignal } = {}) {
  await syncDemo(deps);
  const outcomes = await ingestDue(deps, options);
  const failed = outcomes.filter((o) => !o.ok).length;
  if (outcomes.length > 0) deps.log.info('ingest: run finished', { sources: outcomes.length, failed });
  return outcomes;
}

/** Planning job: editions for everyone due now (see PlanOptions for limits and stopping). */
export async function editionsJob(deps: Deps, options: PlanOptions = {}): Promise<PlanStats> {
  const started = deps.clock();
  const stats = await buildEditions(deps, options);
  // "empty" is said here: due subscribers for whom nothing new passed the threshold.
  if (stats.due + stats.late > 0)
    deps.log.info('editions: run finished', { ...stats, ms: deps.clock() - started });
  return stats;
}

/** Sending job: drain the outbox; `signal` (shutdown) stops claiming and hands unsent rows back. */
export async function sendJob(deps: Deps, options: { signal?: AbortSignal } = {}): Promise<SendStats> {
  const stats = await sendOutbox(deps, options);
  if (stats.sent + stats.failed + stats.retried + stats.suppressed > 0)
    deps.log.info('deliver: run finished', { ...stats });
  return stats;
}

/** The whole pipeline once: ingest → plan → send. */
export async function runCycle(deps: Deps) {
  const ingested = await ingestJob(deps);
  const planned = await editionsJob(deps);
  const sent = await sendJob(deps);
  return { ingested, planned, sent };
}
