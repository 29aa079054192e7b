/**
 * One control vocabulary for every stream node: `msg.action` start / stop / restart (a message
 * without one means start), each answered on output 2 with the original message and
 * `payload = {action, state}`; anything else reaches a Catch node with the message. Each node runs
 * against its simulator, and the test checks that the stream really stops and comes back.
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import type { MotifSimulator } from '../../src/simulators/motif';
import { RemotiveSimulator } from '../../src/simulators/remotive';
import { startSimulator } from '../motif/helpers';
import {
  credentials as aiveroCredentials,
  serverNode as aiveroServerNode,
  startSim as startAiveroSim,
} from './aivero-helpers';
import { nextMessage, waitFor, type FlowNode, type Message } from '../support/flow';
import { helper, loadFlow, nodeModule } from '../support/node-red';

const TAIL: FlowNode[] = [
  { id: 'tab', type: 'tab' },
  { id: 'data', type: 'helper', z: 'tab' },
  { id: 'answers', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 100, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

/** Sends a control message and returns its answer (output 2). */
async function control(node: Node, msg: Message): Promise<Message> {
  const answer = nextMessage(helper.getNode('answers'));
  node.receive(msg);
  return answer;
}

interface Case {
  type: string;
  /** Starts what the node needs; returns the flow, credentials, a probe "is the stream open" and clean-up. */
  setUp(): Promise<{
    flow: FlowNode[];
    credentials: Record<string, Record<string, string>>;
    open(): boolean;
    tearDown(): Promise<void>;
  }>;
}

const CASES: Case[] = [
  {
    type: 'aivero-watch',
    async setUp() {
      const sim = await startAiveroSim();
      return {
        flow: [
          aiveroServerNode(sim),
          {
            id: 'node',
            type: 'aivero-watch',
            z: 'tab',
            server: 'srv',
            scope: 'all',
            protocol: 'graphql-transport-ws',
            wires: [['data'], ['answers']],
          },
        ],
        credentials: aiveroCredentials(sim),
        open: () => sim.liveQueryCount > 0,
        tearDown: () => sim.close(),
      };
    },
  },
  {
    type: 'motif-stream',
    async setUp() {
      const sim: MotifSimulator = await startSimulator({
        cameras: ['FAKE0'],
        streams: { fps: 30, width: 32, height: 24, statePerSecond: 30 },
      });
      return {
        flow: [
          {
            id: 'srv',
            type: 'motif-server',
            host: '127.0.0.1',
            port: sim.port,
            tlsMode: 'fingerprint',
            fingerprint: sim.fingerprint256,
            timeout: 2,
          },
          {
            id: 'node',
            type: 'motif-stream',
            z: 'tab',
            server: 'srv',
            camera: 'FAKE0',
            stream: 'state',
            autoStart: false,
            wires: [['data'], ['answers']],
          },
        ],
        credentials: { srv: { apiKey: sim.apiKey } },
        // Open: a state message (30 per second) arrived within the last 300 ms.
        open: () => Date.now() - lastDataAt < 300,
        tearDown: () => sim.close(),
      };
    },
  },
  {
    type: 'remotive-status',
    async setUp() {
      const sim = await RemotiveSimulator.start({ statusIntervalMs: 50, tickMs: 20 });
      return {
        flow: [
          { id: 'brk', type: 'remotive-broker', url: sim.url, ca: '', timeout: 2 },
          {
            id: 'node',
            type: 'remotive-status',
            z: 'tab',
            broker: 'brk',
            path: '',
            length: '',
            wires: [['data'], ['answers']],
          },
        ],
        credentials: {},
        open: () => sim.state.statusStreams > 0,
        tearDown: () => sim.close(),
      };
    },
  },
  {
    type: 'remotive-signals',
    async setUp() {
      const sim = await RemotiveSimulator.start({ statusIntervalMs: 50, tickMs: 20 });
      return {
        flow: [
          { id: 'brk', type: 'remotive-broker', url: sim.url, ca: '', timeout: 2 },
          {
            id: 'node',
            type: 'remotive-signals',
            z: 'tab',
            broker: 'brk',
            namespace: 'chassis',
            signals: 'Speed',
            output: 'batch',
            wires: [['data'], ['answers']],
          },
        ],
        credentials: {},
        open: () => sim.state.signalStreams > 0,
        tearDown: () => sim.close(),
      };
    },
  },
];

const MODULES = [
  'motif-server',
  'motif-stream',
  'remotive-broker',
  'remotive-status',
  'remotive-signals',
  'aivero-server',
  'aivero-watch',
].map(nodeModule);

/** When output 1 last sent something. */
let lastDataAt = 0;

for (const c of CASES) {
  describe(`${c.type} answers every control message`, function () {
    let env: Awaited<ReturnType<Case['setUp']>>;

    beforeEach(async () => {
      env = await c.setUp();
      await helper.startServer();
      await loadFlow(MODULES, [...env.flow, ...TAIL], env.credentials);
      lastDataAt = 0;
      helper.getNode('data').on('input', () => (lastDataAt = Date.now()));
    });
    afterEach(async () => {
      await helper.unload();
      await helper.stopServer();
      await env.tearDown();
    });

    it('start, stop, restart and a bare message: each answered with the state afterwards, and the stream follows', async () => {
      const node = helper.getNode('node');
      if (c.type !== 'motif-stream') await waitFor(() => (env.open() ? true : undefined));

      const stopped = await control(node, { action: 'stop', tag: 1 });
      assert.equal(stopped.tag, 1, 'the answer is the original message');
      assert.deepEqual(stopped.payload, { action: 'stop', state: 'stopped' });
      await waitFor(() => (env.open() ? undefined : true));

      const started = await control(node, { action: 'start', tag: 2 });
      assert.equal(started.tag, 2);
      assert.equal((started.payload as { action: string }).action, 'start');
      assert.notEqual((started.payload as { state: string }).state, 'stopped');
      await waitFor(() => (env.open() ? true : undefined));

      const restarted = await control(node, { action: 'restart', tag: 3 });
      assert.equal((restarted.payload as { action: string }).action, 'restart');
      assert.notEqual((restarted.payload as { state: string }).state, 'stopped');
      await waitFor(() => (env.open() ? true : undefined));

      await control(node, { action: 'stop' });
      const bare = await control(node, { payload: 'go', tag: 4 });
      assert.equal(bare.tag, 4);
      assert.equal((bare.payload as { action: string }).action, 'start', 'a message without action starts');
      await waitFor(() => (env.open() ? true : undefined));
    });

    it('another action reaches Catch with the original message, and changes nothing', async () => {
      const node = helper.getNode('node');
      const caught = nextMessage(helper.getNode('caught'));
      node.receive({ action: 'jump', tag: 'mine' });
      const err = await caught;
      assert.equal(err.tag, 'mine');
      assert.match(
        (err.error as { message: string }).message,
        /msg\.action must be "start", "stop" or "restart"/,
      );
    });
  });
}
