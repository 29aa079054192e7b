/**
 * recorder-experiment: one experiment across motif cameras, Aivero sessions and RemotiveLabs
 * playbacks. Messages: `start`, `mark` (msg.label), `stop`, `status` (msg.action, or the text in
 * msg.payload). Output 1: the manifest (at stop, at a failed start, at close); output 2: the
 * answer to every message. The run itself is `experiment.ts`; each backend's part is its own file.
 */
import { InputError } from '../../src/common/errors';
import { capText } from '../../src/common/text';
import type { AiveroClient } from '../../src/backends/aivero';
import type { MotifClient } from '../../src/backends/motif';
import type { RemotiveClient } from '../../src/backends/remotive';
import { defineNode } from '../../src/kit/define-node';
import { resolveInput } from '../../src/kit/fields';
import {
  configNode,
  onInput,
  ownStatus,
  type Msg,
  type OutMsg,
  type ServerNode,
} from '../../src/kit/node-red';
import { AiveroMember } from './aivero';
import { Experiment, StartFailed } from './experiment';
import { FIELDS } from './fields';
import type { Member } from './member';
import { MotifMember } from './motif';
import { readParticipants, SERVER_TYPE, type ParticipantRow } from './participants';
import { RemotiveMember } from './remotive';

const ACTIONS = ['start', 'mark', 'stop', 'status'] as const;
type Action = (typeof ACTIONS)[number];
/** Stopping everything on close gets this long (Node-RED allows 15 s). */
const CLOSE_MS = 10_000;
const MAX_LABEL = 200;

function actionOf(msg: Msg): Action {
  const raw = msg.action ?? (typeof msg.payload === 'string' ? msg.payload : undefined);
  if (typeof raw === 'string' && (ACTIONS as readonly string[]).includes(raw.trim()))
    return raw.trim() as Action;
  const shown = typeof raw === 'string' ? `"${capText(raw, 40)}"` : 'nothing';
  throw new InputError(`msg.action must be start, mark, stop or status, got ${shown}`, 'msg.action');
}

function labelOf(msg: Msg, count: number): string {
  const raw = msg.label;
  if (raw === undefined || raw === null || raw === '') return `mark ${count + 1}`;
  if (typeof raw !== 'string' && typeof raw !== 'number')
    throw new InputError('msg.label must be text', 'msg.label');
  const label = String(raw).trim();
  if (label.length > MAX_LABEL)
    throw new InputError(`msg.label is longer than ${MAX_LABEL} characters`, 'msg.label');

  if (/[\u0000-\u001f\u007f]/.test(label))
    throw new InputError('msg.label contains control characters', 'msg.label');
  return label;
}

