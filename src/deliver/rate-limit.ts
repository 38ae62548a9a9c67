/**
 * A token bucket: at most `perSecond` sends per second on average, with bursts of up to one
 * second's worth. `perSecond` 0 means no limit. Time and sleeping are injected, so the limiter
 * is testable without waiting and works the same on Node and Workers.
 */
export interface RateLimiter {
  /** Resolves when one more message may be sent. */
  acquire(): Promise<void>;
}

/** Creates a limiter over a monotonic clock (default performance.now) and a sleep. */
export function createRateLimiter(
  perSecond: number,
  io: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): RateLimiter {
  if (!(perSecond >= 0) || !Number.isFinite(perSecond))
    throw new Error(`deliver: the send rate must be a number ≥ 0, got ${perSecond}`);
  if (perSecond === 0) return { acquire: async () => {} };
  const now = io.now ?? (() => performance.now());
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let last = now();
  // Serialise waiters so concurrent callers are served in order.
  let queue: Promise<void> = Promise.resolve();
  const take = async () => {
    for (;;) {
      const t = now();
      tokens = Math.min(capacity, tokens + ((t - last) / 1000) * perSecond);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - tokens) / perSecond) * 1000));
    }
  };
  return {
    acquire() {
      const next = queue.then(take);
      queue = next.catch(() => {});
      return next;
    },
  };
}
