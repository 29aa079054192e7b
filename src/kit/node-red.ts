/**
 * Typed wrappers around the Node-RED runtime API: the only file in `src/kit/` that knows Node-RED
 * types. Every node is written against these so that send/done discipline, error routing to Catch
 * nodes, status and close are the same everywhere.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ConnectionManager, type ConnectionOptions, type Transport } from './connection';
import { Disposer } from './disposer';
import {
  checkCopy,
  MAX_COPY_DEPTH,
  structuredParts,
  withPartsLeftOut,
  type LeftOut,
} from '../common/copyable';
import { ConfigError, RecorderError, toRecorderError } from '../common/errors';
import { NodeStatus } from './node-status';
import { status, type NodeStatusShape, type StatusKind, type Translate } from './status';

export type RED = NodeAPI;
export type { Node, NodeDef };
/** An incoming message: Node-RED's shape plus any property a flow may have set. */
export type Msg = NodeMessageInFlow & Record<string, unknown>;
export type OutMsg = NodeMessage & Record<string, unknown>;
export type Send = (msg: OutMsg | Array<OutMsg | OutMsg[] | null>) => void;
export type Done = (err?: Error) => void;

/** Credential declarations, shared by the runtime registration and the editor definition. */
export type CredentialSpec = Record<string, { type: 'text' | 'password' }>;

/**
 * Register one node type. `setup` runs after `createNode` with a disposer that `close` drains;
 * `close` finishes within `closeTimeoutMs`, well inside Node-RED's 15 s.
 */
export function registerNode<TConfig extends NodeDef>(
  RED: RED,
  type: string,
  setup: (node: Node, config: TConfig, life: Disposer) => void,
  options: { credentials?: CredentialSpec; closeTimeoutMs?: number } = {},
): void {
  function Constructor(this: Node, config: TConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const life = new Disposer();
    node.on('close', (removed: boolean, done: () => void) => {
      life.removed = removed;
      life.dispose(options.closeTimeoutMs ?? 5000).then(done, done);
    });
    try {
      setup(node, config, life);
    } catch (err) {
      // A node that can not start still answers every message: with this error, so a Catch node
      // sees it and the message is never silently lost.
      const error = toRecorderError(err);
      node.status(status('error', error.statusText));
      node.error(error.message);
      node.removeAllListeners('input');
      node.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => settle(node, done, error, msg));
    }
  }
  RED.nodes.registerType(type, Constructor as unknown as Parameters<RED['nodes']['registerType']>[1], {
    credentials: options.credentials,
  });
}

/**
 * The input handler every action node uses: `handler` may throw or reject; the wrapper settles the
 * message once (its promise settles once) with `done()` or `done(err)`, so Catch nodes receive the
 * error with the original msg, and a rejection never escapes into the runtime.
 */
export function onInput(
  node: Node,
  handler: (msg: Msg, send: Send) => Promise<void>,
  onError?: (error: RecorderError, msg: Msg) => void,
): void {
  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
    const m = msg as Msg;
    let handled: Promise<void>;
    try {
      handled = handler(m, send);
    } catch (err) {
      // A handler that throws before its first await (not an async function) fails the same way.
      handled = Promise.reject(err);
    }
    handled.then(
      () => settle(node, done, undefined, m),
      (err: unknown) => {
        const error = toRecorderError(err);
        try {
          onError?.(error, m);
        } catch {
          // a status update must not keep the error from its Catch node
        }
        settle(node, done, error, m);
      },
    );
  });
}

/**
 * `done()` / `done(err)` with Node-RED's own failures contained. The runtime deep-copies the message
 * for each Catch and Complete node, recursively: a message nested thousands of levels deep (a JSON
 * payload from MQTT can be) overflows the stack there, and a getter or proxy that throws throws
 * there; the message would reach no Catch node, and the exception would escape. So the parts such a
 * copy fails on are handed to the runtime as a note saying why they are left out (the message itself
 * is put back as it was right after): first those a quick bounded look finds, then, should the copy
 * still fail, those a thorough look finds, and last every structured part. The Catch or Complete node
 * always gets the message, `_msgid`, topic and the plain values included; only a message that can
 * not be changed at all (frozen) is logged instead.
 */
function settle(node: Node, done: Done, error: Error | undefined, msg: Msg | undefined): void {
  const message = msg !== null && typeof msg === 'object' ? msg : undefined;
  const settleWith = (parts: readonly LeftOut[]): unknown => {
    let failure: unknown = new Error('the message could not be changed');
    if (!message || parts.length === 0) return attempt(() => done(error));
    withPartsLeftOut(message, parts, () => {
      failure = attempt(() => done(error));
    });
    return failure;
  };
  let failure = settleWith(message ? checkCopy(message, QUICK_COPY_CHECK).parts : []);
  if (failure !== undefined && message)
    failure = settleWith(checkCopy(message, 200_000, 1_000_000, true).parts);
  if (failure !== undefined && message) failure = settleWith(structuredParts(message));
  if (failure === undefined) return;
  const reason = toRecorderError(failure).message;
  try {
    node.error(error ? `${error.message} (the message could not be passed on: ${reason})` : reason);
  } catch {
    // nothing left to tell
  }
}

