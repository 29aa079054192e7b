/**
 * A server stream that stays open: when the broker ends it or it fails (restart, network drop,
 * configuration reload), it is re-opened with the same request after a capped, jittered backoff.
 * Only `cancel()` stops it for good.
 *
 * "open" is reported when the broker answers the stream (response headers or a first message);
 * "reconnecting" (with the reason) whenever it is lost. The backoff restarts from the first step
 * after a stream has delivered data, so a long-lived stream that drops once reconnects quickly.
 * Auth failures are retried at the longest delay only: re-asking a broker that rejects our
 * credentials every half second helps nobody.
 *
 * Stalls: a half-open connection (a proxy or NAT that silently stops forwarding) looks exactly
 * like a quiet stream. Two timers tell them apart: the broker must answer a new stream within
 * `answerTimeoutMs`, and after each message `expectNextWithin(message)` may say when the next one
 * is due (the status stream: about every second while a session plays). A missed deadline
 * reports "stalled" and re-opens the stream. A stall is this stream's own state, not a verdict on
 * the connection (a user's stall time may simply be shorter than a pause); the channel's keepalive
 * pings (see client.ts) find a dead connection and drop it, and that failure is reported as usual.
 *
 * The handle is what the common connection layer watches: it emits `healthy` when the broker
 * answers, `failure(err)` when the stream is lost, and `halt(err)` stops the retry loop for good
 * (a rejected credential: asking again cannot help until the user changes something). `state`
 * events (`open`, `stalled`, `reconnecting`, `halted`) are for the node's own status.
 */
import { EventEmitter } from 'node:events';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { backoffDelay, type BackoffOptions } from '../../common/backoff';
import { RecorderError } from '../../common/errors';

export type StreamState = 'open' | 'stalled' | 'reconnecting' | 'halted';

/** A running stream: cancel it when done; its events report how it goes. */
export interface StreamHandle extends EventEmitter {
  cancel(): void;
  /** Stop retrying (the connection can not work without the user); `cancel` still releases it. */
  halt(error: RecorderError): void;
  /**
   * The connection under the stream is known to be dead (another stream on it stalled): drop the
   * call and open it again now, on whatever connection the owner dials next. Reported as a stall.
   */
  renew(error: RecorderError): void;
}

export interface ResilientStreamOptions<T> {
  open(): ClientReadableStream<T>;
  onMessage(message: T): void;
  onState?: (state: StreamState, error?: RecorderError) => void;
  toError(err: unknown): RecorderError;
  backoff: BackoffOptions;
  /** The broker must answer a new stream (headers or a message) within this time. 0 = no limit. */
  answerTimeoutMs?: number;
  /**
   * After a message: ms until the next one is due, or 0/undefined when silence is normal. `first`
   * is true for the first message of each (re-)opened call.
   */
  expectNextWithin?: (message: T, first: boolean) => number | undefined;
  /**
   * A stall was detected, before the stream is re-opened: `answer` when the broker did not answer a
   * new call, `data` when data that was due did not come. The owner may get a fresh connection.
   */
  onStall?: (kind: 'answer' | 'data', reason: RecorderError) => void;
  /** What the stream is, for the stall message ("playback status"). */
  what?: string;
  /** Called once when the stream is cancelled, so its owner can forget it. */
  onCancel?: () => void;
}

/** A stream that went quiet when data was due: shown as "stalled", retried like a lost stream. */
export class StallError extends RecorderError {
  constructor(message: string) {
    super('TIMEOUT', message, 'stalled');
    this.name = 'StallError';
  }
}

