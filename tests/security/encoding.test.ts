import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/security/encoding.ts';
import { hashToken } from '../../src/security/random-token.ts';
import { hashedSuppressionKey } from '../../src/store/subscribers.ts';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 vectors for strings and bytes', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await sha256Hex('abc')).toBe(abc);
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(abc);
    expect(await sha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('is what token hashes and hashed suppression keys are made of', async () => {
    expect(await hashToken('abc')).toBe(await sha256Hex('abc'));
    expect(await hashedSuppressionKey(' Ada@Example.org ')).toBe(
      `sha256:${await sha256Hex('ada@example.org')}`,
    );
  });
});
