import type { Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { isValidTimeZone } from '../editions/schedule.ts';
import { type Preferences, type PreferencesInput, preferencesSchema } from '../preferences/schema.ts';
import { savePreferences, updateSubscriber } from '../store/subscribers.ts';
import { InvalidInputError } from './errors.ts';

/** Everything the preferences page can change, already shaped (the web layer parses the form). */
export interface PreferencesUpdate {
  prefs: PreferencesInput;
  timezone: string;
  frequency: 'daily' | 'weekly';
  weekday: number;
  deliveryHour: number;
  deliveryMinute: number;
  emailEnabled: boolean;
  /** Epoch ms until which nothing is sent, or null for no pause. */
  pausedUntil: number | null;
}

/**
 * Saves a subscriber's preferences and schedule. Validates everything first (the document with
 * the shared zod schema, the zone with Intl) and writes nothing when any part is wrong: the
 * InvalidInputError names each bad field. Takes effect from the next planning run.
 */
export async function updatePreferences(
  deps: Pick<Deps, 'db' | 'clock'>,
  subscriber: Subscriber,
  update: PreferencesUpdate,
): Promise<{ subscriber: Subscriber; prefs: Preferences }> {
  const fields: Record<string, string> = {};
  const parsed = preferencesSchema.safeParse(update.prefs);
  if (!parsed.success)
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
  if (!isValidTimeZone(update.timezone))
    fields.timezone = `'${update.timezone}' is not a time zone we know. Use an IANA name such as Europe/Paris.`;
  if (!Number.isInteger(update.weekday) || update.weekday < 1 || update.weekday > 7)
    fields.weekday = 'Choose a day of the week.';
  if (
    !Number.isInteger(update.deliveryHour) ||
    update.deliveryHour < 0 ||
    update.deliveryHour > 23 ||
    !Number.isInteger(update.deliveryMinute) ||
    update.deliveryMinute < 0 ||
    update.deliveryMinute > 59
  )
    fields.time = 'Enter a time of day such as 07:30.';
  if (update.pausedUntil !== null && update.pausedUntil <= deps.clock())
    fields.pausedUntil = 'Choose a date after today, or leave it empty to keep editions coming.';
  if (Object.keys(fields).length > 0 || !parsed.success) throw new InvalidInputError(fields);
  const now = deps.clock();
  const [updated] = await Promise.all([
    updateSubscriber(deps.db, subscriber.id, {
      timezone: update.timezone,
      frequency: update.frequency,
      weekday: update.weekday,
      deliveryHour: update.deliveryHour,
      deliveryMinute: update.deliveryMinute,
      emailEnabled: update.emailEnabled,
      pausedUntil: update.pausedUntil,
    }),
    savePreferences(deps.db, subscriber.id, parsed.data, now),
  ]);
  return { subscriber: updated, prefs: parsed.data };
}
