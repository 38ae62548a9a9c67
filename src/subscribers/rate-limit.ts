import type { Deps } from '../deps.ts';
import { keyedHash } from '../security/signed-links.ts';
import { hitRateLimit, pruneRateLimits } from '../store/rate-limits.ts';
import { RateLimitedError } from './errors.ts';

const HOUR = 3_600_000;

/**
 * Counts a sign-up or link request against its client IP and its address (fixed one-hour
 * windows, limits from config) and throws RateLimitedError past either limit. Keys are HMACs:
 * the table never holds an IP or an address. The address limit applies whether or not the
 * address is known, so a 429 reveals nothing about who subscribes.
 */
export async function enforceRequestLimits(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'secret'>,
  input: { ip: string; email: string },
): Promise<void> {
  const now = deps.clock();
  const [ip, address] = await Promise.all([
    hitRateLimit(deps.db, `ip:${await keyedHash(deps.secret, 'rate-ip', input.ip)}`, now, HOUR),
    hitRateLimit(deps.db, `addr:${await keyedHash(deps.secret, 'rate-addr', input.email)}`, now, HOUR),
  ]);
  // A counter that just restarted means an hour has passed for someone: a cheap moment to tidy.
  if (ip.count === 1) await pruneRateLimits(deps.db, now - 2 * HOUR);
  const over = [
    ip.count > deps.config.SIFT_RATE_LIMIT_IP ? ip.resetAt : 0,
    address.count > deps.config.SIFT_RATE_LIMIT_ADDRESS ? address.resetAt : 0,
  ];
  const resetAt = Math.max(...over);
  if (resetAt > 0) {
    const seconds = Math.max(1, Math.ceil((resetAt - now) / 1000));
    throw new RateLimitedError(
      `Too many requests. Please try again in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''}.`,
      seconds,
    );
  }
}