/**
 * Values looked at per property before every message is settled (ten times that in all): a usual
 * message has a few dozen, and a value nested too deep shows within MAX_COPY_DEPTH of them. What is
 * larger is not looked through first; its copy is tried as it is.
 */
const QUICK_COPY_CHECK = 2 * MAX_COPY_DEPTH;

/** What `fn` threw, or undefined. */
function attempt(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (thrown) {
    return thrown ?? new Error('failed');
  }
}

/** A translator bound to the node's catalog. Under the test helper, `RED._` returns the key. */
export function translator(RED: RED): Translate {
  return (key, substitutions) => {
    const text = RED._(key, substitutions);
    if (text !== key || !substitutions) return text;
    // No catalog loaded (tests): keep the values visible so status stays meaningful.
    return `${key} ${Object.values(substitutions).join(' ')}`;
  };
}

/**
 * A node's status, written sparingly: repeats are skipped and bursts coalesced to at most one update
 * per `minIntervalMs`, the latest always shown (trailing edge). At thousands of messages per second
 * a status per message would cost more than the work itself and flood the editor.
 */
export class StatusView {
  private shown = '';
  private pending: NodeStatusShape | undefined;
  private lastAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: Node,
    life: Disposer,
    private readonly minIntervalMs = 100,
  ) {
    life.add(() => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.pending = undefined;
    });
  }

  show(shape: NodeStatusShape): void {
    const key = `${shape.fill}|${shape.shape}|${shape.text}`;
    if (key === this.shown && !this.pending) return;
    const now = Date.now();
    if (now - this.lastAt >= this.minIntervalMs && !this.timer) {
      this.write(shape, key, now);
      return;
    }
    this.pending = shape;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const next = this.pending;
      this.pending = undefined;
      if (next) this.write(next, `${next.fill}|${next.shape}|${next.text}`, Date.now());
    }, this.minIntervalMs);
  }

  set(kind: StatusKind, text: string): void {
    this.show(status(kind, text));
  }

  /** Clear at once (close): no coalescing. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.shown = '';
    this.node.status({});
  }

  private write(shape: NodeStatusShape, key: string, now: number): void {
    if (key === this.shown) return;
    this.shown = key;
    this.lastAt = now;
    this.node.status(shape);
  }
}

/**
 * What a user node sees of a server config node (motif-server, remotive-broker, aivero-server):
 * declared here so that user node folders never import a config node's folder.
 */
export interface ServerNode<C> extends Node {
  connection: ConnectionManager<C>;
  /** host:port, for msg metadata and errors (never a credential). */
  address: string;
  /**
   * A separate client with this server's settings, for work that must finish while the shared
   * connection is closing (a removed node deleting what it made). The caller closes it.
   */
  openClient(): C;
}

/**
 * Look up a config node by id and check its type, with a clear error when it is missing or of
 * another type (a hand-edited flow, an id that collides).
 */
export function configNode<T>(RED: RED, id: string | undefined, type: string): T {
  const found = id ? (RED.nodes.getNode(id) as unknown as (Node & { type?: string }) | null) : null;
  if (!found) throw new ConfigError(`no ${type} is configured for this node`, type);
  if (found.type !== type)
    throw new ConfigError(`the configured ${type} is a ${String(found.type)} node`, type);
  return found as unknown as T;
}

/**
 * A user node's side of its config node's connection: counted as a user while it runs, its status
 * composed from the connection, the standing warning and its own activity (`NodeStatus`), released
 * on close. Every user node, action or stream, goes through here.
 */
export function attachConnection<C>(
  node: Node,
  manager: ConnectionManager<C>,
  life: Disposer,
  t: Translate,
  minIntervalMs = 100,
): NodeStatus {
  const view = new StatusView(node, life, minIntervalMs);
  const node_status = new NodeStatus(view, t);
  life.on(manager, 'state', () => node_status.connection(manager.snapshot));
  manager.acquire(node.id);
  node_status.connection(manager.snapshot);
  // Last words before the node goes: never leave a stale "connected" behind.
  life.add(() => view.clear());
  life.add(() => manager.release(node.id, life.removed));
  return node_status;
}

/** A status for a node without a connection (schedules), composed the same way. */
export function ownStatus(node: Node, life: Disposer, t: Translate, minIntervalMs = 100): NodeStatus {
  const view = new StatusView(node, life, minIntervalMs);
  life.add(() => view.clear());
  return new NodeStatus(view, t);
}

/**
 * A config node's connection: one per config node, closed when the node goes, after its users have
 * left (within a bound), the same way for every config node.
 */
export function ownConnection<C>(
  life: Disposer,
  transport: Transport<C>,
  options?: ConnectionOptions & { usersLeaveMs?: number },
): ConnectionManager<C> {
  const manager = new ConnectionManager(transport, options);
  life.add(() => manager.closeAfterUsers(options?.usersLeaveMs ?? 2500));
  return manager;
}
