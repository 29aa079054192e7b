/**
 * recorder-rigs: the coordinator's side of a fleet of rigs over MQTT. It speaks no MQTT itself
 * (core `mqtt in`/`mqtt out` nodes do); it correlates. Input: the rigs' retained status and system
 * states (kept as the rig table, output 3 on every change), commands (output 1: one message per
 * target rig for an `mqtt out`, with a command id, MQTT v5 response topic and correlation data) and
 * the rigs' acknowledgements on the node's acknowledgement topic (output 2 once every target has
 * answered: results, spread, each rig's clock offset). Topics and payloads are checked: they come
 * from anyone who can publish on the broker.
 */
import { randomUUID } from 'node:crypto';
import { RecorderError, InputError } from '../../src/common/errors';
import { isPlainObject } from '../../src/common/input';
import { capText } from '../../src/common/text';
import { defineNode } from '../../src/kit/define-node';
import { onInput, ownStatus, type Msg, type OutMsg, type Send } from '../../src/kit/node-red';
import { readCommand } from './command';
import { FIELDS } from './fields';
import { Pending, type Finished } from './pending';
import { RigTable, stateOf } from './rig-table';
import { addressOf, commandTopic, isName, jsonOf, textOf } from './topics';

/** The coordinator's failure: a command that did not succeed on every target rig. */
class RigsError extends RecorderError {
  constructor(message: string) {
    super('API', message, 'rig failed');
    this.name = 'RigsError';
  }
}

const MAX_RESULT_JSON = 256 * 1024;
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

/** An acknowledgement's correlation: the v5 correlation data, else `commandId` and `rig` in its payload. */
function correlationOf(msg: Msg, ack: Record<string, unknown>): string | undefined {
  const data = msg.correlationData;
  if (Buffer.isBuffer(data) && data.length <= 400) return data.toString('utf8');
  if (typeof data === 'string' && data.length <= 400) return data;
  if (typeof ack.commandId === 'string' && ack.commandId.length <= 300 && isName(ack.rig))
    return Pending.key(ack.commandId, ack.rig);
  return undefined;
}

