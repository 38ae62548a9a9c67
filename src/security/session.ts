import { fromBase64Url, timingSafeEqual } from './encoding.ts';
import { keyedHash } from './signed-links.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'sift_session';
/** How long a session lasts after signing in. */
export const SESSION_TTL_MS = 30 * 86_400_000;

/** Who a valid session belongs to. */
export interface Session {
  subscriberId: number;
  version: number;
  expiresAt: number;
}

/**
 * Signs a session value: subscriber, token version and expiry under an HMAC. Stateless, so it
 * works the same on Node and Workers; bumping the subscriber's token version ends every session.
 */
export async function signSession(secret: string, session: Session): Promise<string> {
  const body = `${session.subscriberId}.${session.version}.${session.expiresAt}`;
  return `${body}.${await keyedHash(secret, 'session', body)}`;
}

/** Verifies a session value; null when forged, malformed or expired at `now`. */
export async function verifySession(secret: string, value: string, now: number): Promise<Session | null> {
  const m = /^(\d{1,15})\.(\d{1,9})\.(\d{1,15})\.([A-Za-z0-9_-]{22})$/.exec(value);
  if (!m) return null;
  const given = fromBase64Url(m[4]!);
  const expected = fromBase64Url(await keyedHash(secret, 'session', `${m[1]}.${m[2]}.${m[3]}`));
  if (!given || !expected || !timingSafeEqual(given, expected)) return null;
  const session = { subscriberId: Number(m[1]), version: Number(m[2]), expiresAt: Number(m[3]) };
  return session.expiresAt > now ? session : null;
}
