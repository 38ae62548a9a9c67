import type { Interest, Preferences } from '../preferences/schema.ts';
import { isContentWord, tokenize } from '../rank/tokenize.ts';

/** What one "more / less like this" changed: one interest's weight, before and after. */
export interface FeedbackChange {
  term: string;
  /** The weight before, or null when the click added the interest. */
  before: number | null;
  after: number;
}

const MAX_WEIGHT = 5;
const clamp = (w: number) => Math.max(-MAX_WEIGHT, Math.min(MAX_WEIGHT, w));
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The one term that stands for an item: its first feed category when it has a short one
 * (publishers tag stories "Hockey", "Climate"), otherwise the longest content word of its title.
 * One visible term keeps feedback explainable and undoable on the preferences page.
 */
export function feedbackTerm(item: { title: string; categories: string[] }): string {
  const category = item.categories.map((c) => c.trim()).find((c) => c.length >= 2 && c.length <= 40);
  if (category) return category;
  const words = tokenize(item.title).filter((w) => isContentWord(w) && !/^\d+$/.test(w));
  const longest = words.reduce((best, w) => (w.length > best.length ? w : best), '');
  return longest || item.title.slice(0, 40).trim() || 'untitled';
}

/**
 * Applies feedback to preferences (pure): "more" raises the term's interest weight by one,
 * "less" lowers it by one (a new term starts at +1 or −1; negative weights demote matching
 * items). Weights stay within ±5.
 */
export function applyFeedbackChange(
  prefs: Preferences,
  term: string,
  direction: 'more' | 'less',
): { prefs: Preferences; change: FeedbackChange } {
  const existing = prefs.interests.find((i) => same(i.term, term));
  const before = existing ? existing.weight : null;
  const after = clamp((before ?? 0) + (direction === 'more' ? 1 : -1));
  const interests: Interest[] = existing
    ? prefs.interests.map((i) => (i === existing ? { ...i, weight: after } : i))
    : [...prefs.interests, { term, weight: after }];
  return { prefs: { ...prefs, interests }, change: { term: existing?.term ?? term, before, after } };
}

/**
 * Undoes a change (pure), relative to what the interest holds now, so later edits on the page
 * survive: the weight moves back by what the click added, and an interest the click created
 * disappears when it returns to nothing.
 */
export function undoFeedbackChange(prefs: Preferences, change: FeedbackChange): Preferences {
  const current = prefs.interests.find((i) => same(i.term, change.term));
  if (!current) return prefs;
  const weight = clamp(current.weight - (change.after - (change.before ?? 0)));
  const interests =
    change.before === null && weight === 0
      ? prefs.interests.filter((i) => i !== current)
      : prefs.interests.map((i) => (i === current ? { ...i, weight } : i));
  return { ...prefs, interests };
}
