/**
 * "Wait until the session reaches state X": a watch on that one session (live query, or polling
 * where WebSockets do not work), resolved by the first result in that state, bounded by a timeout
 * and by the node's close.
 */
import type { AiveroClient, StateChange } from '../../backends/aivero';
import { AuthError, ClosedError, RecorderError, TimeoutError, toRecorderError } from '../../common/errors';
import { ApiError } from '../../common/errors';

export interface Reached {
  state: string;
  waitedMs: number;
}

export function waitForState(
  client: AiveroClient,
  sessionId: string,
  target: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Reached> {
  const started = Date.now();
  const watch = client.watchSession(sessionId, { pollMs: 250, emitInitial: true });
  let last: string | undefined;
  return new Promise<Reached>((resolve, reject) => {
    const finish = (err: RecorderError | undefined, reached?: Reached): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // close() rejects only if a 'closed' listener throws, and the client's own cannot.
      watch.close().catch(() => undefined);
      if (err) reject(err);
      else resolve(reached as Reached);
    };
    const timer = setTimeout(() => {
      const now = last ? ` (it is ${last})` : '';
      finish(
        new TimeoutError(`session ${sessionId} did not reach ${target} within ${timeoutMs / 1000} s${now}`),
      );
    }, timeoutMs);
    const onAbort = (): void => finish(new ClosedError('the node was closed while waiting'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    watch.on('change', (change: StateChange) => {
      last = change.state;
      if (change.state === target) finish(undefined, { state: target, waitedMs: Date.now() - started });
    });
    watch.on('removed', () =>
      finish(
        new ApiError(
          404,
          'no such session',
          `session ${sessionId} was deleted while waiting for ${target}`,
          'no such session',
        ),
      ),
    );
    watch.on('failure', (err: unknown) => {
      // A refused credential will not get better by waiting; anything else is retried by the watch.
      const error = toRecorderError(err);
      if (error instanceof AuthError || error.code === 'AUTH') finish(error);
    });
  });
}
