import type { Subscriber } from '../db/schema.ts';
import type { OutgoingEmail } from '../deliver/mailer.ts';
import type { Deps } from '../deps.ts';
import { isValidTimeZone } from '../editions/schedule.ts';
import { NotFoundError } from '../errors.ts';
import { parsePreferences } from '../preferences/schema.ts';
import {
  clearHashedSuppression,
  createSubscriber,
  getSubscriber,
  getSubscriberByEmail,
  getSuppression,
  updateSubscriber,
} from '../store/subscribers.ts';
import { consumeToken, issueToken, lastTokenIssuedAt } from '../store/tokens.ts';
import { enforceRequestLimits } from './rate-limit.ts';
import { transactionalEmail } from './transactional-mail.ts';

const MINUTE = 60_000;
/** A known address gets at most one email per this interval, however often it is typed in. */
export const MAIL_INTERVAL_MS = 10 * MINUTE;
/** How long a confirmation link works. */
export const CONFIRM_TTL_MS = 7 * 24 * 60 * MINUTE;
/** How long a sign-in link works (the issue asks for 30 minutes). */
export const SIGNIN_TTL_MS = 30 * MINUTE;

type MailDeps = Pick<Deps, 'db' | 'clock' | 'config' | 'secret' | 'log'>;

/** What a request for mail decided: the email to send, if any. The caller sends it. */
export interface MailDecision {
  email?: OutgoingEmail;
}

/** The confirmation email for a subscriber (double opt-in), with a fresh single-use token. */
async function confirmationEmail(deps: MailDeps, subscriber: Subscriber): Promise<OutgoingEmail> {
  const now = deps.clock();
  const token = await issueToken(deps.db, subscriber.id, 'confirm', now + CONFIRM_TTL_MS, now);
  return transactionalEmail(deps, subscriber.email, 'confirm', `${deps.config.baseUrl}/confirm/${token}`);
}

/** The sign-in email for a confirmed subscriber, with a fresh single-use 30-minute token. */
async function signInEmail(deps: MailDeps, subscriber: Subscriber): Promise<OutgoingEmail> {
  const now = deps.clock();
  const token = await issueToken(deps.db, subscriber.id, 'signin', now + SIGNIN_TTL_MS, now);
  return transactionalEmail(deps, subscriber.email, 'signin', `${deps.config.baseUrl}/signin/${token}`);
}

/** Whether this known subscriber was mailed a link within the last ten minutes. */
async function mailedRecently(deps: MailDeps, subscriberId: number): Promise<boolean> {
  const last = await lastTokenIssuedAt(deps.db, subscriberId);
  return last !== undefined && deps.clock() - last < MAIL_INTERVAL_MS;
}

/**
 * Sign-up (double opt-in). A new address becomes a pending subscriber and gets one
 * confirmation email; nothing else is ever sent before confirmation. A known address gets at
 * most one email per ten minutes: a confirmation again (pending or unsubscribed) or a sign-in
 * link (already active). Addresses on the suppression list (bounces, complaints) get nothing.
 * The caller answers every case the same way, so the response never reveals who subscribes.
 */
export async function subscribe(
  deps: MailDeps,
  input: { email: string; ip: string; timezone?: string; interests?: string[] },
): Promise<MailDecision> {
  await enforceRequestLimits(deps, input);
  const suppression = await getSuppression(deps.db, input.email);
  // A hashed entry means "erased after unsubscribing": asking again is a fresh opt-in.
  if (suppression && !suppression.email.startsWith('sha256:')) {
    deps.log.info('subscribers: sign-up for a suppressed address, nothing sent');
    return {};
  }
  const existing = await getSubscriberByEmail(deps.db, input.email);
  if (!existing) {
    const timezone = input.timezone && isValidTimeZone(input.timezone) ? input.timezone : 'UTC';
    const prefs = parsePreferences({ interests: input.interests ?? [] });
    const subscriber = await createSubscriber(
      deps.db,
      { email: input.email, status: 'pending', timezone, createdAt: deps.clock() },
      prefs,
    );
    deps.log.info('subscribers: signed up, confirmation sent', { subscriber: subscriber.id });
    return { email: await confirmationEmail(deps, subscriber) };
  }
  if (await mailedRecently(deps, existing.id)) return {};
  if (existing.status === 'active') return { email: await signInEmail(deps, existing) };
  return { email: await confirmationEmail(deps, existing) };
}

/**
 * Confirms a subscription with the single-use token from the confirmation email; the person
 * is active from now on (again, after an unsubscribe). Throws NotFoundError for an unknown,
 * used, expired or wrong-purpose token.
 */
export async function confirm(deps: MailDeps, token: string): Promise<Subscriber> {
  const id = await consumeToken(deps.db, token, 'confirm', deps.clock());
  const subscriber = id === undefined ? undefined : await getSubscriber(deps.db, id);
  if (!subscriber)
    throw new NotFoundError(
      'This confirmation link does not work any more: it was used already or has expired. Sign up again to get a new one.',
    );
  await clearHashedSuppression(deps.db, subscriber.email);
  const updated = await updateSubscriber(deps.db, subscriber.id, {
    status: 'active',
    confirmedAt: deps.clock(),
    unsubscribedAt: null,
  });
  deps.log.info('subscribers: confirmed', { subscriber: subscriber.id });
  return updated;
}

/**
 * "Email me a sign-in link". Unknown and suppressed addresses get nothing; a pending one gets
 * its confirmation again (never anything else before confirmation); everyone else a
 * single-use link valid for 30 minutes. At most one email per ten minutes per address.
 */
export async function requestSignIn(
  deps: MailDeps,
  input: { email: string; ip: string },
): Promise<MailDecision> {
  await enforceRequestLimits(deps, input);
  const subscriber = await getSubscriberByEmail(deps.db, input.email);
  if (!subscriber) return {};
  const suppression = await getSuppression(deps.db, input.email);
  if (suppression && !suppression.email.startsWith('sha256:')) return {};
  if (await mailedRecently(deps, subscriber.id)) return {};
  if (subscriber.status === 'pending') return { email: await confirmationEmail(deps, subscriber) };
  return { email: await signInEmail(deps, subscriber) };
}

/** Spends a sign-in link; returns whom it signs in. NotFoundError when unknown, used or expired. */
export async function signIn(deps: MailDeps, token: string): Promise<Subscriber> {
  const id = await consumeToken(deps.db, token, 'signin', deps.clock());
  const subscriber = id === undefined ? undefined : await getSubscriber(deps.db, id);
  if (!subscriber)
    throw new NotFoundError(
      'This sign-in link does not work any more: it was used already or is older than 30 minutes. Ask for a new one.',
    );
  return subscriber;
}
