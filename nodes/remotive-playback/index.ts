/**
 * remotive-playback: list files, open/play/pause/seek/close/repeat a recording session, or read
 * the playback status. `request.ts` plans the command from config + msg; the backend's playback
 * table performs it; the kit does the rest. This file adds what is the node's own: closing the
 * sessions it opened when the flow stops, if asked to.
 */
import {
  describePlayback,
  runPlayback,
  summarisePlayback,
  type PlaybackCommand,
  type PlaybackResult,
  type RemotiveClient,
} from '../../src/backends/remotive';
import { bounded } from '../../src/common/bounded';
import { toRecorderError } from '../../src/common/errors';
import { defineActionNode } from '../../src/kit/action-node';
import { FIELDS } from './fields';
import { messageView, planCommand, preparePlan, type PlaybackPlan } from './request';

/** How long closing this node's sessions may take when the flow stops. */
const CLOSE_SESSIONS_MS = 2000;

interface State {
  plan: PlaybackPlan;
  /** Sessions this node opened and has not closed: closed on stop when asked to. */
  opened: Set<string>;
}

export default defineActionNode<typeof FIELDS, RemotiveClient, PlaybackCommand, PlaybackResult, State>({
  type: 'remotive-playback',
  fields: FIELDS,
  server: { field: 'broker', type: 'remotive-broker' },
  meta: 'remotive',
  prepare: (ctx, { server }) => {
    const state: State = { plan: preparePlan(ctx.values, ctx.type), opened: new Set() };
    if (ctx.values.closeOnStop) {
      // Added after the connection is attached, so it runs first on close: the broker waits for its users.
      ctx.life.add(async () => {
        const closing = [...state.opened].map((path) =>
          server.connection
            .run((client) => client.close(path), `close ${path}`)
            .catch((err: unknown) =>
              ctx.node.warn(`could not close a session on stop: ${toRecorderError(err).message}`),
            ),
        );
        state.opened.clear();
        await bounded(Promise.all(closing), CLOSE_SESSIONS_MS);
      });
    }
    return state;
  },
  input: messageView,
  plan: (values, msg, state) => planCommand(state.plan, values, msg),
  operation: (command) => command.operation,
  perform: (client, command) => runPlayback(client, command),
  describe: describePlayback,
  reply: (command, result, state) => {
    if (command.operation === 'open') state.opened.add(command.path);
    if (command.operation === 'close') state.opened.delete(command.path);
    const meta: Record<string, unknown> = {};
    if ('path' in command && command.path !== undefined) meta.path = command.path;
    if ('offsetUs' in command && command.offsetUs !== undefined) meta.offsetUs = command.offsetUs;
    if ('startUs' in command && command.startUs !== undefined) meta.startUs = command.startUs;
    if ('endUs' in command && command.endUs !== undefined) meta.endUs = command.endUs;
    if (result && !Array.isArray(result) && 'alreadyOpen' in result) meta.alreadyOpen = true;
    const mode = result && !Array.isArray(result) && 'mode' in result ? result.mode : undefined;
    return {
      payload: result,
      meta,
      status: summarisePlayback(command, result),
      statusKind: mode === 'playing' ? 'active' : 'connected',
    };
  },
});
