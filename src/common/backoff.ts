/**
 * Capped, jittered exponential backoff. Pure: the random source is injected so tests are exact.
 *
 * Delay for attempt n (0-based) is a "full jitter" draw in [base/2, min(cap, base * 2^n)], so a
 * fleet of clients that lost the same server does not reconnect in lock-step.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(ceiling, options.initialMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}
