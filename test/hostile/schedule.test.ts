/**
 * Hostile commands against the schedule nodes: every message answered, no expression may block the
 * event loop (monotonic periods of billions, impossible dates), nothing hostile reaches motif.
 */
import assert from 'node:assert/strict';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { helper, nodeModule } from '../support/node-red';
import { assertNothingHostileReached, assertOutputOrCatch, runHostile, TARGET } from './harness';
import { hostileMessages, uncopyableMessages, uncopyableValues, type HostileMessage } from './values';

/** Expressions whose next firing is expensive to find when the search steps second by second. */
const HOSTILE_CRON = [
  '%3000000000 * * * * *',
  '%99999999999 * * * * * *',
  '* * * * * * %99999999999',
  'O%4000000000 * * * * *',
  '0 0 0 31 2 ? *',
  '0 0 0 29 2 ? 2100',
  '0 0 0 30 2 ? 1970-2999',
  '59 59 23 L-30 * ? *',
  '0 0 0 ? * 6#5 *',
  '*/1 */1 */1 */1 */1 ? */1',
  `${'1,'.repeat(5000)}1 * * * * *`,
  '0 0 0 1W,2W,3W,4W,5W,6W,7W,8W,9W,10W * ? *',
];

/**
 * The generator's top-level properties become the command object's fields; then every hostile
 * expression once in an otherwise clean `add`, `update` and `describe`, so it surely reaches the parser.
 */
function asCommands(
  messages: HostileMessage[],
  seed: number,
  extra: Record<string, unknown> = {},
): HostileMessage[] {
  const out: HostileMessage[] = messages.map((m, i) => {
    const { _msgid, topic, ...fields } = m;
    if (i % 3 === 0) fields.expression = HOSTILE_CRON[(i / 3 + seed) % HOSTILE_CRON.length];
    return i % 7 === 0 ? { _msgid, topic, payload: [fields, fields] } : { _msgid, topic, payload: fields };
  });
  HOSTILE_CRON.forEach((expression, k) => {
    for (const command of ['add', 'update', 'describe'])
      out.push({
        _msgid: `cron-${seed}-${command}-${k}`,
        payload: { command, name: `cron${k}`, expression, ...extra },
      });
  });
  return out;
}

describe('hostile input: schedule nodes', function () {
  this.timeout(180_000);
  afterEach(async () => {
    await helper.unload();
  });

  it('recorder-schedule commands: every message answered, the event loop never blocks', async () => {
    const messages = asCommands(
      hostileMessages(
        ['command', 'name', 'expression', 'timeZone', 'relative', 'count', 'at', 'payload'],
        330,
        3,
        {
          command: 'add',
          name: 's1',
          expression: '0 * * * * *',
        },
      ),
      3,
    );
    const result = await runHostile({
      modules: [nodeModule('recorder-schedule')],
      nodes: [{ id: TARGET, type: 'recorder-schedule', schedules: [] }],
      messages,
    });
    assert.ok(result.caught > 0);
  });

  it('motif-schedule commands: every message answered, nothing hostile reaches motif', async () => {
    const sim = await MotifSimulator.start({
      requestLogSize: 100_000,
      streams: { enabled: false },
      runTasks: false,
    });
    try {
      const messages = asCommands(
        hostileMessages(
          ['command', 'name', 'expression', 'camera', 'output', 'duration', 'value', 'codec'],
          320,
          4,
          {
            command: 'add',
            name: 't1',
            expression: '0 0 9 * * ? *',
          },
        ),
        4,
      );
      await runHostile({
        modules: [nodeModule('motif-server'), nodeModule('motif-schedule')],
        credentials: { srv: { apiKey: sim.apiKey } },
        nodes: [
          {
            id: 'srv',
            type: 'motif-server',
            host: '127.0.0.1',
            port: sim.port,
            tlsMode: 'fingerprint',
            fingerprint: sim.fingerprint256,
            timeout: 2,
          },
          { id: TARGET, type: 'motif-schedule', server: 'srv', timeZone: '', tasks: [] },
        ],
        messages,
      });
      assertNothingHostileReached(sim.requests);
    } finally {
      await sim.close();
    }
  });

  it('messages Node-RED can not copy (5,000 and 100,000 levels deep, throwing getters and proxies): each answered by an output or a Catch', async () => {
    // As the whole payload, as a command's field, and beside a good command.
    const asFields = uncopyableValues().flatMap((value, k) =>
      ['command', 'name', 'expression', 'payload'].map((field) => ({
        _msgid: `field-${field}-${k}`,
        payload: { command: 'add', name: 'deep', expression: '0 * * * * *', [field]: value },
      })),
    );
    const messages: HostileMessage[] = [
      ...uncopyableMessages(['topic'], 'top'),
      ...asFields,
      ...uncopyableMessages(['topic', 'extra'], 'beside', { payload: { command: 'list' } }),
    ];
    const recorder = await runHostile({
      modules: [nodeModule('recorder-schedule')],
      nodes: [{ id: TARGET, type: 'recorder-schedule', schedules: [] }],
      // Command replies leave by the second output.
      outputs: 2,
      messages,
    });
    assertOutputOrCatch(recorder, messages);
    await helper.unload();
    const sim = await MotifSimulator.start({ streams: { enabled: false }, runTasks: false });
    try {
      const motif = await runHostile({
        modules: [nodeModule('motif-server'), nodeModule('motif-schedule')],
        credentials: { srv: { apiKey: sim.apiKey } },
        nodes: [
          {
            id: 'srv',
            type: 'motif-server',
            host: '127.0.0.1',
            port: sim.port,
            tlsMode: 'fingerprint',
            fingerprint: sim.fingerprint256,
            timeout: 2,
          },
          { id: TARGET, type: 'motif-schedule', server: 'srv', timeZone: '', tasks: [] },
        ],
        messages,
      });
      assertOutputOrCatch(motif, messages);
    } finally {
      await sim.close();
    }
  });
});
