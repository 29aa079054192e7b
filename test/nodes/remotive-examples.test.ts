/**
 * The remotive example flows, assembled as `npm start` does (config nodes pointed at the broker
 * simulator and a local MQTT broker), run in the Node-RED test helper: each one produces messages.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Node } from 'node-red';
import { assembleFlows, listExamples } from '../../src/devtools/flows';
import { startMqttBroker } from '../../src/devtools/mqtt-broker';
import { simulatorTargets } from '../../src/devtools/targets';
import type { RemotiveSimulator } from '../../src/simulators/remotive';
import type { SimulatorHandle } from '../../src/simulators/types';
import { coreModule } from '../examples/runtime';
import { collect, waitFor } from '../support/flow';
import { loadExampleFlows, type FlowNode } from '../support/node-red';
import { REMOTIVE, helper, startSim } from './remotive-helpers';

const CORE = [
  'core/common/20-inject.js',
  'core/common/21-debug.js',
  'core/common/90-comment.js',
  'core/common/25-catch.js',
  'core/function/10-function.js',
  'core/function/15-change.js',
  'core/function/10-switch.js',
  'core/network/10-mqtt.js',
].map(coreModule);

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples', 'remotive');

describe('remotive examples', function () {
  let sim: RemotiveSimulator;
  let mqtt: SimulatorHandle;
  let flows: FlowNode[];

  before(async () => {
    mqtt = await startMqttBroker(21883);
  });
  after(async () => mqtt.close());
  beforeEach(async () => {
    sim = await startSim();
    const handles: SimulatorHandle[] = [
      { name: 'remotive', endpoints: { grpc: sim.url }, info: {}, close: () => sim.close() },
      mqtt,
    ];
    const assembled = assembleFlows(listExamples(EXAMPLES), simulatorTargets(handles));
    flows = assembled.flows;
    await helper.startServer();
    await loadExampleFlows([...REMOTIVE, ...CORE], flows, assembled.credentials);
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  /** The node of example `index` (0-based, file order) with id `id` in the example file. */
  function node(index: number, id: string): Node {
    return helper.getNode(`ex${index}-${id}`);
  }

  it('every example has one tab, a comment and only known node types', () => {
    const tabs = flows.filter((n) => n.type === 'tab');
    assert.equal(tabs.length, 4);
    for (const tab of tabs) assert.ok(flows.some((n) => n.type === 'comment' && n.z === tab.id));
  });

  it('01 lists the files, opens the first session, plays and closes it', async () => {
    const out = collect(node(0, 'out'));
    node(0, 'start').receive({ payload: Date.now() });
    await waitFor(() => (out.length >= 1 ? true : undefined));
    assert.equal((out[0].payload as { mode: string }).mode, 'playing');
    assert.equal(sim.state.sessions[0]?.path, 'drive/city-loop.recordingsession.yaml');
    node(0, 'stop').receive({ payload: Date.now() });
    await waitFor(() => (sim.state.sessions.length === 0 ? true : undefined));
  });

  it('02 loops a section and delivers its signals', async () => {
    const signals = collect(node(1, 'sigout'));
    node(1, 'start').receive({ payload: Date.now() });
    await waitFor(() => (signals.length >= 1 ? true : undefined), 3000);
    const session = sim.state.sessions[0];
    assert.deepEqual(session.repeat, { startUs: 10_000_000, endUs: 20_000_000 });
    assert.equal(session.mode, 'PLAYBACK_PLAYING');
    assert.ok('Speed' in (signals[0].payload as object));
  });

  it('03 takes playback commands over MQTT', async () => {
    const out = collect(node(2, 'out'));
    // Publish as an MQTT client would, through the example's broker connection; repeat until the
    // mqtt in node's subscription is in place.
    const connection = helper.getNode('sim-mqtt-broker') as unknown as {
      publish(msg: { topic: string; payload: string; qos: number }): void;
    };
    await waitFor(
      () => {
        if (out.length > 0) return true;
        connection.publish({ topic: 'lab/playback/open', payload: '{}', qos: 1 });
        return undefined;
      },
      5000,
      200,
    );
    assert.equal((out[0].remotive as { operation: string }).operation, 'open');
    assert.equal(sim.state.sessions.length, 1);
  });

  it('04 turns the status stream into a panel line', async () => {
    const panel = collect(node(3, 'panel'));
    node(3, 'bopen').receive({ payload: 1 });
    await waitFor(() => (sim.state.sessions.length === 1 ? true : undefined));
    node(3, 'bplay').receive({ payload: 1 });
    await waitFor(() => (panel.some((m) => /playing/.test(String(m.payload))) ? true : undefined), 3000);
    assert.match(
      String(panel[panel.length - 1].payload),
      /^city-loop\.recordingsession\.yaml: playing 0:0\d\.\d \[#*-*\]$/,
    );
  });
});
