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
} from '../../src/backends/remotive';
import type { NodeStatus } from '../../src/kit/node-status';
import type { Translate } from '../../src/kit/status';
import { reopenable } from '../../src/kit/reopenable';
import { followStates } from '../../src/kit/stream-states';
import { defineStreamNode } from '../../src/kit/stream-node';
import { StatusChanges } from './changes';
import { FIELDS } from './fields';

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

export default defineStreamNode<typeof FIELDS, RemotiveClient>({
  type: 'remotive-status',
  fields: FIELDS,
  server: { field: 'broker', type: 'remotive-broker' },
  open: (ctx, served, emit) => {
    const { values, t } = ctx;
    if (values.path) ctx.check('path', () => checkPath(values.path, 'the session'));
    const lengthUs = values.length ? ctx.check('length', () => parseOffset(values.length)) : undefined;
    const { server, status } = served;
    return reopenable({
      open: () => {
        // Each opening starts from nothing known: its first list says what is open.
        const changes = new StatusChanges(values.path || undefined, lengthUs);
        const show = (): void => showSessions(status, changes.open, t);
        const stream = server.connection.open((client) =>
          client.watchPlayback((items) => {
            for (const update of changes.next(items)) emit({ topic: update.path, payload: update });
            show();
          }),
        );
        const states = followStates(stream, served, show);
        const unwatch = server.connection.watch(stream);
        return {
          close: () => {
            unwatch();
            stream.cancel();
          },
          state: states.word,
        };
      },
      stopped: () => status.set('idle', t('recorders.status.stopped')),
    });
  },
});
