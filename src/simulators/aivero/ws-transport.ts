/**
 * The `graphql-transport-ws` protocol (npm graphql-ws), served by graphql-ws' own `useServer`.
 * Queries and mutations run once; subscriptions are live queries (live-query.ts).
 */
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { Session } from './auth';
import { toHasuraError, type HasuraError } from './errors';
import type { Prepared } from './execute';
import { LiveQuery, type LiveResult } from './live-query';
import { JWT_EXPIRED, sessionFor, watchExpiry, type WsEnvironment } from './ws-common';

/** Operations one socket may run at once (each live query costs a query per interval). */
const MAX_OPERATIONS = 200;

interface OpContext {
  prepared: Prepared;
}

function asGraphQLError(err: HasuraError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { path: err.path, code: err.code } });
}

/** An async generator fed by a live query; `return()` (client `complete`, socket closed) stops it. */
function liveIterator(env: WsEnvironment, prepared: Prepared): AsyncGenerator<ExecutionResult> {
  const queue: ExecutionResult[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const q = new LiveQuery(
    env.executor,
    prepared,
    env.refetchMs,
    (r: LiveResult) => {
      queue.push(
        'errors' in r
          ? { errors: r.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions })) }
          : r,
      );
      wake?.();
    },
    (stopped) => {
      env.liveQueries.delete(stopped);
      wake?.();
    },
  );
  env.liveQueries.add(q);
  q.start();
  const finish = (): IteratorResult<ExecutionResult> => {
    done = true;
    q.stop();
    return { value: undefined, done: true };
  };
  const it: AsyncGenerator<ExecutionResult> = {
    async next() {
      for (;;) {
        if (done) return { value: undefined, done: true };
        const r = queue.shift();
        if (r) return { value: r, done: false };
        if (q.isStopped) return finish();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    return() {
      return Promise.resolve(finish());
    },
    throw(err: unknown) {
      finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

export function serveTransportWs(wss: WebSocketServer, env: WsEnvironment): Disposable {
  const sessions = new WeakMap<object, Session>();
  return useServer<Record<string, unknown> | undefined>(
    {
      onConnect: (ctx) => {
        try {
          const session = sessionFor(env, ctx.extra.request, ctx.connectionParams);
          sessions.set(ctx.extra.socket, session);
          const socket = ctx.extra.socket;
          const cancel = watchExpiry(env, session, () => socket.close(4400, JWT_EXPIRED));
          socket.once('close', cancel);
          return true;
        } catch (err) {
          const e = toHasuraError(err);
          // Hasura closes with 4400 and the reason (graphql-ws would say only "Forbidden").
          ctx.extra.socket.close(4400, e.message.slice(0, 120));
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const session = sessions.get(ctx.extra.socket);
        if (!session)
          return [new GraphQLError('not initialised', { extensions: { code: 'start-failed', path: '$' } })];
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS)
          return [
            new GraphQLError('too many operations', { extensions: { code: 'start-failed', path: '$' } }),
          ];
        try {
          const prepared = env.executor.prepare(session.role, {
            query: payload.query,
            variables: payload.variables ?? {},
            operationName: payload.operationName ?? undefined,
          });
          const args: ExecutionArgs = {
            schema: prepared.schema,
            document: prepared.document,
            operationName: payload.operationName ?? undefined,
            variableValues: payload.variables ?? {},
            contextValue: { prepared } satisfies OpContext,
          };
          return args;
        } catch (err) {
          return [asGraphQLError(toHasuraError(err))];
        }
      },
      execute: async (args) => {
        const { prepared } = args.contextValue as OpContext;
        try {
          return await env.executor.runOnce(prepared);
        } catch (err) {
          return { errors: [asGraphQLError(toHasuraError(err))] };
        }
      },
      subscribe: (args) => {
        const { prepared } = args.contextValue as OpContext;
        return liveIterator(env, prepared);
      },
    },
    wss,
  );
}
