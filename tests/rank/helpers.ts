import { readFileSync } from 'node:fs';
import { type PreferencesInput, parsePreferences } from '../../src/preferences/schema.ts';
import { decodeEmbeddings, type EmbeddingTable } from '../../src/rank/index.ts';
import type { RankItem } from '../../src/rank/types.ts';

let table: EmbeddingTable | undefined;
/** The shipped embedding table (read once per test file). */
export function embeddings(): EmbeddingTable {
  table ??= decodeEmbeddings(readFileSync(new URL('../../src/rank/data/embeddings.bin', import.meta.url)));
  return table;
}

/** Preferences from a partial document, as the app would parse them. */
export const prefs = (p: PreferencesInput = {}) => parsePreferences(p);

let n = 0;
/** An item with a unique id and neutral defaults. */
export function item(title: string, extra: Partial<RankItem> = {}): RankItem {
  n++;
  return { id: `i${n}`, title, summary: '', source: `Source ${n}`, ...extra };
}

/** Background items on other subjects, so idf and co-occurrence behave as in a real batch. */
export function filler(count = 30): RankItem[] {
  const subjects = [
    'City council approves new budget for road repairs',
    'Local bakery wins award for sourdough bread',
    'Stock markets close higher as oil prices fall',
    'New smartphone released with longer battery life',
    'Heavy rain expected across the region this weekend',
    'Museum opens exhibition of modern sculpture',
    'University researchers publish study on sleep',
    'Airport expansion plan draws local opposition',
    'Film festival announces lineup of premieres',
    'School district hires new superintendent',
  ];
  return Array.from({ length: count }, (_, i) =>
    item(`${subjects[i % subjects.length]} (${i})`, {
      summary: `Report number ${i} on ${subjects[(i + 3) % subjects.length]}`,
    }),
  );
}
