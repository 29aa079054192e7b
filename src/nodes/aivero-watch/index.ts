/**
 * aivero-watch: every state change of one session (or of all sessions) as a message
 * `{id, name, state, previous, at}`. The backend's SessionWatch subscribes with a live query
 * (graphql-transport-ws, else the legacy protocol, else polling) and re-subscribes after a loss;
 * its outcomes go through the connection's `watch`, so a refused credential stops the retries and
 * shows on every node of that server. `msg.action` "start" / "stop" controls it.
 */
import type {
  AiveroClient,
  SessionRemoved,
  SessionWatch,
  StateChange,
  WatchProtocol,
} from '../../backends/aivero';
import { checkUuid, WATCH_PROTOCOLS } from '../../backends/aivero';
import { InputError, toRecorderError } from '../../common/errors';
import { readConfig, resolveInput } from '../../common/fields';
import { describe } from '../../common/input';
import {
  attachConnection,
  configNode,
  onInput,
  registerNode,
  translator,
  type NodeDef,
  type OutMsg,
  type RED,
  type ServerNode,
} from '../../common/node-red';
import { FIELDS } from './fields';

const ACTIONS = ['start', 'stop'] as const;

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<NodeDef>(RED, 'aivero-watch', (node, config, life) => {
    const configured = readConfig(FIELDS, config as unknown as Record<string, unknown>, 'aivero-watch');
    const server = configNode<ServerNode<AiveroClient>>(RED, configured.server, 'aivero-server');
    const status = attachConnection(node, server.connection, life, t);
    const protocols: WatchProtocol[] =
      configured.protocol === 'auto' ? [...WATCH_PROTOCOLS] : [configured.protocol as WatchProtocol];
    const pollMs = Math.round((configured.pollInterval ?? 2) * 1000);

    let watch: SessionWatch | undefined;
    let unwatch: (() => void) | undefined;
    let watching: string | undefined; // the session id, or '' for all

    const stop = (): void => {
      unwatch?.();
      unwatch = undefined;
      const closing = watch;
      watch = undefined;
      watching = undefined;
      // close() rejects only if a 'closed' listener throws, and the client's own cannot.
      if (closing) closing.close().catch(() => undefined);
    };
    life.add(() => {
      const closing = watch;
      stop();
      return closing?.close();
    });

    const describeProtocol = (protocol: WatchProtocol): string =>
      protocol === 'poll'
        ? t('aivero-watch.status.polling', { seconds: pollMs / 1000 })
        : t('aivero-watch.status.subscribed', { protocol });

    const start = (sessionId: string | undefined): void => {
      stop();
      // Opened on the shared client (this throws, redacted, for a closed connection or a bad
      // configuration); its outcomes then go through the connection's `watch`.
      const w: SessionWatch = server.connection.open((client) =>
        client.watchSession(sessionId, { protocols, pollMs, emitInitial: configured.initial }),
      );
      watch = w;
      watching = sessionId ?? '';
      status.set('connecting', t('aivero-watch.status.subscribing'));
      const send = (payload: Record<string, unknown>, topic: string): void => {
        const msg: OutMsg = {
          topic,
          payload,
          aivero: { protocol: w.protocol, server: server.address, watching: sessionId ?? 'all' },
        };
        node.send(msg);
      };
      w.on('change', (change: StateChange) => {
        send({ ...change }, change.name);
        // The protocol first: the state is in every message, how it arrives only here.
        status.set('active', `${describeProtocol(w.protocol)} · ${change.state}`);
      });
      w.on('removed', (gone: SessionRemoved) => {
        send(
          { id: gone.id, name: gone.name, state: null, previous: gone.previous, at: gone.at, removed: true },
          gone.name,
        );
      });
      w.on('healthy', () => status.set('active', describeProtocol(w.protocol)));
      w.on('failure', (err: unknown) => {
        const error = server.connection.redact(toRecorderError(err));
        status.set('disconnected', t('aivero-watch.status.retrying', { reason: error.statusText }));
      });
      unwatch = server.connection.watch(w);
    };

    const target = (values: typeof configured): string | undefined | null => {
      if (values.scope === 'all') return undefined;
      return values.session || null; // null: no session yet
    };

    if (configured.autoStart) {
      const id = target(configured);
      if (id === null) status.set('idle', t('aivero-watch.status.needSession'));
      else {
        try {
          start(id === undefined ? undefined : checkUuid(id, 'session id'));
        } catch (err) {
          const error = toRecorderError(err);
          status.fail(error);
          node.error(error.message);
        }
      }
    } else status.set('idle', t('aivero-watch.status.stopped'));

    onInput(
      node,
      // eslint-disable-next-line @typescript-eslint/require-await -- onInput takes a promise; nothing here waits
      async (msg) => {
        const action = msg.action;
        if (action !== undefined && !ACTIONS.includes(action as (typeof ACTIONS)[number]))
          throw new InputError(`msg.action must be "start" or "stop", got ${describe(action)}`, 'msg.action');
        if (action === 'stop') {
          stop();
          status.set('idle', t('aivero-watch.status.stopped'));
          return;
        }
        const values = resolveInput(FIELDS, configured, msg);
        const id = target(values);
        if (id === null)
          throw new InputError(
            'the session id is needed: set it in the node or in msg.session',
            'msg.session',
          );
        // The id is checked (a uuid) before any socket is opened.
        const checked = id === undefined ? undefined : checkUuid(id, 'msg.session');
        if (watch && watching === (checked ?? '')) return; // already watching this
        start(checked);
      },
      (error) => status.fail(error),
    );
  });
}
