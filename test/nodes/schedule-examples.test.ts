/**
 * The schedule examples, assembled as `npm start` does (config nodes pointed at the simulator and at
 * the local MQTT broker), run in the test runtime: server forms create their tasks on the simulator,
 * local forms drive it, the leader-topic form claims its topic over MQTT.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { assembleFlows, listExamples, type FlowNode } from '../../src/devtools/flows';
import { startMqttBroker } from '../../src/devtools/mqtt-broker';
import { simulatorTargets } from '../../src/devtools/targets';
import type { SimulatorHandle } from '../../src/simulators/types';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { helper, loadFlow, nodeModule, nodeRedPackageDir } from '../support/node-red';
import { nextMessage, waitFor } from '../support/flow';

function core(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [nodeRedPackageDir] }));
}

const MODULES = [
  nodeModule('motif-server'),
  nodeModule('motif-action'),
  nodeModule('motif-schedule'),
  nodeModule('recorder-schedule'),
  core('common/20-inject.js'),
  core('common/21-debug.js'),
  core('common/90-comment.js'),
  core('function/10-switch.js'),
  core('function/15-change.js'),
  core('network/10-mqtt.js'),
];

const EXAMPLES = listExamples(path.join(__dirname, '..', '..', '..', 'examples', 'schedules'));

describe('schedule examples against the simulator', function () {
  let sim: MotifSimulator;
  let mqtt: SimulatorHandle;
  let flows: FlowNode[];

  before(async () => {
    sim = await MotifSimulator.start({ timing: { pendingMs: 20, copyMs: 50, exportMs: 50 } });
    mqtt = await startMqttBroker(0);
    const assembled = assembleFlows(EXAMPLES, [
      ...simulatorTargets([mqtt]),
      {
        type: 'motif-server',
        props: {
          host: '127.0.0.1',
          port: sim.port,
          tlsMode: 'fingerprint',
          fingerprint: sim.fingerprint256,
          timeout: 5,
        },
        credentials: { apiKey: sim.apiKey },
      },
    ]);
    flows = assembled.flows;
    await helper.startServer();
    await loadFlow(MODULES, flows, assembled.credentials);
  });
  after(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
    await mqtt.close();
  });

  const find = (type: string, name: string, tabLabel: RegExp): FlowNode => {
    const tab = flows.find((n) => n.type === 'tab' && tabLabel.test(String(n.label)));
    const node = flows.find((n) => n.type === type && n.name === name && n.z === tab?.id);
    if (!node) throw new Error(`no ${type} "${name}" in ${String(tabLabel)}`);
    return node;
  };
  const press = (name: string, tab: RegExp): void => {
    helper.getNode(find('inject', name, tab).id).receive({});
  };

  it('has seven examples, three protocols in both forms and one on one of two Node-REDs', () => {
    assert.equal(EXAMPLES.length, 7);
    assert.equal(flows.filter((n) => n.type === 'motif-schedule').length, 3);
    assert.equal(flows.filter((n) => n.type === 'recorder-schedule').length, 4);
  });

  it('leader topic: claims the vacant topic over MQTT, is active, and hands over by its button', async () => {
    const tab = /one of two Node-REDs \(leader topic\)/;
    const replies = helper.getNode(find('debug', 'role and replies', tab).id);
    // The leadership connection is its own (connect automatically: off), on the same broker.
    const leadership = flows.find((n) => n.type === 'mqtt-broker' && n.autoConnect === false);
    assert.equal(leadership?.port, flows.find((n) => n.type === 'mqtt-broker' && n !== leadership)?.port);
    const role = await nextMessage(replies, 15_000);
    assert.equal(role.topic, 'role');
    assert.equal((role.payload as Record<string, unknown>).role, 'active');
    const handedOver = nextMessage(replies);
    press('hand over', tab);
    assert.deepEqual((await handedOver).payload, { role: 'standby', changed: true, lastFired: null });
  });

  it('creates the server-side tasks of every server form', async () => {
    await waitFor(() => (sim.state.tasks.list().length === 7 ? true : undefined), 5000);
    const expressions = sim.state.tasks
      .list()
      .map((t) => t.cron_expression)
      .sort();
    assert.deepEqual(expressions, [
      '0 */5 * ? * * *',
      '0 0 * * * *',
      '0 0 17 * * *',
      '0 0 9,15 * * *',
      '0 1 0 1 1 ?',
      '1 */5 * ? * * *',
      '90%30 * * ? * * *',
    ]);
    assert.ok(sim.state.tasks.list().every((t) => t.task_name.startsWith('nr_')));
  });

  it('copies all recordings when the local copy schedule is triggered', async () => {
    press('copy now', /record 9 and 15, copy 17 \(local\)/);
    await waitFor(
      () => (sim.state.cameras.get('FAKE0')?.playback.status === 'copying' ? true : undefined),
      3000,
    );
  });

  it('starts the recording and arms the relative output schedules of the local output protocol', async () => {
    const tab = /output protocol while recording \(local\)/;
    press('start recording', tab);
    await waitFor(
      () => (sim.state.cameras.get('FAKE0')?.recording.status === 'recording' ? true : undefined),
      3000,
    );
    const scheduleNode = helper.getNode(find('recorder-schedule', 'protocol', tab).id);
    const replies = nextMessage(helper.getNode(find('debug', 'schedule replies', tab).id));
    scheduleNode.receive({ payload: { command: 'next', count: 2 } });
    const next = (await replies).payload as Array<{ name: string; next: string[] }>;
    const ledOn = Date.parse(next.find((s) => s.name === 'led_on')?.next[0] ?? '');
    assert.equal(next.find((s) => s.name === 'led2')?.next.length, 2);
    assert.ok(
      Math.abs(ledOn - (Date.now() + 60_000)) < 2000,
      'led_on one minute after the record schedule fired',
    );
    press('stop recording', tab);
    await waitFor(
      () => (sim.state.cameras.get('FAKE0')?.recording.status === 'idle' ? true : undefined),
      3000,
    );
    const afterStop = nextMessage(helper.getNode(find('debug', 'schedule replies', tab).id));
    scheduleNode.receive({ payload: { command: 'next', count: 2 } });
    const stopped = (await afterStop).payload as Array<{ name: string; next: string[] }>;
    assert.deepEqual(stopped.find((s) => s.name === 'led2')?.next, [], 'stop ended the output schedules');
  });

  it('wires no schedule node of a local protocol back into itself', () => {
    for (const schedule of flows.filter((n) => n.type === 'recorder-schedule')) {
      const feeding = flows.filter(
        // Buttons, and the leader record from MQTT: sources, not loops.
        (n) =>
          n.type !== 'inject' &&
          n.type !== 'mqtt in' &&
          JSON.stringify(n.wires ?? []).includes(JSON.stringify(schedule.id)),
      );
      assert.deepEqual(
        feeding.map((n) => `${n.type} ${String(n.name)}`),
        [],
        `only buttons and MQTT feed ${String(schedule.name)}`,
      );
    }
  });

  // Last: it starts a 30-minute recording on every camera of the simulator.
  it('starts the recording and the anchored stimulus schedules when the hourly record schedule fires', async () => {
    const tab = /hourly recording \+ stimulus \(local\)/;
    press('record now', tab);
    await waitFor(
      () => (sim.state.cameras.get('FAKE0')?.recording.status === 'recording' ? true : undefined),
      3000,
    );
    const scheduleNode = helper.getNode(find('recorder-schedule', 'protocol', tab).id);
    const replies = nextMessage(helper.getNode(find('debug', 'schedule replies', tab).id));
    scheduleNode.receive({ payload: { command: 'next', count: 10 } });
    const next = (await replies).payload as Array<{ name: string; next: string[] }>;
    const stimOn = next.find((s) => s.name === 'stim_on')?.next.map((at) => Date.parse(at)) ?? [];
    assert.equal(stimOn.length, 5, 'five stimuli in the 30 minutes of the run');
    assert.ok(
      Math.abs((stimOn[0] ?? 0) - (Date.now() + 5 * 60_000)) < 2000,
      'the first 5 minutes after record',
    );
  });
});
