/**
 * remotive-playback: list files, open/play/pause/seek/close/repeat a recording session, or read
 * the playback status. `request.ts` plans the command from config + msg; the broker's shared
 * connection runs it; this file routes results, errors and status, and (optionally) closes the
 * sessions this node opened when the flow stops.
 */
import {
  formatOffset,
  reasonOf,
  shown,
  type PlaybackStatus,
  type RecordingFile,
  type RemotiveClient,
} from '../../backends/remotive';
import { isConnectionLevel, RecorderError, toRecorderError } from '../../common/errors';
import { readConfig } from '../../common/fields';
import {
  attachConnection,
  configNode,
  onInput,
  registerNode,
  translator,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../common/node-red';
import { FIELDS } from './fields';
import { planCommand, preparePlan, type PlannedCommand } from './request';

const TYPE = 'remotive-playback';

/** How long closing this node's sessions may take when the flow stops. */
const CLOSE_SESSIONS_MS = 2000;

type Result = PlaybackStatus | PlaybackStatus[] | RecordingFile[] | null;

async function perform(client: RemotiveClient, command: PlannedCommand): Promise<Result> {
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

/** The command as a user reads it in an error: `play "drive/a.recordingsession.yaml"`. */
function describeCommand(command: PlannedCommand): string {
  if (command.operation === 'list') return `list files in ${shown(command.path)}`;
  if (command.operation === 'status') return 'playback status';
  return `${command.operation} ${shown(command.path)}`;
}

/** A short status text for the result, e.g. `playing 1:02.5`. */
function describeResult(command: PlannedCommand, result: Result): string {
  if (command.operation === 'list') return `${(result as unknown[]).length} files`;
  if (Array.isArray(result)) return `${result.length} open`;
  if (result && 'mode' in result)
    return `${result.mode} ${formatOffset(result.offsetUs)}${result.repeat ? ' ⟳' : ''}`;
  return command.operation;
}

/**
 * The error of a command that was never sent because the connection has failed: said about this
 * command, not the call that broke the connection (another node's subscription, the licence check).
 */
function notSent(command: PlannedCommand, error: RecorderError): RecorderError {
  return new RecorderError(
    error.code,
    `${describeCommand(command)}: not sent, the connection to the broker has failed: ${reasonOf(error)}`,
    error.statusText,
  );
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<NodeDef>(RED, TYPE, (node, config, life) => {
    const plan = preparePlan(readConfig(FIELDS, config as unknown as Record<string, unknown>, TYPE), TYPE);
    const broker = configNode<ServerNode<RemotiveClient>>(RED, plan.values.broker, 'remotive-broker');
    const status = attachConnection(node, broker.connection, life, t);
    /** Sessions this node opened and has not closed: closed on stop when asked to. */
    const opened = new Set<string>();

    if (plan.values.closeOnStop) {
      // Added after attachConnection, so it runs first on close: the broker waits for its users.
      life.add(async () => {
        if (opened.size === 0) return;
        const closing = [...opened].map((path) =>
          broker.connection
            .run((client) => client.close(path))
            .catch((err: unknown) =>
              node.warn(`could not close a session on stop: ${toRecorderError(err).message}`),
            ),
        );
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
        const command = planCommand(plan, msg);
        const started = Date.now();
        status.set('busy', command.operation);
        let sent = false;
        let result: Result;
        try {
          result = await broker.connection.run((client) => {
            sent = true;
            return perform(client, command);
          });
        } catch (err) {
          if (!sent && err instanceof RecorderError && isConnectionLevel(err)) throw notSent(command, err);
          throw err;
        }
        if (command.operation === 'open') opened.add(command.path);
        if (command.operation === 'close') opened.delete(command.path);
        const remotive: Record<string, unknown> = { operation: command.operation };
        if ('path' in command && command.path !== undefined) remotive.path = command.path;
        if ('offsetUs' in command && command.offsetUs !== undefined) remotive.offsetUs = command.offsetUs;
        if ('startUs' in command && command.startUs !== undefined) remotive.startUs = command.startUs;
        if ('endUs' in command && command.endUs !== undefined) remotive.endUs = command.endUs;
        remotive.broker = broker.address;
        remotive.durationMs = Date.now() - started;
        msg.payload = result;
        msg.remotive = remotive;
        const mode = result && !Array.isArray(result) && 'mode' in result ? result.mode : undefined;
        status.set(mode === 'playing' ? 'active' : 'connected', describeResult(command, result));
        send(msg);
      },
      (error) => status.fail(error),
    );
  });
}
