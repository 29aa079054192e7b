/**
 * motif-stream inside a real Node-RED runtime, against the simulator's streams over real ZeroMQ.
 */
import assert from 'node:assert/strict';
import type { MotifSimulator } from '../../src/simulators/motif';
import { startSimulator } from '../motif/helpers';
import { collect, nextMessage, statusOf, waitFor, type FlowNode } from '../support/flow';
import { assertNoLeakAfterRedeploys } from '../support/leaks';
import { helper, loadFlow, nodeModule, redeploy } from '../support/node-red';

const MODULES = [nodeModule('motif-server'), nodeModule('motif-stream')];

function serverNode(sim: MotifSimulator): FlowNode {
  return {
    id: 'srv',
    type: 'motif-server',
    host: '127.0.0.1',
    port: sim.port,
    tlsMode: 'fingerprint',
    fingerprint: sim.fingerprint256,
    timeout: 2,
  };
}

function streamNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'str',
    type: 'motif-stream',
    z: 'tab',
    server: 'srv',
    camera: 'FAKE0',
    stream: 'image',
    host: '',
    mode: 'latest',
    every: 2,
    perSecond: 10,
    queue: 8,
    encoding: 'raw',
    quality: 80,
    stallTimeout: 2,
    autoStart: true,
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

function statusText(): string {
  return statusOf(helper.getNode('str'))?.text ?? '';
}

