/**
 * The legacy Apollo `graphql-ws` protocol (subscriptions-transport-ws), written here on `ws`: what
 * Hasura speaks when the client names that subprotocol or none at all.
 * Client: connection_init, start, stop, connection_terminate. Server: connection_ack, ka,
 * connection_error (payload: the message string), data, error (payload: one Hasura error), complete.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Session } from './auth';
import { HasuraError, toHasuraError } from './errors';
import { readRequest } from './execute';
import { LiveQuery } from './live-query';
import { JWT_EXPIRED, sessionFor, watchExpiry, type WsEnvironment } from './ws-common';

const MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_OPERATIONS = 200;
const MAX_ID_CHARS = 200;

type ClientMessage = { type?: unknown; id?: unknown; payload?: unknown };

export function serveLegacy(socket: WebSocket, request: IncomingMessage, env: WsEnvironment): void {
  let session: Session | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  /** Running operations by id: a live query, or 'once' for a query/mutation in flight. */
  const ops = new Map<string, LiveQuery | 'once'>();

  const send = (msg: Record<string, unknown>): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
  };
  const sendError = (id: string, err: HasuraError): void =>
    send({ type: 'error', id, payload: err.toJSON() });
  const connectionError = (message: string): void => send({ type: 'connection_error', payload: message });

  let cancelExpiry = (): void => undefined;
  const cleanup = (): void => {
    cancelExpiry();
    if (keepAlive) clearInterval(keepAlive);
    keepAlive = undefined;
    for (const op of ops.values()) if (op !== 'once') op.stop();
    ops.clear();
  };
  socket.on('close', cleanup);
  socket.on('error', () => socket.terminate());

  const start = (id: string, payload: unknown): void => {
    if (!session) return sendError(id, new HasuraError('start-failed', 'connection is not initialised yet'));
    if (ops.has(id))
      return sendError(
        id,
        new HasuraError('start-failed', `an operation already exists with this id: ${id}`),
      );
    if (ops.size >= MAX_OPERATIONS)
      return sendError(id, new HasuraError('start-failed', 'too many operations'));
    let prepared;
    try {
      prepared = env.executor.prepare(session.role, readRequest(payload));
    } catch (err) {
      return sendError(id, toHasuraError(err));
    }
    if (prepared.operation.operation !== 'subscription') {
      ops.set(id, 'once');
      env.executor.runOnce(prepared).then(
        (result) => {
          if (ops.get(id) !== 'once') return;
          ops.delete(id);
          send({ type: 'data', id, payload: result });
          send({ type: 'complete', id });
        },
        (err: unknown) => {
          if (ops.get(id) !== 'once') return;
          ops.delete(id);
          sendError(id, toHasuraError(err));
        },
      );
      return;
    }
    const q = new LiveQuery(
      env.executor,
      prepared,
      env.refetchMs,
      (result) => {
        if ('errors' in result) send({ type: 'error', id, payload: result.errors[0] });
        else send({ type: 'data', id, payload: result });
      },
      (stopped) => {
        env.liveQueries.delete(stopped);
        if (ops.get(id) === stopped) ops.delete(id);
      },
    );
    ops.set(id, q);
    env.liveQueries.add(q);
    q.start();
  };

  socket.on('message', (raw: Buffer, isBinary: boolean) => {
    if (isBinary || raw.length > MAX_MESSAGE_BYTES)
      return connectionError('parsing ClientMessage failed: not a text message');
    let msg: ClientMessage;
    try {
      const v: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      msg = v;
    } catch {
      return connectionError('parsing ClientMessage failed: not a valid json object');
    }
    const id =
      typeof msg.id === 'string' || typeof msg.id === 'number'
        ? String(msg.id).slice(0, MAX_ID_CHARS)
        : undefined;
    switch (msg.type) {
      case 'connection_init': {
        try {
          session = sessionFor(env, request, msg.payload);
        } catch (err) {
          connectionError(toHasuraError(err).message);
          // Hasura drops the connection after a failed init; a client retries with new credentials.
          socket.close(1000, 'connection_error');
          return;
        }
        cancelExpiry();
        cancelExpiry = watchExpiry(env, session, () => {
          connectionError(JWT_EXPIRED);
          socket.close(1000, 'JWT expired');
        });
        send({ type: 'connection_ack' });
        send({ type: 'ka' });
        keepAlive ??= setInterval(() => send({ type: 'ka' }), env.keepAliveMs);
        return;
      }
      case 'start':
        if (id === undefined) return connectionError('parsing ClientMessage failed: start without an id');
        return start(id, msg.payload);
      case 'stop': {
        if (id === undefined) return;
        const op = ops.get(id);
        ops.delete(id);
        if (op && op !== 'once') op.stop();
        if (op) send({ type: 'complete', id });
        return;
      }
      case 'connection_terminate':
        cleanup();
        socket.close(1000, 'connection terminated');
        return;
      default:
        return connectionError('parsing ClientMessage failed: unknown message type');
    }
  });
}
