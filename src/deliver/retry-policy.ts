/**
 * When to try a failed message again. Transient failures (SMTP 4xx, HTTP 429 and 5xx, dropped
 * connections) back off exponentially from `baseMs`, capped at `capMs`, with "equal jitter"
 * (half fixed, half random) so a provider outage does not make every row retry in the same
 * second; a server's Retry-After is honoured as the minimum wait.
 */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts (including the first) after which a transient failure becomes final. */
  maxAttempts: number;
}

/** Defaults: 1 min, 2, 4 … capped at 6 h; 8 attempts span about 4 hours before giving up. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, capMs: 6 * 3_600_000, maxAttempts: 8 };

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) attempts failed transiently. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.capMs));
}

/**
 * Parses an HTTP Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** SMTP enhanced status codes (RFC 3463) that mean the mailbox does not exist. */
const NO_SUCH_USER = /\b5\.1\.(1|10)\b/;

/** Whether an SMTP reply says the address does not exist ("550 5.1.1 No such user"). */
export function isNoSuchUser(reply: string): boolean {
  return NO_SUCH_USER.test(reply);
}
