/**
 * motif-server + motif-action inside a real Node-RED runtime, against the motif simulator over
 * real HTTPS.
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { clientFor } from '../motif/helpers';
import { assertNoLeakAfterRedeploys } from '../support/leaks';
import { helper, loadFlow, nodeModule, redeploy } from '../support/node-red';
import { collect, nextMessage, statusOf, waitFor, type FlowNode } from '../support/flow';

const MOTIF = [nodeModule('motif-server'), nodeModule('motif-action')];

/**
 * The last request a node sent: the server node's own check (GET /version, GET /cameras, and the
 * GET /version calls that open a connection per camera) may still be under way beside it.
 */
function lastCall(sim: MotifSimulator): MotifSimulator['requests'][number] {
  const calls = sim.requests.filter((r) => r.path !== '/version' && r.path !== '/api/1/cameras');
  assert.ok(calls.length > 0, 'a node sent a request');
  return calls[calls.length - 1];
}

function serverNode(sim: MotifSimulator, extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'srv',
    type: 'motif-server',
    host: '127.0.0.1',
    port: sim.port,
    tlsMode: 'fingerprint',
    fingerprint: sim.fingerprint256,
    timeout: 2,
    ...extra,
  };
}

function actionNode(extra: Partial<FlowNode>): FlowNode {
  return {
    id: 'act',
    type: 'motif-action',
    z: 'tab',
    server: 'srv',
    operation: 'version',
    camera: '',
    output: '',
    parameter: '',
    task: '',
    ioSerial: '',
    ioPort: '',
    args: '',
    wait: false,
    waitTimeout: 5,
    wires: [['out']],
    ...extra,
  };
}

