import { toBase64Url } from './encoding.ts';

/** A fresh unguessable token: 128 random bits, base64url. Only its hash is ever stored. */
export function randomToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** SHA-256 of a token, hex: what the tokens table stores and looks up. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
