/**
 * remotive-status: the broker's playback status stream as messages, one per session and change
 * (see `changes.ts`). The stream re-opens on its own after a broker restart; the first list after
 * it reports what survived (sessions that are gone leave as `closed`).
 */
import { formatOffset, parseOffset, type StreamHandle } from '../../backends/remotive';
import { ConfigError, toRecorderError } from '../../common/errors';
import {
  configNode,
  registerNode,
  translator,
  useConnection,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import { status, type NodeStatusShape } from '../../common/status';
import { brokerStatus, licenceWarning, type RemotiveBrokerNode } from '../remotive-broker';
import { StatusChanges } from './changes';

interface StatusNodeConfig extends NodeDef {
  broker: string;
  path: string;
  length: string;
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<StatusNodeConfig>(RED, 'remotive-status', (node, config, life) => {
    const broker = configNode<RemotiveBrokerNode>(RED, config.broker, 'remotive-broker');
    let lengthUs: number | undefined;
    try {
      lengthUs = config.length?.trim() ? parseOffset(config.length) : undefined;
    } catch (err) {
      throw new ConfigError(`recording length: ${(err as Error).message}`);
    }
    const changes = new StatusChanges(config.path?.trim() || undefined, lengthUs);
    let streamOpen = false;

    const activity = (): NodeStatusShape => {
      const open = changes.open;
      if (open.length === 0) return status('connected', t('remotive-status.status.none'));
      const playing = open.filter((s) => s.mode === 'playing');
      if (open.length === 1) {
        const s = open[0];
        return status(s.mode === 'playing' ? 'active' : 'connected', `${s.mode} ${formatOffset(s.offsetUs)}`);
      }
      return status(
        playing.length > 0 ? 'active' : 'connected',
        t('remotive-status.status.several', { open: open.length, playing: playing.length }),
      );
    };
    const decide = (shape: NodeStatusShape, connected: boolean): NodeStatusShape =>
      connected && streamOpen
        ? (licenceWarning(broker, t) ?? activity())
        : brokerStatus(broker, shape, connected, t);
    const view = useConnection(node, broker.connection, life, t, decide);
    const refresh = (): void => {
      const connected = broker.connection.state === 'connected';
      if (connected && streamOpen) view.show(licenceWarning(broker, t) ?? activity());
    };

    let handle: StreamHandle;
    try {
      handle = broker.connection.client().watchPlayback(
        (items) => {
          for (const update of changes.next(items)) node.send({ topic: update.path, payload: update });
          refresh();
        },
        (state, error) => {
          streamOpen = state === 'open';
          if (streamOpen) broker.connection.reportSuccess();
          else if (error) broker.connection.reportFailure(error);
          if (state === 'stalled' && error) view.set('disconnected', error.statusText);
          refresh();
        },
      );
    } catch (err) {
      const error = toRecorderError(err);
      view.set('error', error.statusText);
      node.error(error.message);
      return;
    }
    life.add(() => handle.cancel());
  });
}
