/**
 * Operator authentication: the SIFT_ADMIN_TOKEN bearer token, and the dashboard's session
 * cookie and CSRF tokens derived from it. WebCrypto only, so it runs on Node and Workers alike.
 */
import { fromBase64Url, timingSafeEqual, toBase64Url } from '../security/encoding.ts';

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmac(key: string, message: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, encoder.encode(message)));
}

/**
 * Whether `presented` is the admin token. Both sides are hashed first so the comparison takes
 * the same time whatever the lengths and wherever they differ. False while no token is set.
 */
export async function isAdminToken(expected: string | undefined, presented: string | null | undefined) {
  if (!expected || !presented) return false;
  return timingSafeEqual(await sha256(expected), await sha256(presented));
}

/** Extracts the token of an `Authorization: Bearer …` header (case-insensitive scheme). */
export function bearerToken(header: string | undefined | null): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** How long a dashboard sign-in lasts. */
export const SESSION_MS = 12 * 3_600_000;

// The session MAC key mixes in the admin token, so rotating the token signs everyone out.
const sessionKey = (secret: string, adminToken: string) => `admin-session|${secret}|${adminToken}`;

/** A stateless dashboard session value: expiry plus an HMAC (the cookie carries no secret). */
export async function createSession(secret: string, adminToken: string, now: number): Promise<string> {
  const expires = now + SESSION_MS;
  return `${expires}.${toBase64Url(await hmac(sessionKey(secret, adminToken), `session:${expires}`))}`;
}

/** Whether a session cookie value is genuine and unexpired. */
export async function verifySession(
  secret: string,
  adminToken: string | undefined,
  value: string | undefined,
  now: number,
): Promise<boolean> {
  if (!adminToken || !value) return false;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m || Number(m[1]) <= now) return false;
  const given = fromBase64Url(m[2]!);
  if (!given) return false;
  return timingSafeEqual(given, await hmac(sessionKey(secret, adminToken), `session:${m[1]}`));
}

/** The CSRF token for a session: an HMAC of it, so a forged form cannot know it. */
export async function csrfToken(secret: string, session: string): Promise<string> {
  return toBase64Url((await hmac(`admin-csrf|${secret}`, session)).slice(0, 18));
}

/** Checks a form's CSRF token against the session it claims to belong to. */
export async function verifyCsrf(secret: string, session: string, presented: string | undefined) {
  if (!presented) return false;
  const given = fromBase64Url(presented);
  const expected = fromBase64Url(await csrfToken(secret, session));
  return !!given && !!expected && timingSafeEqual(given, expected);
}
