/**
 * Hostile messages against the motif nodes in a real Node-RED runtime and the motif simulator over
 * real HTTPS: every message answered, nothing hostile on the wire, a configured operation never
 * replaced by msg.operation.
 */
import assert from 'node:assert/strict';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { helper, nodeModule, type FlowNode } from '../support/node-red';
import { assertNothingHostileReached, assertOutputOrCatch, runHostile, TARGET } from './harness';
import { hostileMessages, uncopyableMessages } from './values';

const MODULES = [nodeModule('motif-server'), nodeModule('motif-action'), nodeModule('motif-stream')];
const COUNT = 320;

describe('hostile input: motif nodes', function () {
  this.timeout(120_000);
  let sim: MotifSimulator;

  before(async () => {
    sim = await MotifSimulator.start({ requestLogSize: 100_000, streams: { enabled: false } });
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  const server = (): FlowNode => ({
    id: 'srv',
    type: 'motif-server',
    host: '127.0.0.1',
    port: sim.port,
    tlsMode: 'fingerprint',
    fingerprint: sim.fingerprint256,
    timeout: 2,
  });
  const credentials = (): Record<string, Record<string, string>> => ({ srv: { apiKey: sim.apiKey } });

  it('motif-action set to "from msg": every message answered, nothing hostile reaches motif', async () => {
    sim.requests.length = 0;
    const result = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [
        server(),
        {
          id: TARGET,
          type: 'motif-action',
          server: 'srv',
          operation: '',
          camera: '',
          output: '',
          parameter: '',
          task: '',
          ioSerial: '',
          ioPort: '',
          args: '',
          payloadArgs: true,
          wait: false,
          waitTimeout: 5,
        },
      ],
      messages: hostileMessages(
        ['operation', 'camera', 'output', 'parameter', 'task', 'ioSerial', 'ioPort', 'payload'],
        COUNT,
        1,
        {
          operation: 'camera/<serial>/io/<name>/set',
          camera: 'FAKE0',
          output: 'led',
          payload: 1,
        },
      ),
    });
    assert.ok(result.caught > 0, 'hostile values are reported as errors');
    assertNothingHostileReached(sim.requests);
  });

  it('a configured operation wins over msg.operation (no schedule/clear, recording/stop, disconnect_all)', async () => {
    sim.requests.length = 0;
    const messages = [
      'schedule/clear',
      'recording/stop',
      'multicam/disconnect_all',
      'camera/<serial>/recording/stop',
    ].map((operation, i) => ({ _msgid: `op-${i}`, operation, payload: 1 }));
    const result = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [
        server(),
        {
          id: TARGET,
          type: 'motif-action',
          server: 'srv',
          operation: 'camera/<serial>/io/<name>/set',
          camera: 'FAKE0',
          output: 'led',
          parameter: '',
          task: '',
          ioSerial: '',
          ioPort: '',
          args: '',
          payloadArgs: true,
          wait: false,
          waitTimeout: 5,
        },
      ],
      messages,
    });
    assert.equal(result.outputs, messages.length, 'each message ran the configured operation');
    // The motif-server's connection check (GET /version, GET /cameras, and a GET /version per camera
    // that opens its connection) is not the node's call.
    const paths = sim.requests
      .map((r) => r.path)
      .filter((p) => !p.endsWith('/version') && p !== '/api/1/cameras');
    assert.ok(
      paths.every((p) => /\/camera\/FAKE0\/io\/led\/set$/.test(p)),
      `requests: ${paths.join(', ')}`,
    );
  });

  it('motif-stream control messages: every message answered', async () => {
    await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [
        server(),
        {
          id: TARGET,
          type: 'motif-stream',
          server: 'srv',
          camera: 'FAKE0',
          stream: 'state',
          autoStart: false,
        },
      ],
      // A message without action starts the stream (legitimate work, not what this suite measures):
      // each message here carries one, hostile or "stop".
      messages: hostileMessages(['action', 'camera'], COUNT, 2, { action: 'stop' }).map((msg) =>
        'action' in msg ? msg : { ...msg, action: 'stop' },
      ),
    });
    assertNothingHostileReached(sim.requests);
  });

  it('messages Node-RED can not copy (5,000 and 100,000 levels deep, throwing getters and proxies): each answered by an output or a Catch', async () => {
    const action = {
      id: TARGET,
      type: 'motif-action',
      server: 'srv',
      camera: '',
      output: '',
      parameter: '',
      task: '',
      ioSerial: '',
      ioPort: '',
      args: '',
      payloadArgs: true,
      wait: false,
      waitTimeout: 5,
    };
    const fromMsg = uncopyableMessages(['operation', 'camera', 'output', 'args'], 'from-msg', {
      operation: 'camera/<serial>/io/<name>/set',
      camera: 'FAKE0',
      output: 'led',
    });
    const fromMsgResult = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [server(), { ...action, operation: '' }],
      messages: fromMsg,
    });
    assertOutputOrCatch(fromMsgResult, fromMsg);
    await helper.unload();
    const configured = uncopyableMessages(
      ['camera', 'topic', 'commandId', 'correlationData', 'responseTopic'],
      'configured',
    );
    const configuredResult = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [server(), { ...action, operation: 'version', payloadArgs: false }],
      messages: configured,
    });
    assertOutputOrCatch(configuredResult, configured);
    assert.ok(configuredResult.outputs > 0, 'a call that needs nothing of the message still succeeds');
    await helper.unload();
    const stream = uncopyableMessages(['action', 'camera'], 'stream');
    const streamResult = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [
        server(),
        {
          id: TARGET,
          type: 'motif-stream',
          server: 'srv',
          camera: 'FAKE0',
          stream: 'state',
          autoStart: false,
        },
      ],
      messages: stream,
    });
    // A control message without an action (re)starts the stream: it is answered by its completion.
    assertOutputOrCatch(streamResult, stream, (msg) => msg.action === undefined);
  });
});

