/**
 * The role fields of the schedule nodes and the glue between a node and its `Leadership`
 * (leadership.ts): the same fields, the same instance id rule and the same leadership output on
 * recorder-schedule and motif-schedule.
 */
import os from 'node:os';
import { instanceIdProblem, mqttTopicProblem } from '../common/formats';
import { capText } from '../common/text';
import type { Disposer } from './disposer';
import { field } from './fields';
import { Leadership, instanceId, type LeaderState, type RoleChange } from './leadership';
import type { Node } from './node-red';

/** Where an instance without a configured id takes it from (then the host name). */
export const INSTANCE_ENV = 'RECORDERS_INSTANCE';

/**
 * `role`: the role at deploy ('active', 'standby' until an `active` message), or 'leader': follow
 * the retained record of `leaderTopic` (leadership.ts), as instance `instance`. Flows without a
 * role are active.
 */
export const ROLE_FIELDS = {
  role: field.text({
    label: 'role',
    default: 'active',
    choices: ['active', 'standby', 'leader'],
    uses: { active: [], standby: [], leader: ['leaderTopic', 'instance'] },
  }),
  leaderTopic: field.text({ label: 'leader topic', maxLength: 1000 }),
  /** Empty: the RECORDERS_INSTANCE environment variable, else the host name. */
  instance: field.text({ label: 'instance', maxLength: 100 }),
};

export interface FollowLeaderOptions {
  node: Node;
  life: Disposer;
  check<R>(field: string, read: () => R): R;
  values: { role: string; leaderTopic: string; instance: string };
  /** The node's output count and which one carries the leadership messages (the last). */
  outputs: number;
  onRole(change: RoleChange): void;
  onState?(state: LeaderState): void;
  lastFired?(): number | null;
}

/** The node's leadership in leader mode (started by the node when it is ready), else undefined. */
export function followLeader(options: FollowLeaderOptions): Leadership | undefined {
  const { node, values, outputs } = options;
  if (values.role !== 'leader') return undefined;
  const topic = options.check('leaderTopic', () => {
    const problem = mqttTopicProblem(values.leaderTopic);
    if (problem !== null) throw new Error(problem);
    return values.leaderTopic;
  });
  const instance = options.check('instance', () => {
    if (values.instance) {
      const problem = instanceIdProblem(values.instance);
      if (problem !== null) throw new Error(problem);
    }
    return instanceId(values.instance, process.env[INSTANCE_ENV], os.hostname());
  });
  const leadership = new Leadership({
    topic,
    instance,
    send: (msg) => {
      const out: unknown[] = new Array<unknown>(outputs).fill(null);
      out[outputs - 1] = msg;
      node.send(out as Parameters<Node['send']>[0]);
    },
    onRole: options.onRole,
    ...(options.onState ? { onState: options.onState } : {}),
    ...(options.lastFired ? { lastFired: options.lastFired } : {}),
    onDuplicate: (id) =>
      node.error(
        capText(
          `another Node-RED claims the leader topic as instance "${id}": give each instance its own id ` +
            `(the node's Instance field or ${INSTANCE_ENV}); this one leads no more until it is deployed again`,
        ),
      ),
  });
  options.life.add(() => leadership.stop());
  return leadership;
}

/** Whether `msg` is a record from the leader topic (an `mqtt in` node on it sets msg.topic). */
export function fromLeaderTopic(msg: { topic?: unknown }, leadership: Leadership | undefined): boolean {
  return leadership !== undefined && msg.topic === leadership.topic;
}
