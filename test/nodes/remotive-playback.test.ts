/**
 * remotive-broker + remotive-playback in the Node-RED runtime, over real gRPC against the broker
 * simulator: every operation, offset presence, msg overrides, errors to Catch, close on stop.
 */
import assert from 'node:assert/strict';
import { RemotiveClient } from '../../src/backends/remotive';
import type { RemotiveSimulator } from '../../src/simulators/remotive';
import { nextMessage, waitFor, type Message } from '../support/flow';
import { redeploy } from '../support/node-red';
import {
  CITY,
  HIGHWAY,
  TAIL,
  brokerNode,
  helper,
  load,
  playbackNode,
  startSim,
  statusOf,
} from './remotive-helpers';

describe('remotive-playback in Node-RED', function () {
  let sim: RemotiveSimulator;

  beforeEach(async () => {
    sim = await startSim();
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  async function run(msg: Record<string, unknown>, id = 'pb'): Promise<Message> {
    const received = nextMessage(helper.getNode('out'));
    helper.getNode(id).receive(msg);
    return received;
  }

  async function fail(msg: Record<string, unknown>): Promise<Message> {
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('pb').receive(msg);
    return caught;
  }

  function lastRequest(rpc: string): Record<string, unknown> | undefined {
    return [...sim.state.received].reverse().find((c) => c.rpc === rpc)?.request;
  }

  it('declares the API key and the access token as password credentials', async () => {
    await load([brokerNode(sim.url), playbackNode()]);
    const red = (helper as unknown as { _RED: { nodes: { getCredentialDefinition(t: string): unknown } } })
      ._RED;
    assert.deepEqual(red.nodes.getCredentialDefinition('remotive-broker'), {
      apiKey: { type: 'password' },
      accessToken: { type: 'password' },
    });
  });

  it('runs the vendor script: list files, open the first session, play, close', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '', path: '', recursive: true })]);
    const listed = await run({ operation: 'list' });
    const files = listed.payload as Array<{ path: string; type: string }>;
    const first = files.find((f) => f.type === 'recording-session');
    assert.equal(first?.path, CITY);
    assert.ok(
      files.some((f) => f.path === 'drive/raw/city-loop-chassis.candump'),
      'recursive listing',
    );
    assert.deepEqual(listed.remotive, {
      operation: 'list',
      path: '',
      broker: `127.0.0.1:${sim.port}`,
      durationMs: (listed.remotive as { durationMs: number }).durationMs,
    });

    const opened = await run({ operation: 'open', path: first?.path });
    assert.deepEqual(opened.payload, { path: CITY, mode: 'paused', offsetUs: 0 });
    const played = await run({ operation: 'play', path: first?.path });
    assert.equal((played.payload as { mode: string }).mode, 'playing');
    const all = await run({ operation: 'status' });
    assert.deepEqual(
      (all.payload as Array<{ path: string; mode: string }>).map((s) => `${s.path} ${s.mode}`),
      [`${CITY} playing`],
      'without a path: every open session',
    );
    const closed = await run({ operation: 'close', path: first?.path });
    assert.equal((closed.payload as { mode: string }).mode, 'closed');
    assert.deepEqual(sim.state.sessions, []);
  });

  it('lists one folder without recursion', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'list', path: 'drive' })]);
    const files = (await run({})).payload as Array<{ path: string; type: string }>;
    assert.deepEqual(
      files.map((f) => `${f.type} ${f.path}`).sort(),
      [
        `folder drive/raw`,
        `recording-mapping drive/city-loop.mapping.yaml`,
        `recording-session ${CITY}`,
        `recording-session ${HIGHWAY}`,
      ].sort(),
    );
  });

  it('pauses, seeks, loops a section and reads the status', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '' })]);
    await run({ operation: 'open' });
    let msg = await run({ operation: 'play', offset: '0:10' });
    assert.equal(lastRequest('PlaybackPlay')?.offset, '10000000');
    msg = await run({ operation: 'pause', offset: '12.5s' });
    assert.deepEqual(msg.payload, { path: CITY, mode: 'paused', offsetUs: 12_500_000 });
    msg = await run({ operation: 'seek', offset: 20_000_000 });
    assert.deepEqual(msg.payload, { path: CITY, mode: 'paused', offsetUs: 20_000_000 });
    msg = await run({ operation: 'repeat', start: '0:05', end: '0:08' });
    assert.deepEqual((msg.payload as { repeat: unknown }).repeat, { startUs: 5_000_000, endUs: 8_000_000 });
    assert.equal((msg.remotive as { startUs: number }).startUs, 5_000_000);
    msg = await run({ operation: 'status' });
    assert.deepEqual(msg.payload, {
      path: CITY,
      mode: 'paused',
      offsetUs: 5_000_000,
      repeat: { startUs: 5_000_000, endUs: 8_000_000 },
    });
    await redeploy([brokerNode(sim.url), playbackNode({ operation: 'status', path: HIGHWAY }), ...TAIL]);
    msg = await run({});
    assert.equal(msg.payload, null, 'a session that is not open has no status');
    await redeploy([brokerNode(sim.url), playbackNode({ operation: '' }), ...TAIL]);
    msg = await run({ operation: 'repeat' });
    assert.equal((msg.payload as { repeat?: unknown }).repeat, undefined, 'no range turns repeat off');
    const request = lastRequest('PlaybackRepeat');
    assert.ok(request && !('startOffset' in request) && !('endOffset' in request), 'both offsets absent');
  });

  it('sends play without an offset as absent, and offset 0 as present', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '' })]);
    await run({ operation: 'open' });
    await run({ operation: 'seek', offset: '0:30' });
    let msg = await run({ operation: 'play' });
    assert.ok(!('offset' in (lastRequest('PlaybackPlay') ?? {})), 'no offset on the wire');
    assert.ok((msg.payload as { offsetUs: number }).offsetUs >= 30_000_000, 'continued where it was');
    msg = await run({ operation: 'play', offset: 0 });
    assert.equal(lastRequest('PlaybackPlay')?.offset, '0');
    assert.ok((msg.payload as { offsetUs: number }).offsetUs < 1_000_000, 'started over');
    msg = await run({ operation: 'pause', offset: '0' });
    assert.equal(lastRequest('PlaybackPause')?.offset, '0');
  });

  it('takes the settings of the node and, where it is set to "from msg", an MQTT-style JSON payload', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '', path: '', force: true })]);
    await run({ payload: { operation: 'open', path: CITY } });
    await run({ payload: { operation: 'open', path: CITY } });
    assert.equal(lastRequest('PlaybackOpen')?.force, true, 'the node asks for force');
    const caught = await fail({ payload: { operation: 'seek', offset: '1:02.5', path: HIGHWAY } });
    // highway is not open: the payload's path was used
    assert.match((caught.error as { message: string }).message, /highway/);
    const seek = await run({ payload: { operation: 'seek', offset: '0:02.5', path: CITY } });
    assert.deepEqual(seek.payload, { path: CITY, mode: 'paused', offsetUs: 2_500_000 });
    const direct = await run({ operation: 'seek', offset: '0:03', path: CITY, payload: { offset: '0:09' } });
    assert.equal(
      (direct.payload as { offsetUs: number }).offsetUs,
      3_000_000,
      'msg.x wins over msg.payload.x',
    );
  });

  it('keeps its configured operation, path and offset whatever the message says', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'open', force: true })]);
    const opened = await run({ operation: 'close', path: HIGHWAY, force: false });
    assert.equal((opened.remotive as { operation: string }).operation, 'open');
    assert.deepEqual(opened.payload, { path: CITY, mode: 'paused', offsetUs: 0 });
    assert.equal(lastRequest('PlaybackOpen')?.force, true);
    assert.ok(!sim.state.received.some((c) => c.rpc === 'PlaybackClose'), 'no close was sent');
    await redeploy([brokerNode(sim.url), playbackNode({ operation: 'seek', offset: '0:04' }), ...TAIL]);
    const seek = await run({ offset: '0:50' });
    assert.equal((seek.payload as { offsetUs: number }).offsetUs, 4_000_000);
  });

  it('takes the operation from the last segment of msg.topic when set to', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'topic' })]);
    let msg = await run({ topic: 'lab/playback/open' });
    assert.equal((msg.remotive as { operation: string }).operation, 'open');
    msg = await run({ topic: 'lab/playback/play', payload: { offset: '0:01' } });
    assert.equal((msg.payload as { mode: string }).mode, 'playing');
    const caught = await fail({ topic: 'lab/playback/jump' });
    assert.match((caught.error as { message: string }).message, /unknown playback operation "jump"/);
  });

  describe('errors reach a Catch node with the original message', () => {
    it('an unknown path', async () => {
      await load([
        brokerNode(sim.url),
        playbackNode({ operation: 'open', path: 'nope.recordingsession.yaml' }),
      ]);
      const caught = await fail({ marker: 7 });
      assert.equal(caught.marker, 7);
      assert.match((caught.error as { message: string }).message, /nope\.recordingsession\.yaml/);
      assert.match((caught.error as { message: string }).message, /NOT_FOUND/);
      const status = await waitFor(() => {
        const s = statusOf(helper.getNode('pb'));
        return s?.fill === 'red' ? s : undefined;
      });
      assert.equal(status.shape, 'dot');
    });

    it('opening twice without force', async () => {
      await load([brokerNode(sim.url), playbackNode({ operation: 'open' })]);
      await run({});
      const caught = await fail({});
      assert.match((caught.error as { message: string }).message, /already open/);
    });

    it('bad offsets, which never reach the broker', async () => {
      await load([brokerNode(sim.url), playbackNode({ operation: '' })]);
      await run({ operation: 'open' });
      const before = sim.state.received.length;
      for (const offset of ['62.5', '-3s', 'soon', { at: 1 }]) {
        const caught = await fail({ operation: 'seek', offset });
        assert.match((caught.error as { message: string }).message, /msg\.offset/);
        assert.equal((caught.error as { source?: unknown }).source !== undefined, true);
      }
      const caught = await fail({ operation: 'seek' });
      assert.match((caught.error as { message: string }).message, /seek needs an offset/);
      const range = await fail({ operation: 'repeat', start: '0:10', end: '0:05' });
      assert.match((range.error as { message: string }).message, /before its end/);
      assert.equal(sim.state.received.length, before, 'nothing was sent');
    });

    it('an offset past the end of the recording', async () => {
      await load([brokerNode(sim.url), playbackNode({ operation: '' })]);
      await run({ operation: 'open' });
      const caught = await fail({ operation: 'seek', offset: '5:00' });
      assert.match((caught.error as { message: string }).message, /past the end/);
    });

    it('a command on a session that is not open', async () => {
      await load([brokerNode(sim.url), playbackNode({ operation: 'pause' })]);
      const caught = await fail({});
      assert.match((caught.error as { message: string }).message, /not open/);
    });
  });

  it('closes the sessions it opened when the flow stops, when asked to', async () => {
    const flow = [brokerNode(sim.url), playbackNode({ operation: 'open', closeOnStop: true })];
    await load(flow);
    await run({});
    assert.equal(sim.state.sessions.length, 1);
    await redeploy([brokerNode(sim.url), ...TAIL], {});
    await waitFor(() => (sim.state.sessions.length === 0 ? true : undefined));
    assert.ok(sim.state.received.some((c) => c.rpc === 'PlaybackClose'));
  });

  it('warns when a session it opened cannot be closed on stop', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'open', closeOnStop: true })]);
    await run({});
    const pb = helper.getNode('pb') as unknown as { warn: { args: unknown[][] } };
    // Closed behind the node's back: the node's own close on stop is then refused.
    const other = new RemotiveClient({ url: sim.url });
    try {
      await other.close(CITY);
    } finally {
      await other.close();
    }
    await redeploy([brokerNode(sim.url), ...TAIL], {});
    const warned = await waitFor(() => pb.warn.args.find((a) => String(a[0]).startsWith('could not close')));
    assert.match(String(warned[0]), /^could not close a session on stop: .*city-loop/);
  });

  it('leaves sessions open on stop by default', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'open' })]);
    await run({});
    await redeploy([brokerNode(sim.url), ...TAIL], {});
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sim.state.sessions.length, 1);
  });
});