describe('bad configuration: motif-server', function () {
  this.timeout(60_000);
  let sim: MotifSimulator;

  before(async () => {
    sim = await MotifSimulator.start({ streams: { enabled: false } });
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  // Catch nodes see err.toString(): "ConfigError: <node type>: <field label> <problem>", from the field reader.
  const cases: Array<{ what: string; server: Partial<FlowNode>; apiKey?: string; field: RegExp }> = [
    {
      what: 'CA text that is not PEM',
      server: { tlsMode: 'ca', ca: 'not a pem' },
      field: /^ConfigError: motif-server: CA certificate/,
    },
    {
      what: 'a malformed pin',
      server: { fingerprint: 'zz:11' },
      field: /^ConfigError: motif-server: (certificate )?fingerprint/,
    },
    {
      what: 'a host with a scheme',
      server: { host: 'https://motif' },
      field: /^ConfigError: motif-server: host/,
    },
    { what: 'a host with a space', server: { host: 'motif pc' }, field: /^ConfigError: motif-server: host/ },
    { what: 'port 99999', server: { port: 99999 }, field: /^ConfigError: motif-server: port/ },
    {
      what: 'an API key with a space',
      server: {},
      apiKey: 'bad key',
      field: /^ConfigError: motif-server: API key/,
    },
  ];
  for (const c of cases) {
    it(`${c.what}: every message gets a catchable ConfigError naming the field, the user node is red`, async () => {
      const messages = [0, 1, 2].map((i) => ({ _msgid: `cfg-${i}`, payload: i }));
      const result = await runHostile({
        modules: MODULES,
        credentials: { srv: { apiKey: c.apiKey ?? sim.apiKey } },
        nodes: [
          {
            id: 'srv',
            type: 'motif-server',
            host: '127.0.0.1',
            port: sim.port,
            tlsMode: 'fingerprint',
            fingerprint: sim.fingerprint256,
            timeout: 2,
            ...c.server,
          },
          { id: TARGET, type: 'motif-action', server: 'srv', operation: 'version' },
        ],
        messages,
      });
      assert.equal(result.caught, messages.length);
      assert.equal(result.outputs, 0);
      for (const text of result.errors) assert.match(text, c.field);
      const status = (
        helper.getNode(TARGET).status as unknown as { lastCall?: { args: [{ fill?: string }] } }
      ).lastCall?.args[0];
      assert.equal(status?.fill, 'red');
    });
  }
});
