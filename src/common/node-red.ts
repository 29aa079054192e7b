/**
 * Typed wrappers around the Node-RED runtime API: the only file in `common/` that knows Node-RED
 * types. Every node is written against these so that send/done discipline, error routing to Catch
 * nodes, status and close are the same everywhere.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ConnectionManager } from './connection';
import { Disposer } from './disposer';
import { RecorderError, toRecorderError } from './errors';
import { connectionStatus, status, type NodeStatusShape, type StatusKind, type Translate } from './status';

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
    const node = this as Node;
    const life = new Disposer();
    node.on('close', (removed: boolean, done: () => void) => {
      life.removed = removed;
      life.dispose(options.closeTimeoutMs ?? 5000).then(done, done);
    });
    try {
      setup(node, config, life);
    } catch (err) {
      const error = toRecorderError(err);
      node.status(status('error', error.statusText));
      node.error(error.message);
    }
  }
  RED.nodes.registerType(type, Constructor as unknown as Parameters<RED['nodes']['registerType']>[1], {
    credentials: options.credentials,
  });
}

/**
 * The input handler every action node uses: `handler` may throw or reject; the wrapper calls
 * `done()` or `done(err)` exactly once, so Catch nodes receive the error with the original msg,
 * and a rejection never escapes into the runtime.
 */
export function onInput(
  node: Node,
  handler: (msg: Msg, send: Send) => Promise<void>,
  onError?: (error: RecorderError, msg: Msg) => void,
): void {
  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
    const m = msg as Msg;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      done(err);
    };
    Promise.resolve()
      .then(() => handler(m, send))
      .then(
        () => finish(),
        (err: unknown) => {
          const error = toRecorderError(err);
          try {
            onError?.(error, m);
          } finally {
            finish(error);
          }
        },
      );
  });
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
 * Register a user node with its config node's connection, mirror the connection state in the
 * node's status, and release on close. `onState` may replace the default status (for nodes that
 * show their own activity while connected).
 */
export function useConnection<C>(
  node: Node,
  manager: ConnectionManager<C>,
  life: Disposer,
  t: Translate,
  onState?: (shape: NodeStatusShape, connected: boolean) => NodeStatusShape | undefined,
): StatusView {
  const view = new StatusView(node, life);
  const show = (): void => {
    const snap = manager.snapshot;
    const shape = connectionStatus(snap, t);
    view.show(onState?.(shape, snap.state === 'connected') ?? shape);
  };
  life.on(manager, 'state', show);
  manager.acquire(node.id);
  show();
  // Last words before the node goes: never leave a stale "connected" behind.
  life.add(() => view.clear());
  life.add(() => manager.release(node.id, life.removed));
  return view;
}

/** Look up a config node by id and check its type, with a clear error when it is missing. */
export function configNode<T>(RED: RED, id: string | undefined, what: string): T {
  const found = id ? (RED.nodes.getNode(id) as unknown as T | null) : null;
  if (!found) throw new RecorderError('CONFIG', `no ${what} is configured for this node`, 'not configured');
  return found;
}
