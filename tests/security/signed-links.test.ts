import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from '../../src/security/signed-links.ts';

const secret = 'a-test-secret-that-is-long-enough-000000';

describe('signed links', () => {
  it('verify for the purpose and subscriber they were made for', async () => {
    const token = await signLink(secret, 'unsubscribe', 42, 3);
    expect(await verifyLink(secret, 'unsubscribe', token)).toEqual({ subscriberId: 42, version: 3 });
  });

  it('do not open another purpose', async () => {
    const token = await signLink(secret, 'unsubscribe', 42, 1);
    expect(await verifyLink(secret, 'manage', token)).toBeNull();
  });

  it('reject a changed subscriber id, a changed version, another secret and garbage', async () => {
    const token = await signLink(secret, 'manage', 42, 1);
    const [, , mac] = token.split('.');
    expect(await verifyLink(secret, 'manage', `43.1.${mac}`)).toBeNull();
    expect(await verifyLink(secret, 'manage', `42.2.${mac}`)).toBeNull();
    expect(await verifyLink(`${secret}x`, 'manage', token)).toBeNull();
    expect(await verifyLink(secret, 'manage', '../../etc/passwd')).toBeNull();
    expect(await verifyLink(secret, 'manage', '')).toBeNull();
  });
});