export function resilientStream<T>(options: ResilientStreamOptions<T>): StreamHandle {
  const handle = new EventEmitter() as StreamHandle;
  // A listener-less 'failure' or 'state' must never throw (EventEmitter only throws for 'error').
  handle.setMaxListeners(0);
  let call: ClientReadableStream<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let cancelled = false;
  let halted = false;
  let attempt = 0;
  let renewCurrent: ((reason: RecorderError) => void) | undefined;
  const what = options.what ?? 'the stream';

  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // A listener's bug must not kill the stream machinery.
    }
  };
  const report = (state: StreamState, error?: RecorderError): void => {
    if (cancelled) return;
    safely(() => options.onState?.(state, error));
    safely(() => handle.emit('state', state, error));
    if (state === 'open') safely(() => handle.emit('healthy'));
    if (state === 'reconnecting' && error) safely(() => handle.emit('failure', error));
  };

  const clearWatchdog = (): void => {
    if (watchdog) clearTimeout(watchdog);
    watchdog = undefined;
  };

  /** Drop a call for good: no more events from it, and grpc-js's CANCELLED must not throw. */
  const abandon = (current: ClientReadableStream<T>): void => {
    current.removeAllListeners('data');
    current.removeAllListeners('metadata');
    current.removeAllListeners('end');
    current.removeAllListeners('error');
    current.on('error', () => undefined);
    current.cancel();
  };

  const start = (): void => {
    timer = undefined;
    if (cancelled || halted) return;
    let opened = false;
    let lost = false;
    let first = true;
    const current = options.open();
    call = current;
    const retry = (reason: RecorderError, stalled?: 'answer' | 'data' | 'renewed'): void => {
      if (lost || cancelled || halted) return;
      lost = true;
      renewCurrent = undefined;
      clearWatchdog();
      abandon(current);
      if (stalled === 'renewed') {
        report('stalled', reason);
        timer = setTimeout(start, 0);
        return;
      }
      if (stalled) safely(() => options.onStall?.(stalled, reason));
      report(stalled ? 'stalled' : 'reconnecting', reason);
      if (halted || cancelled) return; // a listener halted the stream on this very failure
      const delay = reason.code === 'AUTH' ? options.backoff.maxMs : backoffDelay(attempt++, options.backoff);
      timer = setTimeout(start, delay);
    };
    const arm = (ms: number | undefined, kind: 'answer' | 'data', message: string): void => {
      clearWatchdog();
      if (!ms || ms <= 0) return;
      watchdog = setTimeout(() => retry(new StallError(message), kind), ms);
    };
    renewCurrent = (reason) => retry(reason, 'renewed');
    const markOpen = (): void => {
      if (opened || cancelled || lost) return;
      opened = true;
      clearWatchdog();
      report('open');
    };
    arm(
      options.answerTimeoutMs,
      'answer',
      `${what}: the broker did not answer within ${options.answerTimeoutMs} ms (connection stalled?)`,
    );
    current.on('metadata', markOpen);
    current.on('data', (message: T) => {
      if (cancelled || lost) return;
      markOpen();
      attempt = 0;
      options.onMessage(message);
      if (cancelled || lost) return; // the listener cancelled the stream
      if (options.expectNextWithin) {
        const due = options.expectNextWithin(message, first);
        arm(due, 'data', `${what}: nothing arrived for ${due} ms although the broker should be sending`);
      }
      first = false;
    });
    current.on('error', (err: unknown) => retry(options.toError(err)));
    current.on('end', () => retry(options.toError(new Error('the broker ended the stream'))));
  };

  const stop = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    clearWatchdog();
    if (call) abandon(call);
    call = undefined;
  };

  handle.cancel = (): void => {
    if (cancelled) return;
    stop();
    cancelled = true;
    handle.removeAllListeners();
    options.onCancel?.();
  };
  handle.renew = (error: RecorderError): void => {
    if (cancelled || halted) return;
    if (renewCurrent) renewCurrent(error);
    else if (timer) {
      // Waiting to retry: retry now instead, on the fresh connection.
      clearTimeout(timer);
      timer = setTimeout(start, 0);
    }
  };
  handle.halt = (error: RecorderError): void => {
    if (cancelled || halted) return;
    halted = true;
    stop();
    report('halted', error);
  };

  start();
  return handle;
}