export default defineNode({
  type: 'recorder-rigs',
  fields: FIELDS,
  setup: (ctx) => {
    const { node, life, t } = ctx;
    const values = ctx.values;
    const prefix = ctx.check('prefix', () => {
      if (/[#+\u0000-\u001f]/.test(values.prefix) || values.prefix.endsWith('/'))
        throw new Error('must be a topic without wildcards or a trailing /');
      return values.prefix;
    });
    const ackTopic = ctx.check('ackTopic', () => {
      if (/[#+\u0000-\u001f]/.test(values.ackTopic)) throw new Error('must be a topic without wildcards');
      return values.ackTopic;
    });
    const timeoutMs = Math.round((values.timeout ?? 10) * 1000);
    const table = new RigTable();
    const pending = new Pending();
    const status = ownStatus(node, life, t);

    const showStatus = (): void => {
      const rigs = table.list();
      const online = rigs.filter((r) => r.online === true).length;
      const offline = rigs.filter((r) => r.online === false).length;
      const parts = [t('recorder-rigs.status.rigs', { count: rigs.length, online })];
      if (offline > 0) parts.push(t('recorder-rigs.status.offline', { count: offline }));
      if (pending.size > 0) parts.push(t('recorder-rigs.status.pending', { count: pending.size }));
      status.set(offline > 0 ? 'warning' : rigs.length > 0 ? 'active' : 'idle', parts.join(' · '));
    };
    showStatus();
    const sendRigs = (): void => {
      node.send([null, null, { topic: 'rigs', payload: table.list() }]);
      showStatus();
    };

    // Node-RED stops: every command still waiting fails, with its message.
    life.add(() => pending.closeAll('the coordinator stopped before the rig answered'));

    const onStatus = (rig: string, msg: Msg): void => {
      const word = textOf(msg.payload);
      if (word === undefined) return;
      if (!table.status(rig, word, new Date())) return;
      if (word === 'offline') {
        const since = table.get(rig)?.since ?? '';
        pending.failRig(rig, (command) => `${rig} went offline (${since}) before acknowledging ${command}`);
      }
      sendRigs();
    };

    const onState = (rig: string, system: string, msg: Msg): void => {
      const empty =
        msg.payload === '' ||
        (Buffer.isBuffer(msg.payload) && msg.payload.length === 0) ||
        msg.payload === null;
      const state = empty ? undefined : stateOf(jsonOf(msg.payload));
      if (!empty && state === undefined) return; // not a JSON object: not a state
      if (table.state(rig, system, state)) sendRigs();
    };

    const onAck = (msg: Msg): void => {
      const ack = jsonOf(msg.payload);
      if (!isPlainObject(ack)) return;
      const key = correlationOf(msg, ack);
      if (key === undefined) return;
      let result: unknown = ack.result;
      if (result !== undefined) {
        const json = JSON.stringify(result) ?? '';
        if (json.length > MAX_RESULT_JSON) result = { note: `result left out: ${json.length} characters` };
      }
      const error =
        ack.error === undefined
          ? undefined
          : capText(typeof ack.error === 'string' ? ack.error : (JSON.stringify(ack.error) ?? 'failed'), 400);
      const time = (v: unknown): number | undefined =>
        typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      const rigTime = time(ack.rigTime);
      // Only a pair that makes sense (received before answered) narrows the clock; else rigTime alone.
      const received = time(ack.rigReceivedTime);
      const rigReceivedTime =
        received !== undefined && rigTime !== undefined && received <= rigTime ? received : undefined;
      // A duplicate (QoS 1), a late answer or another coordinator's: nothing waits for it.
      pending.acknowledge(key, { ok: ack.ok === true, result, error, rigTime, rigReceivedTime });
    };

    const command = (msg: Msg, send: Send): Promise<void> => {
      const request = readCommand(msg);
      // "all": every rig known, offline ones included (they fail at once, naming themselves).
      const rigs = request.rigs === 'all' ? table.names() : request.rigs;
      if (pending.full(rigs.length))
        throw new InputError('too many commands are waiting for their rigs; try again later', 'msg.payload');
      const commandId = randomUUID();
      return new Promise<void>((resolve, reject) => {
        const finish = (f: Finished): void => {
          msg.payload = { results: f.results, spreadMs: f.spreadMs, clocks: f.clocks };
          msg.commandId = f.commandId;
          showStatus();
          if (f.failures.length === 0) {
            send([null, msg, null]);
            resolve();
            return;
          }
          reject(
            new RigsError(
              `${f.command} failed on ${f.failures.length} of ${Object.keys(f.results).length} rigs: ${f.failures.join('; ')}`,
            ),
          );
        };
        if (rigs.length === 0) {
          node.warn(t('recorder-rigs.warn.noRigs'));
          finish({
            command: request.command,
            commandId,
            results: {},
            spreadMs: null,
            clocks: {},
            failures: [],
          });
          return;
        }
        pending.open(request.command, commandId, rigs, finish);
        const out: OutMsg[] = [];
        for (const rig of rigs) {
          const row = table.get(rig);
          if (row?.online === false) {
            pending.fail(commandId, rig, `${rig} is offline since ${row.since ?? 'unknown'}`);
            continue;
          }
          const id = Pending.key(commandId, rig);
          out.push({
            topic: commandTopic(prefix, rig),
            payload: { ...request.args, command: request.command, commandId, rig, replyTo: ackTopic },
            qos: 1,
            retain: false,
            responseTopic: ackTopic,
            correlationData: Buffer.from(id, 'utf8'),
          });
        }
        for (const m of out) {
          pending.sent(commandId, (m.payload as { rig: string }).rig);
          send([m, null, null]);
        }
        pending.arm(
          commandId,
          timeoutMs,
          (rig) => `${rig} did not acknowledge ${request.command} within ${seconds(timeoutMs)}`,
        );
        showStatus();
      });
    };

    onInput(node, async (msg, send) => {
      const where = addressOf(msg.topic, prefix, ackTopic);
      switch (where.kind) {
        case 'status':
          return onStatus(where.rig, msg);
        case 'state':
          return onState(where.rig, where.system, msg);
        case 'ack':
          return onAck(msg);
        case 'ignored':
          return;
        case 'other':
          return command(msg, send);
      }
    });
  },
});
