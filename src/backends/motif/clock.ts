/**
 * The motif machine's clock: the `schedule` answer carries its current time `now` (Unix seconds,
 * with fractions). One call is one sample for `src/common/clock.ts`.
 */
import { ApiError } from '../../common/errors';
import { localNowMs, type ClockSample } from '../../common/clock';
import type { MotifCallOptions, MotifClient } from './client';

export async function motifClockSample(
  client: MotifClient,
  options?: MotifCallOptions,
): Promise<ClockSample> {
  const sentMs = localNowMs();
  const answer = await client.call('schedule', {}, undefined, options);
  const receivedMs = localNowMs();
  const now =
    typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).now : undefined;
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new ApiError(200, 'no time', 'motif answered "schedule" without its current time (now)');
  // `now` is a float of seconds; its step is not documented: 1 ms is assumed (a millisecond clock).
  return { sentMs, receivedMs, serverMs: now * 1000, resolutionMs: 1 };
}
