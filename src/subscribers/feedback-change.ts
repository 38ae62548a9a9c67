import type { Interest, Preferences } from '../preferences/schema.ts';

/** What one click did to one interest: its weight before (null: added) and after (0: removed). */
export interface FeedbackChange {
  term: string;
  before: number | null;
  after: number;
}

/** What a feedback row stores: every interest the click changed. */
export interface FeedbackRecord {
  changes: FeedbackChange[];
}

const MAX_WEIGHT = 5;
const clamp = (w: number) => Math.max(-MAX_WEIGHT, Math.min(MAX_WEIGHT, Math.round(w * 100) / 100));
const key = (term: string) => term.trim().toLowerCase();

/**
 * The interests that differ between two versions of the preferences (pure): how a feedback
 * click (src/preferences/feedback.ts applyFeedback) changed them, so it can be shown and undone.
 */
export function diffInterests(before: Preferences, after: Preferences): FeedbackChange[] {
  const old = new Map(before.interests.map((i) => [key(i.term), i]));
  const changes: FeedbackChange[] = [];
  for (const i of after.interests) {
    const prev = old.get(key(i.term));
    old.delete(key(i.term));
    if (!prev) changes.push({ term: i.term, before: null, after: i.weight });
    else if (prev.weight !== i.weight)
      changes.push({ term: prev.term, before: prev.weight, after: i.weight });
  }
  for (const prev of old.values()) changes.push({ term: prev.term, before: prev.weight, after: 0 });
  return changes;
}

/**
 * Undoes recorded changes (pure), relative to what each interest holds now, so edits made on
 * the page since survive: each weight moves back by what the click moved it, an interest the
 * click added disappears when it returns to nothing, one it removed comes back.
 */
export function undoFeedbackChanges(prefs: Preferences, changes: readonly FeedbackChange[]): Preferences {
  let interests: Interest[] = prefs.interests.map((i) => ({ ...i }));
  for (const change of changes) {
    const delta = change.after - (change.before ?? 0);
    const current = interests.find((i) => key(i.term) === key(change.term));
    if (!current) {
      // The click removed it (weight reached 0): bring it back as it was.
      if (change.after === 0 && change.before !== null)
        interests.push({ term: change.term, weight: change.before });
      continue;
    }
    const weight = clamp(current.weight - delta);
    if (change.before === null && weight === 0) interests = interests.filter((i) => i !== current);
    else current.weight = weight;
  }
  return { ...prefs, interests };
}

/**
 * The stored record of a feedback row, whatever shape it was saved in: `{ changes }`, or the
 * first version's single change `{ term, before, after }` (one interest per click). Anything
 * else records no change.
 */
export function feedbackRecord(stored: unknown): FeedbackRecord {
  const record = stored as (Partial<FeedbackRecord> & Partial<FeedbackChange>) | null;
  if (Array.isArray(record?.changes)) return { changes: record.changes };
  if (typeof record?.term === 'string' && typeof record.after === 'number')
    return { changes: [{ term: record.term, before: record.before ?? null, after: record.after }] };
  return { changes: [] };
}

/** "hockey 1 → 1.5, playoffs new −0.5" — one line for the page. */
export function describeChanges(changes: readonly FeedbackChange[]): string {
  if (changes.length === 0) return 'nothing needed to change';
  const n = (w: number) => String(w).replace('-', '−');
  return changes
    .map((c) =>
      c.before === null
        ? `added '${c.term}' at ${n(c.after)}`
        : c.after === 0
          ? `removed '${c.term}' (was ${n(c.before)})`
          : `'${c.term}' ${n(c.before)} → ${n(c.after)}`,
    )
    .join(', ');
}
