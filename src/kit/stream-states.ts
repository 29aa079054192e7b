/**
 * How a retrying stream's states show under a stream node, the same for every such stream: open
 * (the node's own words), stalled (nothing arrived for too long: a half-open connection), or lost
 * (the connection's state, or an API error in words). Errors are redacted before anything shows.
 */
import type { EventEmitter } from 'node:events';
import type { RecorderError } from '../common/errors';
import type { Served } from './use-server';

/** A stream that reports `state` events: open, stalled, reconnecting, halted (with the reason). */
export type StateStream = Pick<EventEmitter, 'on'>;

export interface StateFollower {
  /** The stream's state in a word, for control answers. */
  word(): string;
}

export function followStates<C>(
  stream: StateStream,
  { server, status }: Served<C>,
  onOpen: () => void,
  /** Told once per outage (a warning in the debug sidebar), not once per retry. */
  warn?: (text: string) => void,
): StateFollower {
  let word = 'connecting';
  let warned = false;
  stream.on('state', (state: string, raw?: RecorderError) => {
    // Redacted here: this listener runs before the connection's own (which redacts in place).
    const error = raw && server.connection.redact(raw);
    word = state === 'open' ? 'streaming' : state;
    if (state === 'open') {
      warned = false;
      onOpen();
      return;
    }
    if (state === 'stalled') status.set('disconnected', error?.statusText ?? 'stalled');
    else if (error) status.fail(error);
    if (error && warn && !warned) warn(error.message);
    warned = true;
  });
  return { word: () => word };
}
