import type { Deps } from '../deps.ts';
import { addSource } from '../ingest/add-source.ts';
import { getSourceHealth, type SourceListEntry } from './sources.ts';

/**
 * Adds a source through ingestion's validating `addSource` (one fetch through the SSRF-safe
 * fetcher; refused addresses, HTTP errors and non-feeds throw AppError('bad_request', …)) and
 * answers with the source's health as the admin API and CLI show it.
 */
export async function addSourceFromUrl(
  deps: Deps,
  input: { url: string; title?: string },
): Promise<{ source: SourceListEntry; feed: { title: string | null; itemCount: number; format: string } }> {
  const { source, feed } = await addSource(deps, input);
  return { source: await getSourceHealth(deps, source.id), feed };
}
