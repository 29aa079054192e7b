/**
 * The live query over the legacy Apollo protocol (`subscriptions-transport-ws`, subprotocol
 * `graphql-ws`), which Hasura speaks when a client names no subprotocol. Written on `ws` by hand:
 *
 *   → connection_init {payload: {headers}}   ← connection_ack | connection_error {payload}
 *   → start {id, payload: {query, variables}} ← data {id, payload: {data, errors}} | error | complete
 *   ← ka (keep-alive)                         → stop {id}, connection_terminate
 */
import WebSocket from 'ws';
import { ConnectionError, TimeoutError, type RecorderError } from '../../common/errors';
import { AiveroApiError, AiveroAuthError, fromGraphQLErrors, type GraphQLErrorLike } from './errors';
import {
  earlyClose,
  handshakeFailure,
  lateClose,
  rowsOf,
  socketClosed,
  socketOptions,
  type Channel,
  type ChannelContext,
  type ChannelHandlers,
} from './ws-common';

export const LEGACY_WS = 'graphql-ws';
const OPERATION_ID = '1';
const AUTH_TEXT = /access-denied|invalid-jwt|admin-secret|jwt|unauthori[sz]ed|forbidden|authentication/i;

function errorText(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (
    payload &&
    typeof payload === 'object' &&
    typeof (payload as { message?: unknown }).message === 'string'
  )
    return (payload as { message: string }).message;
  return 'no message';
}

export function openLegacyWs(ctx: ChannelContext, handlers: ChannelHandlers): Channel {
  const server = ctx.config.endpoint.server;
  const socket = new WebSocket(
    ctx.config.endpoint.ws,
    LEGACY_WS,
    socketOptions(ctx.config, ctx.connectTimeoutMs),
  );
  let opened = false;
  let acknowledged = false;
  let stopped = false;
  let ackTimer: NodeJS.Timeout | undefined;

  const send = (message: Record<string, unknown>): void => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const fail = (error: RecorderError, unsupported = false): void => {
    if (stopped) return;
    stopped = true;
    teardown();
    handlers.onFailure(error, unsupported);
  };

  socket.on('error', (err) => {
    if (!opened) {
      const failure = handshakeFailure(err, LEGACY_WS, ctx);
      fail(failure.error, failure.unsupported);
    }
    // After open, 'close' follows and reports the loss.
  });

  socket.on('open', () => {
    opened = true;
    send({ type: 'connection_init', payload: { headers: { ...ctx.config.headers } } });
    ackTimer = setTimeout(
      () =>
        fail(
          new TimeoutError(
            `Aivero at ${server} did not acknowledge the WebSocket in ${ctx.connectTimeoutMs} ms`,
          ),
        ),
      ctx.connectTimeoutMs,
    );
  });

  socket.on('close', (code, reason) => {
    const text = reason.toString('utf8');
    if (!acknowledged) {
      const failure = earlyClose(code, text, LEGACY_WS, ctx);
      fail(failure.error, failure.unsupported);
    } else {
      fail(lateClose(code, text, ctx));
    }
  });

  socket.on('message', (raw: WebSocket.RawData) => {
    if (stopped) return;
    let message: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(raw.toString()) as typeof message;
    } catch {
      fail(
        new AiveroApiError(
          `Aivero at ${server} sent a WebSocket message that is not JSON`,
          { code: 'not-json', httpStatus: 200 },
          false,
        ),
      );
      return;
    }
    switch (message.type) {
      case 'connection_ack':
        acknowledged = true;
        clearTimeout(ackTimer);
        send({ id: OPERATION_ID, type: 'start', payload: { query: ctx.document, variables: ctx.variables } });
        return;
      case 'ka':
        return;
      case 'connection_error': {
        const text = errorText(message.payload);
        const auth = AUTH_TEXT.test(text);
        const hasura = {
          code: auth ? (/jwt/i.test(text) ? 'invalid-jwt' : 'access-denied') : 'connection-error',
          httpStatus: 200,
        };
        const shown = ctx.redactor.text(text);
        fail(
          auth
            ? new AiveroAuthError(`Aivero refused the WebSocket credentials: ${shown}`, hasura)
            : new AiveroApiError(`Aivero refused the WebSocket connection: ${shown}`, hasura, false),
        );
        return;
      }
      case 'data': {
        if (message.id !== OPERATION_ID) return;
        const payload = (message.payload ?? {}) as { data?: unknown; errors?: GraphQLErrorLike[] };
        if (Array.isArray(payload.errors) && payload.errors.length > 0) {
          fail(fromGraphQLErrors(payload.errors, 200, ctx.redactor, 'the session subscription'));
          return;
        }
        try {
          handlers.onRows(rowsOf(payload.data));
        } catch (err) {
          fail(err as RecorderError);
        }
        return;
      }
      case 'error': {
        const payload = message.payload;
        const errors: GraphQLErrorLike[] = Array.isArray(payload)
          ? (payload as GraphQLErrorLike[])
          : [payload && typeof payload === 'object' ? payload : { message: errorText(payload) }];
        fail(fromGraphQLErrors(errors, 200, ctx.redactor, 'the session subscription'));
        return;
      }
      case 'complete':
        fail(new ConnectionError(`Aivero at ${server} ended the subscription`));
        return;
      default:
        return; // unknown messages are ignored, as the protocol's clients do
    }
  });

  function teardown(): void {
    clearTimeout(ackTimer);
    if (socket.readyState === WebSocket.OPEN) {
      send({ id: OPERATION_ID, type: 'stop' });
      send({ type: 'connection_terminate' });
    }
    socket.terminate();
  }

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      teardown();
    },
    closed: () => socketClosed(socket),
  };
}
