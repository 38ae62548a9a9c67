import { z } from 'zod';

/**
 * A subscriber's stated preferences: the one document ranking reads. Feedback ("more / less
 * like this") edits this same document, so everything that shapes an edition is visible here.
 */

/** An interest as typed ("hockey") or weighted ({ term: "hockey", weight: 2 }); stored weighted. */
export const interestSchema = z
  .union([
    z.string().trim().min(1).max(100),
    z.object({
      term: z.string().trim().min(1).max(100),
      weight: z.number().min(-5).max(5).default(1),
    }),
  ])
  .transform((v) => (typeof v === 'string' ? { term: v, weight: 1 } : v));

/** One weighted interest after validation. Negative weights (from "less like this") demote. */
export type Interest = z.output<typeof interestSchema>;

/** The preferences document (zod). Every field is optional with a default, so old documents stay valid. */
export const preferencesSchema = z.object({
  /** Words or phrases the subscriber wants, each with a weight they can raise or lower. */
  interests: z.array(interestSchema).max(200).default([]),
  /** Names of topics from the operator's catalogue. */
  topics: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  /** Words or phrases that hide an item (whole word, case-insensitive, also on source and author). */
  mutes: z.array(z.string().trim().min(1).max(100)).max(200).default([]),
  /** Source names or URLs the subscriber follows: their items get a boost. */
  followedSources: z.array(z.string().trim().min(1).max(2000)).max(200).default([]),
  /** Source names or URLs whose items are never picked. */
  mutedSources: z.array(z.string().trim().min(1).max(2000)).max(200).default([]),
  /** Most items in one edition. */
  maxItems: z.number().int().min(1).max(50).default(10),
  /** Most items from one source in one edition. */
  perSourceCap: z.number().int().min(1).max(50).default(3),
  /** Items older than this many hours are not considered. */
  freshnessHours: z
    .number()
    .positive()
    .max(24 * 90)
    .default(72),
  /** Recency decay: an item this many hours old counts a bit less than a fresh one (see rank/select). */
  halfLifeHours: z
    .number()
    .positive()
    .max(24 * 90)
    .default(24),
});

/** Preferences as accepted from users and files (interests may be plain strings). */
export type PreferencesInput = z.input<typeof preferencesSchema>;
/** Preferences after validation, with defaults filled and interests weighted. */
export type Preferences = z.output<typeof preferencesSchema>;

/** Validates and normalises a preferences document; throws a ZodError naming the bad field. */
export function parsePreferences(input: unknown): Preferences {
  return preferencesSchema.parse(input ?? {});
}
