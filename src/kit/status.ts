/**
 * The package's one status table. Every node maps its state through these helpers so that colours
 * mean the same thing everywhere:
 *
 * | kind        | look         | meaning                                   |
 * |-------------|--------------|-------------------------------------------|
 * | idle        | grey dot     | idle / closed / nothing configured        |
 * | connecting  | yellow ring  | connecting, waiting for the server        |
 * | busy        | yellow dot   | a call or wait is under way               |
 * | connected   | green dot    | connected, last call fine                 |
 * | active      | green ring   | recording, playing, streaming             |
 * | scheduled   | blue dot     | next firing shown                         |
 * | warning     | yellow ring  | working, but something needs attention    |
 * | disconnected| red ring     | not reachable, retrying                   |
 * | error       | red dot      | the last call failed                      |
 */
import type { ConnectionSnapshot } from './connection';

export type StatusKind =
  | 'idle'
  | 'connecting'
  | 'busy'
  | 'connected'
  | 'active'
  | 'scheduled'
  | 'warning'
  | 'disconnected'
  | 'error';

export interface NodeStatusShape {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

const LOOK: Record<StatusKind, Required<Omit<NodeStatusShape, 'text'>>> = {
  idle: { fill: 'grey', shape: 'dot' },
  connecting: { fill: 'yellow', shape: 'ring' },
  busy: { fill: 'yellow', shape: 'dot' },
  connected: { fill: 'green', shape: 'dot' },
  active: { fill: 'green', shape: 'ring' },
  scheduled: { fill: 'blue', shape: 'dot' },
  warning: { fill: 'yellow', shape: 'ring' },
  disconnected: { fill: 'red', shape: 'ring' },
  error: { fill: 'red', shape: 'dot' },
};

/** Status texts are kept short: Node-RED draws them under the node. Room for activity + warning. */
export const MAX_STATUS_TEXT = 48;

export function status(kind: StatusKind, text: string): NodeStatusShape {
  const look = LOOK[kind];
  // A literal, not a spread plus a property: this runs per message on busy nodes.
  return {
    fill: look.fill,
    shape: look.shape,
    text: text.length > MAX_STATUS_TEXT ? `${text.slice(0, MAX_STATUS_TEXT - 1)}…` : text,
  };
}

/** Catalog keys for the shared status words (merged into every node's catalog by the build). */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/** The status a user node shows for its config node's connection. */
export function connectionStatus(
  snapshot: ConnectionSnapshot,
  t: Translate,
  now = Date.now(),
): NodeStatusShape {
  switch (snapshot.state) {
    case 'idle':
      return status('idle', t('recorders.status.idle'));
    case 'connecting':
      return status('connecting', t('recorders.status.connecting'));
    case 'connected':
      return snapshot.warning
        ? status('warning', snapshot.warning)
        : status('connected', t('recorders.status.connected'));
    case 'backoff': {
      const seconds = Math.max(0, Math.ceil(((snapshot.nextRetryAt ?? now) - now) / 1000));
      const reason = snapshot.error?.statusText ?? t('recorders.status.disconnected');
      return status('disconnected', t('recorders.status.retrying', { reason, seconds }));
    }
    case 'failed': {
      const reason = snapshot.error?.statusText ?? t('recorders.status.error');
      if (snapshot.nextRetryAt === undefined) return status('error', reason);
      // Latched, with a re-check of the credential (or TLS) planned.
      const seconds = Math.max(0, Math.ceil((snapshot.nextRetryAt - now) / 1000));
      return status('error', t('recorders.status.retrying', { reason, seconds }));
    }
    case 'closing':
    case 'closed':
      return status('idle', t('recorders.status.closed'));
  }
}