export default defineNode({
  type: 'recorder-experiment',
  fields: FIELDS,
  closeTimeoutMs: CLOSE_MS + 2000,
  setup: (ctx) => {
    const { node, life, t, RED } = ctx;
    const values = ctx.values;
    const rows = ctx.check('participants', () => readParticipants(ctx.config.participants));
    const status = ownStatus(node, life, t);

    // Each server once: its config node checked now, its connection held while this node runs.
    const servers = new Map<string, ServerNode<unknown>>();
    for (const row of rows) {
      if (servers.has(row.server)) continue;
      const server = ctx.check('participants', () =>
        configNode<ServerNode<unknown>>(RED, row.server, SERVER_TYPE[row.kind]),
      );
      servers.set(row.server, server);
      server.connection.acquire(node.id);
      life.add(() => server.connection.release(node.id, life.removed));
    }
    const serverOf = <C>(row: ParticipantRow): ServerNode<C> => servers.get(row.server) as ServerNode<C>;
    const pulse = { pulseOutput: values.pulseOutput, pulseMs: values.pulseMs ?? 100 };
    const makeMembers = (): Member[] =>
      rows.map((row) => {
        switch (row.kind) {
          case 'motif': {
            const member = new MotifMember(serverOf<MotifClient>(row), row.cameras, pulse);
            life.add(() => member.dispose());
            return member;
          }
          case 'aivero':
            return new AiveroMember(serverOf<AiveroClient>(row), row.session, row.spec);
          case 'remotive':
            return new RemotiveMember(serverOf<RemotiveClient>(row), row.path, row.offsetUs);
        }
      });

    const showStatus = (): void => {
      const spread = experiment.spreadMs;
      const worst = experiment.worstUncertaintyMs;
      const parts = [t(`recorder-experiment.state.${experiment.state}`)];
      if (spread !== undefined) parts.push(t('recorder-experiment.status.spread', { ms: spread.toFixed(0) }));
      if (worst !== undefined) parts.push(t('recorder-experiment.status.clock', { ms: worst.toFixed(1) }));
      const kind =
        experiment.state === 'running'
          ? 'active'
          : experiment.state === 'failed'
            ? 'error'
            : experiment.busy
              ? 'busy'
              : 'idle';
      status.set(kind, parts.join(' · '));
    };
    const experiment = new Experiment(makeMembers, {
      onFailure: values.onFailure === 'continue' ? 'continue' : 'stop',
      clockEveryMs: Math.round((values.clockEvery ?? 60) * 1000),
      changed: () => showStatus(),
      warn: (text) => node.warn(text),
    });
    if (rows.length === 0) status.set('warning', t('recorder-experiment.status.empty'));
    else showStatus();

    const topicOf = (): string => `experiment/${experiment.id ?? ''}`;
    const manifestMsg = (manifest: Record<string, unknown>): OutMsg => ({
      topic: topicOf(),
      payload: manifest,
    });
    const answer = (msg: Msg, action: Action, extra: Record<string, unknown>): void => {
      msg.experiment = {
        action,
        state: experiment.state,
        id: experiment.id ?? null,
        name: experiment.name ?? null,
        spreadMs: experiment.spreadMs ?? null,
        worstClockUncertaintyMs: experiment.worstUncertaintyMs ?? null,
      };
      Object.assign(msg, extra);
    };

    // Node-RED stops mid-experiment: stop what was started (or leave it), and pass on the manifest.
    life.add(async () => {
      try {
        const manifest = await experiment.close(values.onClose === 'leave');
        if (manifest) {
          node.log(`experiment ${experiment.id ?? ''} closed: ${capText(JSON.stringify(manifest), 20_000)}`);
          node.send([manifestMsg(manifest), null]);
        }
      } finally {
        experiment.dispose();
      }
    });

    const handle = async (
      msg: Msg,
      action: Action,
      send: (m: Array<OutMsg | null>) => void,
    ): Promise<void> => {
      if (rows.length === 0 && action !== 'status')
        throw new InputError('no participants are configured', 'participants');
      switch (action) {
        case 'start': {
          const name = resolveInput(FIELDS, values, msg).experiment || 'experiment';
          try {
            const { already } = await experiment.start(name);
            answer(msg, action, { payload: experiment.manifest() });
            if (already) (msg.experiment as Record<string, unknown>).already = true;
            send([null, msg]);
          } catch (err) {
            if (err instanceof StartFailed) node.send([manifestMsg(err.manifest), null]);
            throw err;
          }
          return;
        }
        case 'mark': {
          const entry = await experiment.mark(labelOf(msg, experiment.markCount));
          answer(msg, action, { payload: entry });
          send([null, msg]);
          return;
        }
        case 'stop': {
          const { already, manifest } = await experiment.stop();
          answer(msg, action, { payload: manifest });
          if (already) (msg.experiment as Record<string, unknown>).already = true;
          send(already ? [null, msg] : [manifestMsg(manifest), msg]);
          return;
        }
        case 'status':
          answer(msg, action, { payload: experiment.manifest() });
          send([null, msg]);
          return;
      }
    };

    // Messages one after another (a stop waits for the start under way); status answers at once.
    let queue: Promise<unknown> = Promise.resolve();
    onInput(
      node,
      (msg, send) => {
        const action = actionOf(msg);
        if (action === 'status') return handle(msg, action, send);
        const handled = queue.then(() => {
          if (life.isDisposed) throw new InputError('the node is closing', 'msg.action');
          return handle(msg, action, send);
        });
        queue = handled.catch(() => undefined);
        return handled;
      },
      () => showStatus(),
    );
  },
});
