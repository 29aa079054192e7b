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
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import { backoffDelay, type BackoffOptions } from '../../common/backoff';
import type { RecorderError } from '../../common/errors';

export type StreamState = 'open' | 'reconnecting';

export interface StreamHandle {
  cancel(): void;
}

export interface ResilientStreamOptions<T> {
  open(): ClientReadableStream<T>;
  onMessage(message: T): void;
  onState?: (state: StreamState, error?: RecorderError) => void;
  toError(err: unknown): RecorderError;
  backoff: BackoffOptions;
  /** Called once when the stream is cancelled, so its owner can forget it. */
  onCancel?: () => void;
}

export function resilientStream<T>(options: ResilientStreamOptions<T>): StreamHandle {
  let call: ClientReadableStream<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  let attempt = 0;

  const report = (state: StreamState, error?: RecorderError): void => {
    if (cancelled) return;
    try {
      options.onState?.(state, error);
    } catch {
      // A listener's bug must not kill the stream machinery.
    }
  };

  const start = (): void => {
    timer = undefined;
    if (cancelled) return;
    let opened = false;
    let lost = false;
    const current = options.open();
    call = current;
    const markOpen = (): void => {
      if (opened || cancelled || lost) return;
      opened = true;
      report('open');
    };
    const retry = (reason: RecorderError): void => {
      if (lost || cancelled) return;
      lost = true;
      current.removeAllListeners('data');
      report('reconnecting', reason);
      const delay = reason.code === 'AUTH' ? options.backoff.maxMs : backoffDelay(attempt++, options.backoff);
      timer = setTimeout(start, delay);
    };
    current.on('metadata', markOpen);
    current.on('data', (message: T) => {
      if (cancelled || lost) return;
      markOpen();
      attempt = 0;
      options.onMessage(message);
    });
    current.on('error', (err: unknown) => retry(options.toError(err)));
    current.on('end', () => retry(options.toError(new Error('the broker ended the stream'))));
  };

  start();

  return {
    cancel(): void {
      if (cancelled) return;
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (call) {
        // Keep an error listener: grpc-js emits CANCELLED after cancel(), which must not throw.
        call.removeAllListeners('data');
        call.on('error', () => undefined);
        call.cancel();
      }
      options.onCancel?.();
    },
  };
}
