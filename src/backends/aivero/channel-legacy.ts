/**
 * The live query over the legacy Apollo protocol (`subscriptions-transport-ws`, subprotocol
 * `graphql-ws`), which Hasura speaks when a client names no subprotocol. Written by hand on
 * undici's WebSocket (`ws-socket.ts`):
 *
 *   → connection_init {payload: {headers}}   ← connection_ack | connection_error {payload}
 *   → start {id, payload: {query, variables}} ← data {id, payload: {data, errors}} | error | complete
 *   ← ka (keep-alive)                         → stop {id}, connection_terminate
 *
 * The protocol has no client ping: the server's `ka` (Hasura: every 5 s) shows it is there, and
 * when nothing at all arrives for a while a cheap one-off query (`__typename`) asks it to answer.
 * Silence beyond the stall limit ends the channel as stalled.
 */
import { WebSocket } from 'undici';
import { ConnectionError, TimeoutError, type RecorderError } from '../../common/errors';
import {
  AiveroApiError,
  AiveroAuthError,
  CREDENTIAL_TEXT,
  fromGraphQLErrors,
  type GraphQLErrorLike,
} from './errors';
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
import { prepareLine } from './ws-socket';

export const LEGACY_WS = 'graphql-ws';
const OPERATION_ID = '1';
/** One-off queries that only prove the server answers; their ids never clash with the subscription's. */
const PROBE_QUERY = 'query AiveroProbe { __typename }';
const PROBE_PREFIX = 'probe-';
// A refused credential only: a refusal of one operation ("access-denied", "forbidden") is not one.
const AUTH_TEXT = CREDENTIAL_TEXT;

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

function isProbe(id: unknown): boolean {
  return typeof id === 'string' && id.startsWith(PROBE_PREFIX);
}

export function openLegacyWs(ctx: ChannelContext, handlers: ChannelHandlers): Channel {
  const server = ctx.config.endpoint.server;
  const prepared = prepareLine(ctx.config, ctx.connectTimeoutMs);
  const line = prepared.attach(
    new WebSocket(ctx.config.endpoint.ws, { protocols: [LEGACY_WS], ...prepared.init }),
  );
  const socket = line.socket;
  let opened = false;
  let acknowledged = false;
  let stopped = false;
  let ackTimer: NodeJS.Timeout | undefined;
  let probes = 0;

  const send = (message: Record<string, unknown>): void => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const fail = (error: RecorderError, unsupported = false): void => {
    if (stopped) return;
    stopped = true;
    teardown();
    handlers.onFailure(error, unsupported);
  };

  const silence = new SilenceWatch(
    ctx.stallMs,
    () => send({ id: `${PROBE_PREFIX}${++probes}`, type: 'start', payload: { query: PROBE_QUERY } }),
    (error) => fail(error),
  );

  socket.addEventListener('error', () => {
    if (!opened) {
      const failure = handshakeFailure(line.trace, LEGACY_WS, ctx);
      fail(failure.error, failure.unsupported);
    }
    // After open, 'close' follows and reports the loss.
  });

  socket.addEventListener('open', () => {
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

  socket.addEventListener('close', ({ code, reason: text }) => {
    if (line.trace.tooLarge) fail(tooLargeError(ctx));
    else if (!opened) {
      const failure = handshakeFailure(line.trace, LEGACY_WS, ctx);
      fail(failure.error, failure.unsupported);
    } else if (!acknowledged) {
      const failure = earlyClose(code, text, LEGACY_WS, ctx);
      fail(failure.error, failure.unsupported);
    } else {
      fail(lateClose(code, text, ctx));
    }
  });

  socket.addEventListener('message', ({ data }: { data: unknown }) => {
    if (stopped) return;
    silence.heard();
    let message: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      const text = typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
      message = JSON.parse(text) as typeof message;
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
        silence.start();
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
        silence.result();
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
        if (isProbe(message.id)) return; // the server answered: that was all a probe asked
        const payload = message.payload;
        const errors: GraphQLErrorLike[] = Array.isArray(payload)
          ? (payload as GraphQLErrorLike[])
          : [payload && typeof payload === 'object' ? payload : { message: errorText(payload) }];
        fail(fromGraphQLErrors(errors, 200, ctx.redactor, 'the session subscription'));
        return;
      }
      case 'complete':
        if (isProbe(message.id)) return;
        fail(new ConnectionError(`Aivero at ${server} ended the subscription`));
        return;
      default:
        return; // unknown messages are ignored, as the protocol's clients do
    }
  });

  function teardown(): void {
    clearTimeout(ackTimer);
    silence.stop();
    if (socket.readyState === WebSocket.OPEN) {
      send({ id: OPERATION_ID, type: 'stop' });
      send({ type: 'connection_terminate' });
    }
    line.terminate();
  }

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      teardown();
    },
    closed: () => line.closed(),
  };
}
