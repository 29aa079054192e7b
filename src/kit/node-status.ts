/**
 * The one status composition every node uses. Three layers, composed here and nowhere else:
 *
 *  1. the connection (from the config node's shared connection): while it is not connected, it is
 *     what every user node shows, so one down server reads the same under all its nodes;
 *  2. a standing warning (TLS not verified, licence not valid): kept beside whatever shows while
 *     connected, never replaced by activity;
 *  3. the node's own activity (recording, playing 0:06.9, an API error in words).
 *
 * Connection-level failures of a call are left to layer 1 (the connection records them), so a node
 * never flaps between its own "unreachable" and the connection's "retrying". No Node-RED imports.
 */
import type { ConnectionSnapshot } from './connection';
import { isConnectionLevel, type RecorderError } from '../common/errors';
import { connectionStatus, status, type NodeStatusShape, type StatusKind, type Translate } from './status';

/** Where composed shapes go: a StatusView (coalescing) in the runtime, an array in tests. */
export interface StatusSink {
  show(shape: NodeStatusShape): void;
}

export function composeStatus(
  snapshot: ConnectionSnapshot | undefined,
  activity: NodeStatusShape | undefined,
  t: Translate,
  now = Date.now(),
): NodeStatusShape {
  if (!snapshot) return activity ?? status('idle', t('recorders.status.idle'));
  if (snapshot.state === 'idle' && activity) return activity;
  if (snapshot.state !== 'connected') return connectionStatus(snapshot, t, now);
  const warning = snapshot.warning;
  if (!activity)
    return warning ? status('warning', warning) : status('connected', t('recorders.status.connected'));
  if (!warning) return activity;
  const text = activity.text ? `${activity.text} · ${warning}` : warning;
  // An error stays red; anything else turns the yellow of a warning, with the activity still said.
  return status(activity.fill === 'red' ? 'error' : 'warning', text);
}

export class NodeStatus {
  private activity: NodeStatusShape | undefined;
  private snapshot: ConnectionSnapshot | undefined;

  constructor(
    private readonly sink: StatusSink,
    private readonly t: Translate,
  ) {}

  /** Layer 1: the connection changed (called by `attachConnection`). */
  connection(snapshot: ConnectionSnapshot): void {
    this.snapshot = snapshot;
    this.render();
  }

  /** Layer 3: what the node is doing now. */
  set(kind: StatusKind, text: string): void {
    this.activity = status(kind, text);
    this.render();
  }

  /** Nothing of its own to say: the connection (and warning) shows. */
  clear(): void {
    this.activity = undefined;
    this.render();
  }

  /**
   * A call failed. Its own errors (bad input, an API answer) show as the node's activity; failures
   * of the connection are shown by the connection layer, the same on every node of that server.
   */
  fail(error: RecorderError): void {
    if (this.snapshot && isConnectionLevel(error)) {
      this.activity = undefined;
    } else {
      this.activity = status('error', error.statusText);
    }
    this.render();
  }

  /** Re-compose now (a stream's rate, a countdown). */
  render(): void {
    this.sink.show(composeStatus(this.snapshot, this.activity, this.t));
  }
}
