/**
 * "More / less like this": feedback edits the subscriber's own preferences document, so its
 * effect is visible (and reversible) right there, not hidden in a model. Pure function.
 *
 * - more: the item's key words become interests (or gain weight if already there);
 * - less: the item's key words get negative weights ("fantasy": -1), which demote similar
 *   items next time without hiding them the way a mute would.
 */
import { type Interest, type Preferences, preferencesSchema } from './schema.ts';

/** Feedback on one item. */
export type FeedbackKind = 'more' | 'less';

/** The fields of an item that feedback reads. */
export interface FeedbackItem {
  title: string;
  summary?: string;
  categories?: string[];
}

/** Weight added or removed per feedback click, and how many key words one click touches. */
export const FEEDBACK_STEP = 0.5;
const KEY_WORDS = 3;
const MAX_WEIGHT = 5;

// Function words never make good interests. Kept local so preferences/ does not depend on rank/.
const STOP = new Set(
  `a about after all also an and any are as at be been but by can could did do does for from had has have he her
his how i if in into is it its just more most my new no not now of on one or our out over says said she so
some than that the their them then there these they this to too two up us was we were what when which who why
will with would you your`.split(/\s+/),
);

/**
 * Picks an item's key words: its categories first (editors' own labels), then the longest
 * title words, which tend to be the names and nouns that carry the story.
 */
export function keyWords(item: FeedbackItem, n = KEY_WORDS): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const push = (w: string) => {
    const k = w.toLowerCase();
    if (out.length < n && k.length > 2 && !STOP.has(k) && !seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  };
  for (const c of item.categories ?? []) if (!c.includes(' ')) push(c.trim());
  const words = (item.title.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !/^\p{N}+$/u.test(w));
  // Stable sort by length, longest first: ties keep title order.
  for (const w of [...words].sort((a, b) => b.length - a.length)) push(w);
  return out;
}

const clamp = (w: number) => Math.max(-MAX_WEIGHT, Math.min(MAX_WEIGHT, Math.round(w * 100) / 100));

/**
 * Returns new preferences with feedback on `item` applied (the input is not modified).
 * `words` overrides the key words (e.g. when the ranker knows which words matched).
 */
export function applyFeedback(
  prefs: Preferences,
  item: FeedbackItem,
  kind: FeedbackKind,
  words: readonly string[] = keyWords(item),
): Preferences {
  const step = kind === 'more' ? FEEDBACK_STEP : -FEEDBACK_STEP;
  const interests: Interest[] = prefs.interests.map((i) => ({ ...i }));
  for (const word of words) {
    const existing = interests.find((i) => i.term.toLowerCase() === word.toLowerCase());
    if (existing) {
      // "Less" on a story you asked for must not undo what you asked for: a full interest
      // (weight ≥ 1, e.g. one you typed) is lowered only by editing it; weights that feedback
      // itself added (±0.5 steps) move freely.
      if (kind === 'less' && existing.weight >= 1) continue;
      existing.weight = clamp(existing.weight + step);
    } else interests.push({ term: word, weight: step });
  }
  const kept = interests.filter((i) => i.weight !== 0);
  return preferencesSchema.parse({ ...prefs, interests: kept.slice(0, 200) });
}
