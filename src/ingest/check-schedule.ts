// When to check a source next (pure). Politeness: never sooner than the publisher asks
// (Cache-Control max-age, Retry-After), exponential backoff with jitter on consecutive errors.

/** Backoff never grows past a day. */
export const MAX_BACKOFF_MS = 24 * 3_600_000;
/** Retry-After is honoured up to a week. */
export const MAX_RETRY_AFTER_MS = 7 * 24 * 3_600_000;

/** After a successful check: the base interval, or the feed's max-age if longer (capped at a day). */
export function nextCheckAfterSuccess(
  now: number,
  intervalMs: number,
  maxAgeMs: number | null,
  random: () => number = Math.random,
): number {
  const wait = Math.max(intervalMs, Math.min(maxAgeMs ?? 0, MAX_BACKOFF_MS));
  // Up to +10 % so sources added together drift apart instead of hitting hosts in bursts.
  return now + Math.round(wait * (1 + 0.1 * random()));
}

/**
 * After the `errorCount`-th consecutive failure: interval × 2^(n-1), capped at a day, with "equal
 * jitter" (half fixed, half random) so many failing sources do not retry in lockstep; never
 * sooner than Retry-After.
 */
export function nextCheckAfterFailure(
  now: number,
  intervalMs: number,
  errorCount: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(intervalMs * 2 ** Math.max(0, errorCount - 1), MAX_BACKOFF_MS);
  const jittered = backoff / 2 + (backoff / 2) * random();
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return now + Math.round(Math.max(jittered, floor));
}
