import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/deliver/rate-limit.ts';
import { DEFAULT_RETRY, isNoSuchUser, parseRetryAfter, retryDelay } from '../../src/deliver/retry-policy.ts';
import { smtpError } from '../../src/deliver/smtp-mailer.ts';

describe('retry policy', () => {
  it('backs off exponentially with jitter between half and the whole step, capped', () => {
    const steps = [1, 2, 3, 4].map((a) => [
      retryDelay(a, undefined, DEFAULT_RETRY, () => 0),
      retryDelay(a, undefined, DEFAULT_RETRY, () => 1),
    ]);
    expect(steps).toEqual([
      [30_000, 60_000],
      [60_000, 120_000],
      [120_000, 240_000],
      [240_000, 480_000],
    ]);
    expect(retryDelay(30, undefined, DEFAULT_RETRY, () => 1)).toBe(DEFAULT_RETRY.capMs);
  });

  it('never retries sooner than the server asked (Retry-After), within the cap', () => {
    expect(retryDelay(1, 900_000, DEFAULT_RETRY, () => 0)).toBe(900_000);
    expect(retryDelay(1, 10 * DEFAULT_RETRY.capMs, DEFAULT_RETRY, () => 0)).toBe(DEFAULT_RETRY.capMs);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 10, 24, 9, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('classifies SMTP replies: 4xx and connection errors retry, 5xx is final, 5.1.1 also means no such user', () => {
    const smtp = (responseCode: number | undefined, response: string, code?: string) =>
      smtpError(Object.assign(new Error(response), { responseCode, response, code }));
    expect(smtp(421, '421 4.3.2 try later')).toMatchObject({ permanent: false, noSuchUser: false });
    expect(smtp(undefined, 'Connection closed unexpectedly', 'ECONNECTION')).toMatchObject({
      permanent: false,
    });
    expect(smtp(535, '535 5.7.8 bad credentials', 'EAUTH')).toMatchObject({ permanent: false });
    expect(smtp(552, '552 5.3.4 message too big')).toMatchObject({ permanent: true, noSuchUser: false });
    expect(smtp(550, '550 5.1.1 <x@example.com>: no such user')).toMatchObject({
      permanent: true,
      noSuchUser: true,
    });
    expect(isNoSuchUser('550 5.1.10 recipient address rejected: null MX')).toBe(true);
    expect(isNoSuchUser('550 5.7.1 rejected by policy')).toBe(false);
  });
});

describe('rate limit', () => {
  it('lets a burst of one second through, then paces sends at the configured rate', async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = createRateLimiter(5, {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 15; i++) await limiter.acquire();
    // 5 at once, then 10 more at 5 per second: 2 seconds of waiting in 200 ms steps.
    expect(slept.reduce((a, b) => a + b, 0)).toBe(2_000);
    expect(new Set(slept)).toEqual(new Set([200]));
  });

  it('0 means unlimited; a negative rate is refused with the reason', async () => {
    const limiter = createRateLimiter(0, { sleep: async () => expect.fail('must not sleep') });
    for (let i = 0; i < 100; i++) await limiter.acquire();
    expect(() => createRateLimiter(-1)).toThrow(/send rate must be a number ≥ 0, got -1/);
  });
});

describe('mail settings', () => {
  it('refuse a half-configured transport with the variable to set', async () => {
    const { parseConfig } = await import('../../src/config.ts');
    expect(() => parseConfig({ SIFT_MAILER: 'http' })).toThrow(
      /SIFT_HTTP_API_KEY: required when SIFT_MAILER=http/,
    );
    expect(() => parseConfig({ SIFT_SEND_RATE: '-1' })).toThrow(/SIFT_SEND_RATE="-1"/);
    expect(() => parseConfig({ SIFT_WEBHOOK_SECRET: 'short' })).toThrow(
      /SIFT_WEBHOOK_SECRET="short": must be at least 24/,
    );
    expect(() => parseConfig({ SIFT_OUTBOX_VIEWER: 'maybe' })).toThrow(/SIFT_OUTBOX_VIEWER/);
    const config = parseConfig({ SIFT_MAILER: 'http', SIFT_HTTP_API_KEY: 're_123456789' });
    expect(config).toMatchObject({
      SIFT_HTTP_PROVIDER: 'resend',
      SIFT_SEND_RATE: 10,
      SIFT_OUTBOX_VIEWER: 'auto',
    });
  });
});
