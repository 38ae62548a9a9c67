import type { Source, Subscriber } from '../db/schema.ts';
import type { Preferences } from '../preferences/schema.ts';
import { normalizeSource } from '../rank/sources.ts';
import { localDate, startOfLocalDate } from '../subscribers/local-date.ts';
import type { PreferencesUpdate } from '../subscribers/update-preferences.ts';

/** A source row on the page: how the subscriber treats it. */
export interface SourceChoice {
  ref: string;
  label: string;
  mode: 'normal' | 'follow' | 'mute';
}

/** The preferences form's values as strings, so a rejected form is shown again as typed. */
export interface FormValues {
  interests: { term: string; weight: string }[];
  newInterest: string;
  newWeight: string;
  topics: string[];
  mutes: string;
  sources: SourceChoice[];
  frequency: string;
  weekday: string;
  time: string;
  timezone: string;
  maxItems: string;
  emailEnabled: boolean;
  pausedUntil: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Known sources plus any followed or muted reference that matches none of them. */
export function sourceChoices(sources: Source[], prefs: Preferences): SourceChoice[] {
  const followed = new Set(prefs.followedSources.map(normalizeSource));
  const muted = new Set(prefs.mutedSources.map(normalizeSource));
  const seen = new Set<string>();
  const out: SourceChoice[] = sources.map((s) => {
    const keys = [s.url, s.title ?? ''].filter(Boolean).map(normalizeSource);
    for (const k of keys) seen.add(k);
    const mode = keys.some((k) => muted.has(k))
      ? 'mute'
      : keys.some((k) => followed.has(k))
        ? 'follow'
        : 'normal';
    return { ref: s.title ?? s.url, label: s.title ?? s.url, mode };
  });
  for (const [list, mode] of [
    [prefs.followedSources, 'follow'],
    [prefs.mutedSources, 'mute'],
  ] as const)
    for (const ref of list)
      if (!seen.has(normalizeSource(ref))) {
        seen.add(normalizeSource(ref));
        out.push({ ref, label: ref, mode });
      }
  return out;
}

/** The form as stored: what the page shows before any edit. */
export function valuesFromState(subscriber: Subscriber, prefs: Preferences, sources: Source[]): FormValues {
  return {
    interests: prefs.interests.map((i) => ({ term: i.term, weight: String(i.weight) })),
    newInterest: '',
    newWeight: '1',
    topics: prefs.topics,
    mutes: prefs.mutes.join('\n'),
    sources: sourceChoices(sources, prefs),
    frequency: subscriber.frequency,
    weekday: String(subscriber.weekday),
    time: `${pad(subscriber.deliveryHour)}:${pad(subscriber.deliveryMinute)}`,
    timezone: subscriber.timezone,
    maxItems: String(prefs.maxItems),
    emailEnabled: subscriber.emailEnabled,
    pausedUntil:
      subscriber.pausedUntil === null ? '' : localDate(subscriber.pausedUntil, subscriber.timezone),
  };
}

type Body = Record<string, string | File | (string | File)[]>;
const all = (body: Body, key: string): string[] => {
  const v = body[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
    (x): x is string => typeof x === 'string',
  );
};
const one = (body: Body, key: string): string => all(body, key)[0] ?? '';

/** Reads the posted form (parseBody with `all: true`) back into form values. */
export function valuesFromBody(body: Body): FormValues {
  const terms = all(body, 'interest.term');
  const weights = all(body, 'interest.weight');
  const removed = new Set(all(body, 'interest.remove'));
  const refs = all(body, 'source.ref');
  return {
    interests: terms
      .map((term, i) => ({ term, weight: weights[i] ?? '1', index: String(i) }))
      .filter((i) => !removed.has(i.index))
      .map(({ term, weight }) => ({ term, weight })),
    newInterest: one(body, 'newInterest'),
    newWeight: one(body, 'newWeight') || '1',
    topics: all(body, 'topics'),
    mutes: one(body, 'mutes'),
    sources: refs.map((ref, i) => {
      const mode = one(body, `source.mode.${i}`);
      return { ref, label: ref, mode: mode === 'follow' || mode === 'mute' ? mode : 'normal' };
    }),
    frequency: one(body, 'frequency'),
    weekday: one(body, 'weekday'),
    time: one(body, 'time'),
    timezone: one(body, 'timezone').trim(),
    maxItems: one(body, 'maxItems'),
    emailEnabled: one(body, 'emailEnabled') === 'on',
    pausedUntil: one(body, 'pausedUntil').trim(),
  };
}

/**
 * Turns form values into an update, or the message for each field that cannot be read. The
 * domain (updatePreferences) validates the result again with the shared zod schema.
 */
export function updateFromValues(
  v: FormValues,
  base: Preferences,
): { update: PreferencesUpdate } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const interests: { term: string; weight: number }[] = [];
  const seen = new Set<string>();
  const add = (term: string, weightText: string, field: string) => {
    const t = term.trim();
    if (!t) return;
    const w = Number(weightText.trim() === '' ? '1' : weightText);
    if (!Number.isFinite(w) || w < -5 || w > 5) {
      errors[field] = `The weight of '${t}' must be a number from -5 to 5.`;
      return;
    }
    if (t.length > 100) {
      errors[field] = `'${t.slice(0, 30)}…' is too long: 100 characters at most.`;
      return;
    }
    if (seen.has(t.toLowerCase())) return;
    seen.add(t.toLowerCase());
    interests.push({ term: t, weight: w });
  };
  for (const i of v.interests) add(i.term, i.weight, 'interests');
  add(v.newInterest, v.newWeight, 'newInterest');
  const mutes = [
    ...new Set(
      v.mutes
        .split(/\r?\n/)
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  ];
  if (mutes.some((m) => m.length > 100)) errors.mutes = 'Each mute can be 100 characters at most.';
  if (v.frequency !== 'daily' && v.frequency !== 'weekly') errors.frequency = 'Choose daily or weekly.';
  const weekday = Number(v.weekday);
  const time = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v.time);
  if (!time) errors.time = 'Enter a time of day such as 07:30.';
  const maxItems = Number(v.maxItems);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 50)
    errors.maxItems = 'Items per edition must be a whole number from 1 to 50.';
  if (!v.timezone) errors.timezone = 'Enter your time zone, such as Europe/Paris.';
  let pausedUntil: number | null = null;
  if (v.pausedUntil) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.pausedUntil) || Number.isNaN(Date.parse(v.pausedUntil)))
      errors.pausedUntil = 'Enter a date such as 2026-12-24, or leave it empty.';
    else if (!errors.timezone) {
      try {
        pausedUntil = startOfLocalDate(v.pausedUntil, v.timezone);
      } catch {
        // An unknown zone is reported on the zone field by the domain check.
        pausedUntil = startOfLocalDate(v.pausedUntil, 'UTC');
      }
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    update: {
      prefs: {
        ...base,
        interests,
        topics: v.topics,
        mutes,
        followedSources: v.sources.filter((s) => s.mode === 'follow').map((s) => s.ref),
        mutedSources: v.sources.filter((s) => s.mode === 'mute').map((s) => s.ref),
        maxItems,
      },
      timezone: v.timezone,
      frequency: v.frequency as 'daily' | 'weekly',
      weekday: Number.isInteger(weekday) ? weekday : 0,
      deliveryHour: Number(time![1]),
      deliveryMinute: Number(time![2]),
      emailEnabled: v.emailEnabled,
      pausedUntil,
    },
  };
}
