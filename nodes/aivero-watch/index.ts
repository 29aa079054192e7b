/**
 * aivero-watch: every state change of one session (or of all sessions) as a message
 * `{id, name, state, previous, at}`. The backend's SessionWatch subscribes with a live query
 * (graphql-transport-ws, else the legacy protocol, else polling), re-subscribes after a loss or a
 * stall (shown as "stalled" until the fresh subscription answers), and coalesces a flood of
 * results; its outcomes go through the connection's `watch`, so a refused credential stops the
 * retries and shows on every node of that server. `msg.action` start / stop / restart controls it.
 */
import type {
  AiveroClient,
  SessionRemoved,
  SessionWatch,
  StateChange,
  WatchProtocol,
} from '../../src/backends/aivero';
import { checkUuid, WATCH_PROTOCOLS } from '../../src/backends/aivero';
import { ConfigError, InputError, toRecorderError } from '../../src/common/errors';
import { resolveInput } from '../../src/kit/fields';
import type { Msg } from '../../src/kit/node-red';
import { reopenable, type OpenStream } from '../../src/kit/reopenable';
import { defineStreamNode } from '../../src/kit/stream-node';
import { FIELDS } from './fields';
import { SessionList } from './session-list';

export default defineStreamNode<typeof FIELDS, AiveroClient>({
  type: 'aivero-watch',
  fields: FIELDS,
  server: { field: 'server', type: 'aivero-server' },
  autoStart: (ctx) => ctx.values.autoStart && target(ctx.values) !== null,
  open: (ctx, { server, status }, emit) => {
    const { node, t, values: configured } = ctx;
    const protocols: WatchProtocol[] =
      configured.protocol === 'auto' ? [...WATCH_PROTOCOLS] : [configured.protocol as WatchProtocol];
    const pollMs = Math.round((configured.pollInterval ?? 2) * 1000);
    const stallMs = Math.round((configured.stallTimeout ?? 20) * 1000);
    if (stallMs > 0 && stallMs < 100)
      throw new ConfigError('stalled after: 0 (never) or at least 0.1 s', 'stallTimeout');

    const describeProtocol = (protocol: WatchProtocol): string =>
      protocol === 'poll'
        ? t('aivero-watch.status.polling', { seconds: pollMs / 1000 })
        : t('aivero-watch.status.subscribed', { protocol });

    /** The session a message (or, at deploy, the node) names: its id, '' for all sessions. */
    const sessionOf = (msg: Msg | undefined): string => {
      const id = target(msg ? resolveInput(FIELDS, configured, msg) : configured);
      if (id === null)
        throw new InputError('the session id is needed: set it in the node or in msg.session', 'msg.session');
      // The id is checked (a uuid) before any socket is opened.
      return id === undefined ? '' : checkUuid(id, msg ? 'msg.session' : 'session id');
    };

    const open = (msg: Msg | undefined): OpenStream => {
      const watching = sessionOf(msg);
      const sessionId = watching || undefined;
      // Opened on the shared client (this throws, redacted, for a closed connection or a bad
      // configuration); its outcomes then go through the connection's `watch`.
      const w: SessionWatch = server.connection.open((client) =>
        client.watchSession(sessionId, { protocols, pollMs, stallMs, emitInitial: configured.initial }),
      );
      let word = 'subscribing';
      /** One warning per stall, not one per silent subscription in a row. */
      let warned = false;
      status.set('connecting', t('aivero-watch.status.subscribing'));
      // Each opening starts from nothing known: its first results say what is there.
      const list = configured.output === 'list' ? new SessionList() : undefined;
      const send = (change: Record<string, unknown>, topic: string, rows: unknown[] | undefined): void =>
        emit({
          topic,
          ...(rows ? { payload: rows, change } : { payload: change }),
          aivero: { protocol: w.protocol, server: server.address, watching: sessionId ?? 'all' },
        });
      w.on('change', (change: StateChange) => {
        send({ ...change }, change.name, list?.change(change));
        // The protocol first: the state is in every message, how it arrives only here.
        status.set('active', `${describeProtocol(w.protocol)} · ${change.state}`);
      });
      w.on('removed', (gone: SessionRemoved) => {
        send(
          { id: gone.id, name: gone.name, state: null, previous: gone.previous, at: gone.at, removed: true },
          gone.name,
          list?.remove(gone),
        );
      });
      w.on('healthy', () => {
        warned = false;
        word = 'streaming';
        status.set('active', describeProtocol(w.protocol));
      });
      w.on('stalled', (err: unknown) => {
        word = 'stalled';
        status.set('warning', t('aivero-watch.status.stalled'));
        if (!warned) node.warn(server.connection.redact(toRecorderError(err)).message);
        warned = true;
      });
      w.on('failure', (err: unknown) => {
        word = 'reconnecting';
        const error = server.connection.redact(toRecorderError(err));
        status.set('disconnected', t('aivero-watch.status.retrying', { reason: error.statusText }));
      });
      const unwatch = server.connection.watch(w);
      return {
        target: watching,
        close: () => {
          unwatch();
          return w.close();
        },
        state: () => word,
      };
    };

    if (!configured.autoStart) status.set('idle', t('aivero-watch.status.stopped'));
    else if (target(configured) === null) status.set('idle', t('aivero-watch.status.needSession'));
    return reopenable({
      open,
      targetOf: (msg) => (msg ? sessionOf(msg) : undefined),
      stopped: () => status.set('idle', t('aivero-watch.status.stopped')),
    });
  },
});

/** The session the values name: undefined for all sessions, null when none is set yet. */
function target(values: { scope: string; session: string }): string | undefined | null {
  if (values.scope === 'all') return undefined;
  return values.session || null;
}
