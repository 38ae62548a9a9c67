import type { Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { isValidTimeZone } from '../editions/schedule.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { type PreferencesInput, parsePreferences } from '../preferences/schema.ts';
import {
  addSuppression,
  listSuppressions,
  removeSuppression,
  type SubscriberListRow,
  type Suppression,
  searchSubscribers,
  setSubscriberStatus,
} from '../store/stats.ts';
import {
  createSubscriber,
  eraseSubscriber,
  getPreferences,
  getSubscriber,
  getSubscriberByEmail,
  getSuppression,
  isSuppressed,
  normalizeEmail,
} from '../store/subscribers.ts';

/** Subscriber statuses an operator can set. */
export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed'] as const;

/** Subscribers whose address contains `q` and/or with a status, newest first. */
export function listSubscribers(
  deps: Pick<Deps, 'db'>,
  input: { q?: string; status?: Subscriber['status']; limit?: number; offset?: number },
): Promise<{ total: number; rows: SubscriberListRow[] }> {
  return searchSubscribers(deps.db, {
    q: input.q?.trim() || undefined,
    status: input.status,
    limit: input.limit ?? 50,
    offset: input.offset ?? 0,
  });
}

/** A subscriber with preferences and suppression state. */
export type SubscriberDetail = SubscriberListRow & { preferences: unknown };

/** One subscriber by id, or NotFoundError. */
export async function getSubscriberDetail(deps: Pick<Deps, 'db'>, id: number): Promise<SubscriberDetail> {
  const row = await getSubscriber(deps.db, id);
  if (!row) throw new NotFoundError(`no subscriber with id ${id}`);
  const [prefs, suppressed] = await Promise.all([
    getPreferences(deps.db, id),
    isSuppressed(deps.db, row.email),
  ]);
  return { ...row, suppressed, preferences: prefs ?? null };
}

/** Finds a subscriber by address (case-insensitive as stored), or NotFoundError. */
export async function findSubscriber(deps: Pick<Deps, 'db'>, email: string): Promise<Subscriber> {
  const row =
    (await getSubscriberByEmail(deps.db, normalizeEmail(email))) ??
    (await getSubscriberByEmail(deps.db, email.trim()));
  if (!row) throw new NotFoundError(`no subscriber with address ${email.trim()}`);
  return row;
}

/**
 * Adds a subscriber as the operator: active at once (the operator vouches for the address, so
 * no confirmation mail is sent). 409 when the address exists; 400 for a bad time zone or
 * preferences (the message names the field).
 */
export async function addSubscriber(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: {
    email: string;
    timezone?: string;
    deliveryHour?: number;
    deliveryMinute?: number;
    frequency?: 'daily' | 'weekly';
    weekday?: number;
    preferences?: PreferencesInput;
    status?: 'active' | 'pending';
  },
): Promise<Subscriber> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    throw new AppError('bad_request', `email: '${input.email.trim()}' is not an email address`);
  if (await getSubscriberByEmail(deps.db, email))
    throw new AppError('conflict', `a subscriber with address ${email} already exists`);
  // The operator cannot vouch for an address that bounced, complained or left: only the person can.
  const suppression = await getSuppression(deps.db, email);
  if (suppression)
    throw new AppError(
      'conflict',
      suppression.email === email
        ? `${email} is on the suppression list (${suppression.reason}); remove it from the list first`
        : `${email} unsubscribed and asked to be erased; only the person can subscribe again (sign-up and confirm)`,
    );
  const timezone = input.timezone ?? 'UTC';
  if (!isValidTimeZone(timezone))
    throw new AppError('bad_request', `timezone: '${timezone}' is not an IANA time zone (e.g. Europe/Paris)`);
  let prefs: ReturnType<typeof parsePreferences>;
  try {
    prefs = parsePreferences(input.preferences ?? {});
  } catch (e) {
    const issue = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
    throw new AppError(
      'bad_request',
      `preferences${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const now = deps.clock();
  const status = input.status ?? 'active';
  return createSubscriber(
    deps.db,
    {
      email,
      status,
      timezone,
      deliveryHour: input.deliveryHour ?? 7,
      deliveryMinute: input.deliveryMinute ?? 0,
      frequency: input.frequency ?? 'daily',
      weekday: input.weekday ?? 1,
      confirmedAt: status === 'active' ? now : null,
      createdAt: now,
    },
    prefs,
  );
}

/** Sets a subscriber's status (pending, active or unsubscribed); NotFoundError for an unknown id. */
export async function changeSubscriberStatus(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { id: number; status: Subscriber['status'] },
): Promise<SubscriberDetail> {
  const row = await setSubscriberStatus(deps.db, input.id, input.status, deps.clock());
  if (!row) throw new NotFoundError(`no subscriber with id ${input.id}`);
  return getSubscriberDetail(deps, input.id);
}

/**
 * Puts a subscriber's address on the suppression list: nothing is mailed to it any more (the
 * send loop checks it), whatever their status. Idempotent.
 */
export async function suppressSubscriber(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { id: number; reason?: string },
): Promise<SubscriberDetail> {
  const row = await getSubscriber(deps.db, input.id);
  if (!row) throw new NotFoundError(`no subscriber with id ${input.id}`);
  await addSuppression(
    deps.db,
    row.email,
    input.reason?.trim() || 'suppressed by the operator',
    deps.clock(),
  );
  return getSubscriberDetail(deps, input.id);
}

/** The suppression list, newest first. */
export function listSuppressionList(deps: Pick<Deps, 'db'>): Promise<Suppression[]> {
  return listSuppressions(deps.db);
}

/** Adds any address to the suppression list (subscriber or not). Idempotent. */
export function suppressAddress(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { email: string; reason?: string },
): Promise<Suppression> {
  return addSuppression(
    deps.db,
    normalizeEmail(input.email),
    input.reason?.trim() || 'suppressed by the operator',
    deps.clock(),
  );
}

/** Takes an address off the suppression list; NotFoundError when it was not on it. */
export async function unsuppressAddress(deps: Pick<Deps, 'db'>, input: { email: string }): Promise<void> {
  const email = normalizeEmail(input.email);
  if (!(await removeSuppression(deps.db, email)) && !(await removeSuppression(deps.db, input.email.trim())))
    throw new NotFoundError(`${email} is not on the suppression list`);
}

/**
 * Deletes a subscriber with everything about them (preferences, editions, outbox rows, links,
 * feedback). A suppression entry for the address stays: it is what keeps it from being mailed
 * again (an unsubscribed address is kept hashed). NotFoundError for an unknown id.
 */
export async function removeSubscriber(deps: Pick<Deps, 'db'>, input: { id: number }): Promise<void> {
  const row = await getSubscriber(deps.db, input.id);
  if (!row) throw new NotFoundError(`no subscriber with id ${input.id}`);
  // The same erasure as the subscriber's own "delete my data" (explicit deletes in one batch).
  await eraseSubscriber(deps.db, row);
}
