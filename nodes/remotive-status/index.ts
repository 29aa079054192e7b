/**
 * remotive-status: the broker's playback status stream as messages, one per session and change
 * (see `changes.ts`). The stream re-opens on its own after a broker restart (the first list after
 * it reports what survived: sessions that are gone leave as `closed`) and after a stall (nothing
 * for a while although a session plays: a half-open connection), which shows as "stalled".
 */
import {
  checkPath,
  formatOffset,
  parseOffset,
  type PlaybackStatus,
  type RemotiveClient,
  type StreamHandle,
  type StreamState,
} from '../../src/backends/remotive';
import { ConfigError, toRecorderError, type RecorderError } from '../../src/common/errors';
import { readConfig } from '../../src/common/fields';
import {
  attachConnection,
  configNode,
  registerNode,
  translator,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../src/common/node-red';
import type { NodeStatus } from '../../src/common/node-status';
import type { Translate } from '../../src/common/status';
import { StatusChanges } from './changes';
import { FIELDS } from './fields';

const TYPE = 'remotive-status';

/** The node's own activity: what is open and playing. */
function showSessions(status: NodeStatus, open: PlaybackStatus[], t: Translate): void {
  if (open.length === 0) return status.set('connected', t('remotive-status.status.none'));
  if (open.length === 1) {
    const s = open[0];
    return status.set(s.mode === 'playing' ? 'active' : 'connected', `${s.mode} ${formatOffset(s.offsetUs)}`);
  }
  const playing = open.filter((s) => s.mode === 'playing').length;
  status.set(
    playing > 0 ? 'active' : 'connected',
    t('remotive-status.status.several', { open: open.length, playing }),
  );
}

/** Stream states → status: open shows the sessions, a stall says so, a loss is the connection's or an API error. */
function followStream(
  stream: StreamHandle,
  status: NodeStatus,
  redact: (error: RecorderError) => RecorderError,
  open: () => void,
): void {
  stream.on('state', (state: StreamState, raw?: RecorderError) => {
    const error = raw && redact(raw);
    if (state === 'open') open();
    else if (state === 'stalled') status.set('disconnected', error?.statusText ?? 'stalled');
    else if (error) status.fail(error);
  });
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<NodeDef>(RED, TYPE, (node, config, life) => {
    const values = readConfig(FIELDS, config as unknown as Record<string, unknown>, TYPE);
    const check = <T>(where: 'path' | 'length', read: () => T): T => {
      try {
        return read();
      } catch (err) {
        throw new ConfigError(`${TYPE}: ${(err as Error).message}`, where, `invalid ${FIELDS[where].label}`);
      }
    };
    if (values.path) check('path', () => checkPath(values.path, 'the session'));
    const lengthUs = values.length ? check('length', () => parseOffset(values.length)) : undefined;
    const broker = configNode<ServerNode<RemotiveClient>>(RED, values.broker, 'remotive-broker');
    const status = attachConnection(node, broker.connection, life, t);
    const changes = new StatusChanges(values.path || undefined, lengthUs);

    let stream: StreamHandle;
    try {
      // Opened on the shared client; its outcomes are recorded through `watch` below.
      stream = broker.connection.open((client) =>
        client.watchPlayback((items) => {
          for (const update of changes.next(items)) node.send({ topic: update.path, payload: update });
          showSessions(status, changes.open, t);
        }),
      );
    } catch (err) {
      // The connection can not work (configuration, credentials): its status already says so.
      status.fail(toRecorderError(err));
      return;
    }
    followStream(
      stream,
      status,
      (e) => broker.connection.redact(e),
      () => showSessions(status, changes.open, t),
    );
    life.add(broker.connection.watch(stream));
    life.add(() => stream.cancel());
  });
}
