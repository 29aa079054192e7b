/**
 * The one status composition every node uses. Three layers, composed here and nowhere else:
 *
 *  1. the connection (from the config node's shared connection): while it is not connected, it is
 *     what every user node shows, so one down server reads the same under all its nodes;
 *  2. a standing warning (TLS not verified, licence not valid): kept beside whatever shows while
 *     connected, never replaced by activity;
 *  3. the node's own activity (recording, playing 0:06.9, an API error in words).
 *
 * While the connection is not connected, layer 1 is all a node shows, so a node never flaps between
 * its own "timeout" and the connection's "retrying"; once it is connected again, a node whose last
 * call failed keeps showing that failure until a call succeeds. No Node-RED imports.
 */
import type { ConnectionSnapshot } from './connection';
import type { RecorderError, RecorderErrorCode } from '../common/errors';
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
   * A call failed, and the node shows it until a later call succeeds (`set`): its own errors (bad
   * input, an API answer) and a call that timed out or could not reach the server, even while the
   * connection's health probe passes again (the probe answering says nothing of this node's calls).
   * While the connection itself is down the connection layer shows that instead, the same on every
   * node of that server, so a node never flaps between its own "timeout" and the connection's
   * "retrying". A failure that latches the connection (refused credential, TLS, configuration) is
   * left to the connection layer alone: its re-check passing clears it on every node.
   */
  fail(error: RecorderError): void {
    if (this.snapshot && isLatching(error)) {
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

/** A failure the connection latches on (or a closing one) and shows itself (see connection.ts). */
const LATCHING: ReadonlySet<RecorderErrorCode> = new Set(['AUTH', 'TLS', 'CONFIG', 'CLOSED']);

function isLatching(error: RecorderError): boolean {
  return LATCHING.has(error.code);
}