const tail: FlowNode[] = [
  { id: 'tab', type: 'tab' },
  { id: 'out', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 100, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

describe('motif nodes in Node-RED', function () {
  let sim: MotifSimulator;

  before(async () => {
    sim = await MotifSimulator.start({ timing: { pendingMs: 50, copyMs: 300, exportMs: 300 } });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  async function load(flow: FlowNode[], apiKey = sim.apiKey): Promise<void> {
    await loadFlow(MOTIF, [...flow, ...tail], { srv: { apiKey } });
  }

  it('declares the API key as a password credential in the runtime', async () => {
    await load([serverNode(sim), actionNode({})]);
    const red = (helper as unknown as { _RED: { nodes: { getCredentialDefinition(t: string): unknown } } })
      ._RED;
    assert.deepEqual(red.nodes.getCredentialDefinition('motif-server'), { apiKey: { type: 'password' } });
  });

  it('runs an operation and reports the call in msg.motif', async () => {
    await load([serverNode(sim), actionNode({ operation: 'version' })]);
    const out = helper.getNode('out');
    const received = nextMessage(out);
    helper.getNode('act').receive({ payload: 'go', topic: 't' });
    const msg = await received;
    assert.equal(typeof (msg.payload as { software: unknown }).software, 'string');
    assert.equal(msg.topic, 't', 'the incoming msg is reused');
    const motif = msg.motif as Record<string, unknown>;
    assert.equal(motif.operation, 'version');
    assert.equal(motif.method, 'GET');
    assert.equal(motif.path, '/version');
    assert.equal(motif.server, `127.0.0.1:${sim.port}`);
  });

  it('shows the connection in the status of its users', async () => {
    await load([serverNode(sim), actionNode({})]);
    const status = await waitFor(() => {
      const s = statusOf(helper.getNode('act'));
      return s?.fill === 'green' ? s : undefined;
    });
    assert.equal(status.shape, 'dot');
  });

  it('takes msg.camera where the node is set to "from msg", and msg.payload as arguments', async () => {
    await load([
      serverNode(sim),
      actionNode({ operation: 'camera/<serial>/configure', camera: '', args: '{"Gain": 1}' }),
    ]);
    const out = helper.getNode('out');
    const received = nextMessage(out);
    helper.getNode('act').receive({ camera: 'FAKE1', payload: { Gain: 7, ExposureTime: 1234 } });
    const msg = await received;
    assert.equal((msg.motif as { camera: string }).camera, 'FAKE1');
    const last = lastCall(sim);
    assert.equal(last.method, 'PATCH');
    assert.equal(last.path, '/api/1/camera/FAKE1/configure');
    assert.deepEqual(JSON.parse(last.body), { Gain: 7, ExposureTime: 1234 });
  });

  it('keeps configured operation, camera and parameter whatever the message says', async () => {
    await load([
      serverNode(sim),
      actionNode({ operation: 'camera/<serial>/read/<name>', camera: 'FAKE0', parameter: 'Gain' }),
    ]);
    const received = nextMessage(helper.getNode('out'));
    helper.getNode('act').receive({
      operation: 'schedule/clear',
      camera: 'FAKE1',
      parameter: 'ExposureTime',
      payload: null,
    });
    const msg = await received;
    assert.equal((msg.motif as { path: string }).path, '/api/1/camera/FAKE0/read/Gain');
    assert.equal(lastCall(sim).path, '/api/1/camera/FAKE0/read/Gain');
  });

  it('takes a scalar payload as the value of an output and sends +inf as a toggle', async () => {
    await load([serverNode(sim), actionNode({ operation: 'io/<name>/set', output: 'led' })]);
    const out = helper.getNode('out');
    let received = nextMessage(out);
    helper.getNode('act').receive({ payload: 0.3 });
    await received;
    assert.match(lastCall(sim).body, /"value":\s*0\.3/);
    received = nextMessage(out);
    helper.getNode('act').receive({ payload: '+inf' });
    await received;
    assert.match(lastCall(sim).body, /"value":\s*Infinity/);
  });

  it('runs a per-camera-only operation on all cameras, results keyed by serial', async () => {
    await load([serverNode(sim), actionNode({ operation: 'camera/<serial>', camera: '__all' })]);
    const received = nextMessage(helper.getNode('out'));
    helper.getNode('act').receive({ payload: null });
    const msg = await received;
    assert.deepEqual(Object.keys(msg.payload as object).sort(), ['FAKE0', 'FAKE1']);
  });

  it('uses the all-cameras endpoint when the operation has one', async () => {
    await load([serverNode(sim), actionNode({ operation: 'camera/<serial>/recording/stop', camera: 'all' })]);
    const received = nextMessage(helper.getNode('out'));
    helper.getNode('act').receive({});
    const msg = await received;
    assert.equal((msg.motif as { path: string }).path, '/api/1/recording/stop');
  });

  it('waits until a timed recording has finished when asked to', async () => {
    await load([
      serverNode(sim),
      actionNode({
        operation: 'camera/<serial>/recording/start',
        camera: 'FAKE0',
        args: '{"duration": 1}',
        wait: true,
      }),
    ]);
    const started = Date.now();
    const received = nextMessage(helper.getNode('out'), 8000);
    helper.getNode('act').receive({ payload: { filename: 'trial' } });
    const msg = await received;
    assert.ok(Date.now() - started >= 900, 'the message left after the recording ended');
    assert.equal((msg.motif as { waitedFor: string }).waitedFor, 'stopped');
    assert.equal(sim.state.cameras.get('FAKE0')?.recording.status, 'idle', 'FAKE0 no longer records');
  });

  it('waits for every camera after an all-cameras recording', async () => {
    await load([
      serverNode(sim),
      actionNode({ operation: 'recording/start', args: '{"duration": 1}', wait: true }),
    ]);
    const started = Date.now();
    const received = nextMessage(helper.getNode('out'), 8000);
    helper.getNode('act').receive({});
    await received;
    assert.ok(Date.now() - started >= 900, 'the message left after the recordings ended');
    for (const serial of ['FAKE0', 'FAKE1'])
      assert.equal(sim.state.cameras.get(serial)?.recording.status, 'idle');
  });

  describe('errors reach a Catch node with the original message', () => {
    async function caughtFor(
      flow: FlowNode[],
      msg: Record<string, unknown>,
      apiKey?: string,
    ): Promise<Record<string, unknown>> {
      await load(flow, apiKey);
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('act').receive(msg);
      return caught;
    }

    it('an unknown camera', async () => {
      const msg = await caughtFor([serverNode(sim), actionNode({ operation: 'camera/<serial>' })], {
        camera: 'NOPE',
        marker: 42,
      });
      assert.equal(msg.marker, 42);
      assert.match((msg.error as { message: string }).message, /404/);
      await waitFor(() => (statusOf(helper.getNode('act'))?.fill === 'red' ? true : undefined));
    });

    it('a bad path segment, which never reaches the server', async () => {
      const before = sim.requests.length;
      const msg = await caughtFor([serverNode(sim), actionNode({ operation: 'camera/<serial>' })], {
        camera: 'FA KE',
      });
      assert.match((msg.error as { message: string }).message, /serial|camera/i);
      assert.ok(
        sim.requests.slice(before).every((r: { path: string }) => !r.path.includes('FA')),
        'no request with the bad serial was sent',
      );
    });

    it('a wrong argument type', async () => {
      const msg = await caughtFor([serverNode(sim), actionNode({ operation: 'recording/start' })], {
        payload: { duration: 'long' },
      });
      assert.match((msg.error as { message: string }).message, /duration.*number/);
    });

    it('a rejected API key, without showing the key', async () => {
      const wrongKey = 'ffffffffffffffffffffffffffffffff';
      const msg = await caughtFor([serverNode(sim), actionNode({})], { payload: 1 }, wrongKey);
      const text = JSON.stringify(msg);
      assert.match((msg.error as { message: string }).message, /API key/i);
      assert.ok(!text.includes(wrongKey), 'the key is not in the message');
      const status = await waitFor(() => {
        const s = statusOf(helper.getNode('act'));
        return s?.fill === 'red' ? s : undefined;
      });
      assert.ok(!String(status.text).includes(wrongKey));
    });

    it('an unreachable server', async () => {
      const msg = await caughtFor([serverNode(sim, { port: 1 }), actionNode({})], { payload: 1 });
      assert.match((msg.error as { message: string }).message, /not reachable/);
      const status = await waitFor(() => {
        const s = statusOf(helper.getNode('act'));
        return s?.fill === 'red' && s.shape === 'ring' ? s : undefined;
      });
      assert.ok(status);
    });
  });

  describe('editor look-ups', () => {
    interface Operation {
      id: string;
      fields: Array<{ param: string; field: string }>;
      waitable: boolean;
      wait: string | null;
      uses: string[];
    }

    it('serve the operation table with the node field of every path parameter and waitability', async () => {
      await load([serverNode(sim), actionNode({})]);
      const res = await helper.request().get('/recorders/motif/operations').expect(200);
      const ops = res.body as Operation[];
      assert.equal(ops.length, 44);
      const byId = new Map(ops.map((o) => [o.id, o]));
      assert.deepEqual(
        byId.get('schedule/camera/<serial>/io/<name>/set')?.fields.map((f) => [f.param, f.field]),
        [
          ['serial', 'camera'],
          ['name', 'output'],
        ],
      );
      assert.deepEqual(
        byId.get('camera/<serial>/read/<name>')?.fields.map((f) => f.field),
        ['camera', 'parameter'],
      );
      assert.deepEqual(
        byId.get('schedule/<task_name>/clear')?.fields.map((f) => f.field),
        ['task'],
      );
      assert.deepEqual(
        byId.get('io/<io_serial>/<io_port>/set')?.fields.map((f) => f.field),
        ['ioSerial', 'ioPort'],
      );
      assert.equal(byId.get('recording/start')?.wait, 'stopped');
      assert.equal(byId.get('camera/<serial>/recordings/export_all')?.wait, 'exported');
      assert.equal(byId.get('schedule/recording/start')?.waitable, false);
      assert.equal(byId.get('version')?.waitable, false);
      // Every field an operation reads, so the editor derives nothing itself.
      assert.deepEqual(byId.get('version')?.uses, []);
      assert.deepEqual(byId.get('camera/<serial>/recording/start')?.uses, [
        'camera',
        'args',
        'payloadArgs',
        'wait',
        'waitTimeout',
      ]);
      assert.deepEqual(byId.get('io/<io_serial>/<io_port>/set')?.uses.slice(0, 2), ['ioSerial', 'ioPort']);
    });

    it('list the cameras of a deployed server', async () => {
      await load([serverNode(sim), actionNode({})]);
      const res = await helper.request().get('/recorders/motif/srv/cameras').expect(200);
      assert.deepEqual(res.body, ['FAKE0', 'FAKE1']);
    });

    it('answer JSON errors for a node of another type, an unknown id and an unreachable server', async () => {
      await loadFlow(
        [...MOTIF, nodeModule('remotive-broker')],
        [
          serverNode(sim, { port: 1 }),
          actionNode({}),
          // A config node of another backend that also has a connection: not a motif-server.
          { id: 'rb', type: 'remotive-broker', url: 'http://127.0.0.1:1', ca: '', timeout: 2 },
          ...tail,
        ],
        { srv: { apiKey: sim.apiKey } },
      );
      for (const [id, code] of [
        ['act', 404],
        ['rb', 404],
        ['nope', 404],
        ['srv', 502],
      ] as const) {
        const res = await helper.request().get(`/recorders/motif/${id}/cameras`).expect(code);
        assert.match(String(res.headers['content-type']), /json/, id);
        const body = res.body as { error?: unknown };
        assert.equal(typeof body.error, 'string', id);
        assert.doesNotMatch(String(body.error), /\n\s+at /, 'no stack trace');
      }
    });
  });

  it('warns in the status when TLS is not verified, and keeps warning after calls', async () => {
    await load([serverNode(sim, { tlsMode: 'insecure' }), actionNode({})]);
    const status = await waitFor(() => {
      const s = statusOf(helper.getNode('act'));
      return s?.fill === 'yellow' && /insecure/.test(String(s.text)) ? s : undefined;
    });
    assert.equal(status.shape, 'ring');
    const out = helper.getNode('out');
    for (let i = 0; i < 3; i++) {
      const received = nextMessage(out);
      helper.getNode('act').receive({ payload: i });
      await received;
    }
    // The call's own activity shows, but the yellow of the standing warning stays.
    const after = await waitFor(() => {
      const s = statusOf(helper.getNode('act'));
      return s?.fill === 'yellow' && /Software version/.test(String(s.text)) ? s : undefined;
    });
    assert.notEqual(after.fill, 'green');
  });

  it("shows an API error in the server's words, not a code", async () => {
    await load([
      serverNode(sim),
      actionNode({ operation: 'camera/<serial>/recording/start', camera: 'FAKE0' }),
    ]);
    const act = helper.getNode('act');
    const first = nextMessage(helper.getNode('out'));
    act.receive({ payload: null });
    await first;
    const caught = nextMessage(helper.getNode('caught'));
    act.receive({ payload: null });
    const err = await caught;
    assert.match((err.error as { message: string }).message, /already recording/);
    const status = await waitFor(() => {
      const s = statusOf(act);
      return s?.fill === 'red' ? s : undefined;
    });
    assert.equal(status.text, 'already recording');
    const client = clientFor(sim);
    await client.call('camera/<serial>/recording/stop', { serial: 'FAKE0' });
    await client.close();
  });

  describe('a motif-server configuration that can not work', () => {
    const cases: Array<[string, Partial<FlowNode>, string | undefined, RegExp]> = [
      ['CA text that is not PEM', { tlsMode: 'ca', ca: 'not a pem' }, undefined, /CA certificate/],
      [
        'a PEM-looking CA that is not a certificate',
        { tlsMode: 'ca', ca: '-----BEGIN CERTIFICATE-----\nzz\n-----END CERTIFICATE-----' },
        undefined,
        /CA certificate/,
      ],
      ['a malformed pin', { fingerprint: 'zz:11' }, undefined, /certificate fingerprint/],
      ['a host with a scheme', { host: 'https://motif' }, undefined, /host/],
      ['a host with a space', { host: 'motif pc' }, undefined, /host/],
      ['port 99999', { port: 99999 }, undefined, /port/],
      ['port "abc"', { port: 'abc' }, undefined, /port/],
      ['an API key with a space', {}, 'bad key', /API key/],
      ['no API key', {}, '', /API key/],
    ];
    for (const [what, extra, apiKey, field] of cases) {
      it(`${what}: red status and a catchable ConfigError naming the field for every message`, async () => {
        const before = sim.requestCount;
        await load([serverNode(sim, extra), actionNode({})], apiKey ?? sim.apiKey);
        const act = helper.getNode('act');
        const errors = collect(helper.getNode('caught'));
        for (let i = 0; i < 3; i++) act.receive({ payload: i, n: i });
        await waitFor(() => (errors.length === 3 ? true : undefined));
        for (const [i, e] of errors.entries()) {
          assert.equal(e.n, i, 'the original message');
          const message = (e.error as { message: string }).message;
          assert.match(message, /motif-server: /);
          assert.match(message, field);
          if (apiKey) assert.ok(!message.includes(apiKey), 'the key is not shown');
        }
        const status = await waitFor(() => (statusOf(act)?.fill === 'red' ? statusOf(act) : undefined));
        assert.ok(status);
        assert.equal(sim.requestCount, before, 'nothing was sent');
      });
    }
  });

  it('leaves no socket, timer or listener behind after 100 redeploys', async function () {
    this.timeout(60_000);
    const flow = [serverNode(sim), actionNode({}), ...tail];
    await load([serverNode(sim), actionNode({})]);
    type Server = Node & { connection: { listenerCount(e: string): number; state: string } };
    const deployOnce = async (): Promise<void> => {
      await redeploy(flow, { srv: { apiKey: sim.apiKey } });
      const received = nextMessage(helper.getNode('out'));
      helper.getNode('act').receive({});
      await received;
      // The check ends with a connection per camera: counted alike in the baseline and after.
      const srv = helper.getNode('srv') as unknown as Server;
      await waitFor(() => srv.connection.state === 'connected' || undefined);
    };
    await assertNoLeakAfterRedeploys(deployOnce);
    const server = helper.getNode('srv') as unknown as Server;
    assert.equal(server.connection.listenerCount('state'), 1, 'one user listening');
  });
});
