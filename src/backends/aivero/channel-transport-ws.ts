/**
 * The live query over `graphql-transport-ws` (the graphql-ws library). Reconnection is the
 * watcher's job, so the library's own retries are off: one channel = one socket. The library pings
 * the server (keepAlive) so that a quiet subscription still hears pongs; silence beyond the stall
 * limit ends the channel as stalled.
 */
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'undici';
import { ConnectionError, toRecorderError } from '../../common/errors';
import { fromGraphQLErrors, type GraphQLErrorLike } from './errors';
import {
  earlyClose,
  handshakeFailure,
  lateClose,
  rowsOf,
  SilenceWatch,
  tooLargeError,
  type Channel,
  type ChannelContext,
  type ChannelHandlers,
} from './ws-common';
import { prepareLine, type WatchedSocket } from './ws-socket';

export const TRANSPORT_WS = 'graphql-transport-ws';

function isCloseLike(value: unknown): value is { code: number; reason?: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number'
  );
}

function isErrorEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'error';
}

export function openTransportWs(ctx: ChannelContext, handlers: ChannelHandlers): Channel {
  const lines: WatchedSocket[] = [];
  let acknowledged = false;
  let stopped = false;
  // The library pings on its own (keepAlive): nothing more to send when the channel is quiet.
  const silence = new SilenceWatch(
    ctx.stallMs,
    () => undefined,
    (error) => fail(error),
  );

  // graphql-ws constructs the socket itself: a subclass gives it our dispatcher (TLS trust, the
  // message cap, the handshake watch) and headers.
  class ChannelSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      const prepared = prepareLine(ctx.config, ctx.connectTimeoutMs);
      super(url, { protocols: protocols === undefined ? [] : protocols, ...prepared.init });
      lines.push(prepared.attach(this));
    }
  }
  const opened = (): boolean => lines.some((l) => l.opened);

  const fail = (err: unknown): void => {
    if (stopped) return;
    stopped = true;
    let failure: { error: ReturnType<typeof toRecorderError>; unsupported: boolean };
    const line = lines[lines.length - 1];
    if (line?.trace.tooLarge) failure = { error: tooLargeError(ctx), unsupported: false };
    else if (line && !opened() && !acknowledged) failure = handshakeFailure(line.trace, TRANSPORT_WS, ctx);
    else if (Array.isArray(err))
      failure = {
        error: fromGraphQLErrors(err as GraphQLErrorLike[], 200, ctx.redactor, 'the session subscription'),
        unsupported: false,
      };
    else {
      // A line lost without a close frame reaches graphql-ws as an 'error' event first, which
      // says nothing more than the close code 1006 that follows it.
      const close = isCloseLike(err) ? err : isErrorEvent(err) ? { code: 1006, reason: '' } : undefined;
      if (close && !acknowledged) failure = earlyClose(close.code, close.reason ?? '', TRANSPORT_WS, ctx);
      else if (close) failure = { error: lateClose(close.code, close.reason ?? '', ctx), unsupported: false };
      else failure = { error: toRecorderError(err), unsupported: false };
    }
    teardown();
    handlers.onFailure(failure.error, failure.unsupported);
  };

  const client: Client = createClient({
    url: ctx.config.endpoint.ws,
    webSocketImpl: ChannelSocket,
    connectionParams: { headers: { ...ctx.config.headers } },
    lazy: true,
    retryAttempts: 0,
    shouldRetry: () => false,
    connectionAckWaitTimeout: ctx.connectTimeoutMs,
    keepAlive: ctx.stallMs > 0 ? SilenceWatch.probeInterval(ctx.stallMs) : 0,
    on: {
      connected: () => {
        acknowledged = true;
        silence.start();
      },
      message: () => silence.heard(),
    },
  });

  const unsubscribe = client.subscribe(
    { query: ctx.document, variables: ctx.variables },
    {
      next: (result) => {
        if (stopped) return;
        silence.result();
        if (result.errors && result.errors.length > 0) {
          fail(result.errors);
          return;
        }
        try {
          handlers.onRows(rowsOf(result.data));
        } catch (err) {
          fail(err);
        }
      },
      error: (err) => fail(err),
      complete: () =>
        fail(new ConnectionError(`Aivero at ${ctx.config.endpoint.server} ended the subscription`)),
    },
  );

  function teardown(): void {
    silence.stop();
    try {
      unsubscribe();
    } catch {
      // the socket may already be gone
    }
    // The sockets are terminated next, whether or not the client disposed of itself cleanly.
    void Promise.resolve(client.dispose()).catch(() => undefined);
    for (const line of lines) line.terminate();
  }

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      teardown();
    },
    closed: () => Promise.all(lines.map((l) => l.closed())).then(() => undefined),
  };
}
