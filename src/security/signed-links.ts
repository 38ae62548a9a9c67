import { fromBase64Url, timingSafeEqual, toBase64Url } from './encoding.ts';

/** What a signed link lets its holder do. A token for one purpose never opens another. */
export type LinkPurpose = 'unsubscribe' | 'manage' | 'feedback' | 'feed' | 'session';

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, message: string): Promise<Uint8Array> {
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(message));
  // 128 bits of MAC is plenty for a link and keeps URLs short.
  return new Uint8Array(sig).slice(0, 16);
}

/** A keyed hash (HMAC-SHA-256, 128 bits, base64url) of `message` for `purpose`. */
export async function keyedHash(secret: string, purpose: string, message: string): Promise<string> {
  return toBase64Url(await mac(secret, `${purpose}:${message}`));
}

/**
 * Signs a long-lived link token: HMAC over subscriber + purpose + version, so bumping the
 * subscriber's token version revokes every link issued before.
 */
export async function signLink(
  secret: string,
  purpose: LinkPurpose,
  subscriberId: number,
  version: number,
): Promise<string> {
  const body = `${subscriberId}.${version}`;
  return `${body}.${toBase64Url(await mac(secret, `${purpose}:${body}`))}`;
}

/** Verifies a link token for `purpose`; returns who and which version, or null if forged. */
export async function verifyLink(
  secret: string,
  purpose: LinkPurpose,
  token: string,
): Promise<{ subscriberId: number; version: number } | null> {
  const m = /^(\d{1,15})\.(\d{1,9})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const given = fromBase64Url(m[3]!);
  if (!given) return null;
  const expected = await mac(secret, `${purpose}:${m[1]}.${m[2]}`);
  if (!timingSafeEqual(given, expected)) return null;
  return { subscriberId: Number(m[1]), version: Number(m[2]) };
}
