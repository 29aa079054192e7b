/**
 * The broker has no "get status" rpc: the playback status stream's first message is the current
 * list of open sessions. Open it, take that message, cancel it.
 */
import type { PlaybackStatus, RemotiveClient } from '../../backends/remotive';
import { TimeoutError } from '../../common/errors';

export function currentStatuses(client: RemotiveClient, timeoutMs: number): Promise<PlaybackStatus[]> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, items?: PlaybackStatus[]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Cancel on the next tick: the handle is not assigned yet if the stream answers synchronously.
      setImmediate(() => handle.cancel());
      if (err) reject(err);
      else resolve(items ?? []);
    };
    const timer = setTimeout(
      () => finish(new TimeoutError(`the broker sent no playback status within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const handle = client.watchPlayback(
      (items) => finish(undefined, items),
      (state, error) => {
        if (state === 'reconnecting' && error) finish(error);
      },
    );
  });
}
