import type { Source } from '../db/schema.ts';

/** A source's state in one word, for lists and the dashboard. */
export type SourceState = 'paused' | 'failing' | 'ok' | 'new';

/** A source as the operator sees it: its row plus a verdict and a sentence about it. */
export interface SourceHealth {
  id: number;
  url: string;
  kind: Source['kind'];
  title: string | null;
  siteUrl: string | null;
  state: SourceState;
  paused: boolean;
  pausedReason: string | null;
  lastCheckAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  errorCount: number;
  /** When the next check is due; null while paused. */
  nextCheckAt: number | null;
  createdAt: number;
  /** One sentence, e.g. "failing 3 times in a row: HTTP 404". */
  summary: string;
}

/** Describes a source's health (pure). */
export function sourceHealth(source: Source): SourceHealth {
  const state: SourceState = source.paused
    ? 'paused'
    : source.lastError
      ? 'failing'
      : source.lastSuccessAt
        ? 'ok'
        : 'new';
  const error = source.lastError?.replace(/^ingest: /, '') ?? null;
  const summary =
    state === 'paused'
      ? `paused${source.pausedReason ? `: ${source.pausedReason}` : ''}`
      : state === 'failing'
        ? `failing ${source.errorCount === 1 ? 'once' : `${source.errorCount} times in a row`}: ${error}`
        : state === 'ok'
          ? 'healthy'
          : 'not checked yet';
  return {
    id: source.id,
    url: source.url,
    kind: source.kind,
    title: source.title,
    siteUrl: source.siteUrl,
    state,
    paused: source.paused,
    pausedReason: source.pausedReason,
    lastCheckAt: source.lastCheckAt,
    lastSuccessAt: source.lastSuccessAt,
    lastError: error,
    errorCount: source.errorCount,
    nextCheckAt: source.paused ? null : source.nextCheckAt,
    createdAt: source.createdAt,
    summary,
  };
}
