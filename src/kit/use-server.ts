/**
 * A user node's side of its config node, as the kit gives it: the server node (type checked), the
 * node's layered status attached to the server's connection, and one abort signal that the node's
 * close fires, which every call under way listens on.
 */
import { setMaxListeners } from 'node:events';
import type { FieldTable } from './fields';
import { attachConnection, configNode, type ServerNode } from './node-red';
import type { NodeStatus } from './node-status';
import type { NodeContext } from './define-node';

/** The config node types and the client each one shares. */
export type ServerType = 'motif-server' | 'remotive-broker' | 'aivero-server';

export interface Served<C> {
  server: ServerNode<C>;
  status: NodeStatus;
  /** Aborted when the node closes. */
  signal: AbortSignal;
}

export function useServer<T extends FieldTable, C>(
  ctx: NodeContext<T>,
  field: keyof T & string,
  type: ServerType,
): Served<C> {
  const id = (ctx.values as Record<string, unknown>)[field];
  const server = configNode<ServerNode<C>>(ctx.RED, typeof id === 'string' ? id : undefined, type);
  const abort = new AbortController();
  // Every call under way listens on this one signal (close cancels them all): no listener cap.
  setMaxListeners(0, abort.signal);
  ctx.life.add(() => abort.abort());
  const status = attachConnection(ctx.node, server.connection, ctx.life, ctx.t);
  return { server, status, signal: abort.signal };
}
