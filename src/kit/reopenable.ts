/**
 * A stream node's control for streams that are opened whole and closed whole (the remotive streams,
 * aivero-watch): start opens one if none is open (or reopens it for a new target), stop closes it,
 * restart closes and opens again. The node says how to open one and what its state is in a word.
 */
import type { Msg } from './node-red';
import type { StreamControl } from './stream-node';

export interface OpenStream {
  /** The target this stream follows (a session id), to tell whether a start names a new one. */
  target?: string;
  close(): void | Promise<void>;
  /** Its state in a word (streaming, stalled, reconnecting, …). */
  state(): string;
}

export interface Reopenable {
  /** Opens the stream for this control message (undefined at deploy); a throw answers the message. */
  open(msg: Msg | undefined): OpenStream;
  /** The target a start message names, if it names one (undefined: keep the current one). */
  targetOf?(msg: Msg | undefined): string | undefined;
  /** Called after a stop, for the node's status. */
  stopped?(): void;
}

export function reopenable(spec: Reopenable): StreamControl {
  let current: OpenStream | undefined;
  const close = async (): Promise<void> => {
    const closing = current;
    current = undefined;
    await closing?.close();
  };
  return {
    start: async (msg) => {
      const target = spec.targetOf?.(msg);
      if (current && (target === undefined || target === current.target)) return;
      await close();
      current = spec.open(msg);
    },
    stop: async () => {
      await close();
      spec.stopped?.();
    },
    restart: async (msg) => {
      await close();
      current = spec.open(msg);
    },
    state: () => current?.state() ?? 'stopped',
  };
}
