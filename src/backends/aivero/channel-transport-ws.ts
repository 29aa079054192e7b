/**
 * The live query over `graphql-transport-ws` (the graphql-ws library). Reconnection is the
 * watcher's job, so the library's own retries are off: one channel = one socket. The library pings
 * the server (keepAlive) so that a quiet subscription still hears pongs; silence beyond the stall
 * limit ends the channel as stalled.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ConnectionError, toRecorderError } from '../../common/errors';
import { fromGraphQLErrors, type GraphQLErrorLike } from './errors';
import {
  earlyClose,
  handshakeFailure,
  isTooLarge,
  lateClose,
  rowsOf,
  SilenceWatch,
  socketClosed,
  socketOptions,
  tooLargeError,
  type Channel,
  type ChannelContext,
  type ChannelHandlers,
} from './ws-common';

export const TRANSPORT_WS = 'graphql-transport-ws';

function isCloseLike(value: unknown): value is { code: number; reason?: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number'
  );
}

export function openTransportWs(ctx: ChannelContext, handlers: ChannelHandlers): Channel {
  const sockets: WebSocket[] = [];
  let handshakeError: unknown;
  let tooLarge = false;
  let acknowledged = false;
  let stopped = false;
  const options = socketOptions(ctx.config, ctx.connectTimeoutMs);
  // The library pings on its own (keepAlive): nothing more to send when the channel is quiet.
  const silence = new SilenceWatch(
    ctx.stallMs,
    () => undefined,
    (error) => fail(error),
  );

  // graphql-ws constructs the socket itself: a subclass passes our TLS and header options and
  // remembers how the handshake went.
  class AiveroSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, options);
      sockets.push(this);
      this.on('error', (err) => {
        if (isTooLarge(err)) tooLarge = true;
        else if (this.readyState !== WebSocket.OPEN && !acknowledged) handshakeError ??= err;
      });
    }
  }

  const fail = (err: unknown): void => {
    if (stopped) return;
    stopped = true;
    let failure: { error: ReturnType<typeof toRecorderError>; unsupported: boolean };
    if (tooLarge) failure = { error: tooLargeError(ctx), unsupported: false };
    else if (handshakeError !== undefined) failure = handshakeFailure(handshakeError, TRANSPORT_WS, ctx);
    else if (Array.isArray(err))
      failure = {
        error: fromGraphQLErrors(err as GraphQLErrorLike[], 200, ctx.redactor, 'the session subscription'),
        unsupported: false,
      };
    else if (isCloseLike(err) && !acknowledged)
      failure = earlyClose(err.code, err.reason ?? '', TRANSPORT_WS, ctx);
    else if (isCloseLike(err))
      failure = { error: lateClose(err.code, err.reason ?? '', ctx), unsupported: false };
    else failure = { error: toRecorderError(err), unsupported: false };
    teardown();
    handlers.onFailure(failure.error, failure.unsupported);
  };

  const client: Client = createClient({
    url: ctx.config.endpoint.ws,
    webSocketImpl: AiveroSocket,
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
    for (const socket of sockets) socket.terminate();
  }

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      teardown();
    },
    closed: () => Promise.all(sockets.map((s) => socketClosed(s))).then(() => undefined),
  };
}
