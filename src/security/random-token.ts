import { sha256Hex, toBase64Url } from './encoding.ts';

/** A fresh unguessable token: 128 random bits, base64url. Only its hash is ever stored. */
export function randomToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** SHA-256 of a token, hex: what the tokens table stores and looks up. */
export function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}
