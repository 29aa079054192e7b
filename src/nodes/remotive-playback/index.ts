/**
 * remotive-playback: list files, open/play/pause/seek/close/repeat a recording session, or read
 * the playback status. `request.ts` plans the command from config + msg; the broker's shared
 * client performs it; this file routes results, errors and status, and (optionally) closes the
 * sessions this node opened when the flow stops.
 */
import {
  formatOffset,
  type PlaybackStatus,
  type RecordingFile,
  type RemotiveClient,
} from '../../backends/remotive';
import {
  configNode,
  onInput,
  registerNode,
  translator,
  useConnection,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import { status, type NodeStatusShape } from '../../common/status';
import { brokerStatus, type RemotiveBrokerNode } from '../remotive-broker';
import { planCommand, type PlaybackConfig, type PlannedCommand } from './request';

interface PlaybackNodeConfig extends NodeDef, PlaybackConfig {
  broker: string;
  closeOnStop: boolean;
}

/** How long closing this node's sessions may take when the flow stops. */
const CLOSE_SESSIONS_MS = 2000;

async function perform(
  client: RemotiveClient,
  command: PlannedCommand,
): Promise<PlaybackStatus | PlaybackStatus[] | RecordingFile[] | null> {
  switch (command.operation) {
    case 'list':
      return client.listFiles(command.path, { recursive: command.recursive });
    case 'open':
      return client.open(command.path, { force: command.force });
    case 'play':
      return client.play(command.path, command.offsetUs);
    case 'pause':
      return client.pause(command.path, command.offsetUs);
    case 'seek':
      return client.seek(command.path, command.offsetUs);
    case 'close':
      return client.close(command.path);
    case 'repeat':
      return client.repeat(command.path, { startUs: command.startUs, endUs: command.endUs });
    case 'status': {
      const items = await client.currentStatuses();
      if (command.path === undefined) return items;
      return items.find((s) => s.path === command.path) ?? null;
    }
  }
}

/** A short status text for the result, e.g. `playing 1:02.5`. */
function describeResult(command: PlannedCommand, result: unknown): string {
  if (command.operation === 'list') return `${(result as unknown[]).length} files`;
  if (result && typeof result === 'object' && 'mode' in result) {
    const s = result as PlaybackStatus;
    return `${s.mode} ${formatOffset(s.offsetUs)}${s.repeat ? ' ⟳' : ''}`;
  }
  if (Array.isArray(result)) return `${result.length} open`;
  return command.operation;
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<PlaybackNodeConfig>(RED, 'remotive-playback', (node, config, life) => {
    const broker = configNode<RemotiveBrokerNode>(RED, config.broker, 'remotive-broker');
    /** Sessions this node opened and has not closed: closed on stop when asked to. */
    const opened = new Set<string>();
    /** The outcome of the last command: shown while the broker is connected. */
    let lastOutcome: NodeStatusShape | undefined;
    const view = useConnection(node, broker.connection, life, t, (shape, connected) =>
      connected && lastOutcome ? lastOutcome : brokerStatus(broker, shape, connected, t),
    );
    const outcome = (shape: NodeStatusShape): void => {
      lastOutcome = shape;
      view.show(shape);
    };
    if (config.closeOnStop) {
      life.add(async () => {
        if (opened.size === 0) return;
        let client: RemotiveClient;
        try {
          client = broker.connection.client();
        } catch {
          return; // the broker connection is already gone: nothing can be closed
        }
        const closing = [...opened].map((path) => client.close(path).catch(() => undefined));
        opened.clear();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(closing),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_SESSIONS_MS);
          }),
        ]);
        clearTimeout(timer);
      });
    }

    onInput(
      node,
      async (msg, send) => {
        const command = planCommand(config, msg);
        const client = broker.connection.client();
        const started = Date.now();
        view.set('busy', command.operation);
        try {
          const result = await perform(client, command);
          broker.connection.reportSuccess();
          if (command.operation === 'open') opened.add(command.path);
          if (command.operation === 'close') opened.delete(command.path);
          msg.payload = result;
          msg.remotive = {
            operation: command.operation,
            ...('path' in command && command.path !== undefined ? { path: command.path } : {}),
            ...('offsetUs' in command && command.offsetUs !== undefined
              ? { offsetUs: command.offsetUs }
              : {}),
            ...('startUs' in command && command.startUs !== undefined ? { startUs: command.startUs } : {}),
            ...('endUs' in command && command.endUs !== undefined ? { endUs: command.endUs } : {}),
            broker: broker.address,
            durationMs: Date.now() - started,
          };
          const mode = (result as PlaybackStatus | null)?.mode;
          outcome(status(mode === 'playing' ? 'active' : 'connected', describeResult(command, result)));
          send(msg);
        } catch (err) {
          broker.connection.reportFailure(err);
          throw err;
        }
      },
      (error) => outcome(status('error', error.statusText)),
    );
  });
}