describe('motif-stream node in Node-RED', function () {
  let sim: MotifSimulator;

  before(async () => {
    sim = await startSimulator({
      cameras: ['FAKE0', 'FAKE1'],
      streams: { fps: 60, width: 64, height: 48, statePerSecond: 60 },
    });
    delete sim.state.cameras.get('FAKE1')!.streams; // a camera without streams
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

  async function load(nodes: FlowNode[]): Promise<void> {
    await loadFlow(MODULES, [serverNode(sim), ...nodes, ...tail], { srv: { apiKey: sim.apiKey } });
  }

  it('sends image frames with pixels in payload and metadata in msg.image', async () => {
    await load([streamNode()]);
    const msg = await nextMessage(helper.getNode('out'));
    assert.ok(Buffer.isBuffer(msg.payload));
    assert.equal(msg.payload.length, 64 * 48);
    const image = msg.image as Record<string, unknown>;
    assert.equal(image.dtype, 'uint8');
    assert.deepEqual(image.shape, [48, 64]);
    assert.deepEqual([image.width, image.height, image.channels], [64, 48, 1]);
    assert.equal(typeof image.frameNumber, 'number');
    assert.equal(typeof image.timestamp, 'number');
    assert.equal(image.encoding, 'raw');
    assert.equal(msg.topic, 'FAKE0');
    const motif = msg.motif as Record<string, unknown>;
    assert.deepEqual([motif.camera, motif.stream, motif.server], ['FAKE0', 'image', `127.0.0.1:${sim.port}`]);
    const text = await waitFor(() => (/rate [1-9]/.test(statusText()) ? statusText() : undefined), 4000);
    assert.match(text, /^motif-stream\.status\.rate \d+\.\d \d+$/);
    assert.equal(statusOf(helper.getNode('str'))?.fill, 'green');
  });

  it('encodes frames as JPEG when asked', async () => {
    await load([streamNode({ encoding: 'jpeg', quality: 70 })]);
    const msg = await nextMessage(helper.getNode('out'));
    const payload = msg.payload as Buffer;
    assert.deepEqual([...payload.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic');
    const image = msg.image as Record<string, unknown>;
    assert.deepEqual([image.encoding, image.mimetype], ['jpeg', 'image/jpeg']);
  });

  it('sends an encoded frame as data URL text when asked, which decodes to the same JPEG', async () => {
    await load([streamNode({ encoding: 'jpeg', quality: 70, dataUrl: true })]);
    const msg = await nextMessage(helper.getNode('out'));
    assert.equal(typeof msg.payload, 'string');
    const match = /^data:image\/jpeg;base64,([A-Za-z0-9+/]+=*)$/.exec(msg.payload as string);
    assert.ok(match, `a JPEG data URL: ${String(msg.payload).slice(0, 40)}`);
    assert.deepEqual([...Buffer.from(match[1], 'base64').subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic');
    assert.equal((msg.image as Record<string, unknown>).mimetype, 'image/jpeg');
  });

  it('keeps raw pixels a Buffer even with "payload as data URL" (a browser can not show them)', async () => {
    await load([streamNode({ dataUrl: true })]);
    const msg = await nextMessage(helper.getNode('out'));
    assert.ok(Buffer.isBuffer(msg.payload));
    assert.equal(msg.payload.length, 64 * 48);
  });

  it('sends state updates from the first camera when none is configured', async () => {
    await load([streamNode({ stream: 'state', camera: '' })]);
    const msg = await nextMessage(helper.getNode('out'));
    const state = msg.payload as Record<string, unknown>;
    assert.deepEqual(Object.keys(state).sort().slice(0, 3), ['filename', 'frame_number', 'frame_time']);
    assert.equal(state.is_recording, false);
    assert.equal(msg.topic, 'FAKE0');
    assert.equal((msg.motif as { topic: string }).topic, 'j');
  });

  it('starts, stops and restarts on msg.action; other actions reach Catch with the message', async () => {
    await load([streamNode({ autoStart: false })]);
    const seen = collect(helper.getNode('out'));
    await waitFor(() => (statusText() === 'motif-stream.status.stopped' ? true : undefined), 3000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(seen.length, 0, 'not started on deploy');
    const node = helper.getNode('str');
    node.receive({ action: 'start' });
    await waitFor(() => (seen.length > 3 ? true : undefined));
    node.receive({ action: 'stop' });
    await waitFor(() => (statusText() === 'motif-stream.status.stopped' ? true : undefined), 3000);
    const stoppedAt = seen.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(seen.length <= stoppedAt + 1, 'no frames after stop');
    node.receive({ action: 'restart' });
    await waitFor(() => (seen.length > stoppedAt + 3 ? true : undefined));
    const caught = nextMessage(helper.getNode('caught'));
    node.receive({ action: 'jump', tag: 'mine' });
    const err = await caught;
    assert.equal(err.tag, 'mine');
    assert.match((err.error as { message: string }).message, /msg\.action must be/);
  });

  it('reports an unknown camera to Catch and in the status', async () => {
    await load([streamNode({ camera: 'NOPE' })]);
    const err = await nextMessage(helper.getNode('caught'));
    assert.equal((err.error as { message: string }).message, 'motif camera "NOPE" was not found');
    // Under the test helper the text is the catalog key plus the reason (cut to the status length).
    await waitFor(
      () => (statusText().startsWith('motif-stream.status.retrying un') ? true : undefined),
      3000,
    );
    assert.equal(statusOf(helper.getNode('str'))?.fill, 'red');
  });

  it('reports a camera without a stream to Catch, once while retrying', async () => {
    await load([streamNode({ camera: 'FAKE1' })]);
    const errors = collect(helper.getNode('caught'));
    await waitFor(() => (errors.length > 0 ? true : undefined), 3000);
    assert.equal(
      (errors[0].error as { message: string }).message,
      'the realtime image stream is not enabled on motif camera "FAKE1"',
    );
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(errors.length, 1, 'retries do not repeat the report');
    await waitFor(
      () => (statusText().startsWith('motif-stream.status.retrying no') ? true : undefined),
      3000,
    );
    assert.equal(statusOf(helper.getNode('str'))?.fill, 'red');
  });

  it('follows msg.camera on start only when no camera is configured', async () => {
    await load([streamNode({ camera: '' })]);
    assert.equal((await nextMessage(helper.getNode('out'))).topic, 'FAKE0', 'the first camera');
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('str').receive({ action: 'start', camera: 'FAKE1' });
    assert.match(((await caught).error as { message: string }).message, /camera "FAKE1"/);
  });

  it('keeps a configured camera whatever msg.camera says', async () => {
    await load([streamNode({ camera: 'NOPE' })]);
    await nextMessage(helper.getNode('caught'));
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('str').receive({ action: 'restart', camera: 'FAKE0' });
    assert.match(((await caught).error as { message: string }).message, /camera "NOPE"/);
  });

  it('stops retrying when the API key is rejected, and shows it', async () => {
    await loadFlow(MODULES, [serverNode(sim), streamNode(), ...tail], {
      srv: { apiKey: 'ffffffffffffffffffffffffffffffff' },
    });
    const status = await waitFor(() => {
      const s = statusOf(helper.getNode('str'));
      return s?.fill === 'red' && /auth/.test(String(s.text)) ? s : undefined;
    }, 5000);
    assert.ok(status);
    const before = sim.requestCount;
    // The stream halted: no request for longer than several backoff periods (250 ms, 500 ms, …).
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sim.requestCount, before, 'no retry loop');
    assert.match(String(statusOf(helper.getNode('str'))?.text), /auth/);
  });

  it('leaves no socket, timer or file descriptor behind after 100 redeploys', async function () {
    this.timeout(60_000);
    const flow = [serverNode(sim), streamNode(), ...tail];
    const deployOnce = async (): Promise<void> => {
      await redeploy(flow, { srv: { apiKey: sim.apiKey } });
      await nextMessage(helper.getNode('out'));
      // The server's check ends with a connection per camera: counted alike in the baseline and after.
      const srv = helper.getNode('srv') as unknown as { connection: { state: string } };
      await waitFor(() => srv.connection.state === 'connected' || undefined);
    };
    await load([streamNode()]);
    await assertNoLeakAfterRedeploys(deployOnce);
  });
});
