/**
 * Fault tests of the remotive nodes in the Node-RED runtime: a half-open link (a proxy that stops
 * forwarding) is noticed and shown as "stalled", the nodes recover on their own when the link or
 * the broker comes back, secrets echoed by a broker never leak, and errors name the operation that
 * failed.
 */
import assert from 'node:assert/strict';
import { RemotiveClient } from '../../src/backends/remotive';
import type { RemotiveSimulator } from '../../src/simulators/remotive';
import { collect, nextMessage, waitFor, type Message } from '../support/flow';
import { StallProxy } from '../remotive/proxy';
import {
  CITY,
  brokerNode,
  helper,
  load,
  playbackNode,
  signalsNode,
  startSim,
  statusNode,
  statusOf,
  statusesOf,
} from './remotive-helpers';

/** A broker node that notices a dead link quickly (the defaults are 30 s keepalive, 5 s stall). */
function quickBroker(url: string): ReturnType<typeof brokerNode> {
  return brokerNode(url, { timeout: 1, keepalive: 0.4, statusStall: 0.6 });
}

function text(id: string): string {
  return String(statusOf(helper.getNode(id))?.text ?? '');
}

describe('remotive nodes under faults', function () {
  this.timeout(30_000);
  let sim: RemotiveSimulator;
  let proxy: StallProxy;
  let control: RemotiveClient;

  beforeEach(async () => {
    sim = await startSim();
    proxy = await StallProxy.start(sim.port);
    control = new RemotiveClient({ url: sim.url });
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await control.close();
    await proxy.close();
    await sim.close();
  });

  it('remotive-status shows "stalled" soon after the link stops forwarding, and recovers by itself', async () => {
    await load([quickBroker(proxy.url), statusNode()]);
    const seen = collect(helper.getNode('sto'));
    await waitFor(() => (sim.state.statusStreams === 1 ? true : undefined));
    await control.open(CITY);
    await control.play(CITY);
    await waitFor(() => (/^playing/.test(text('st')) ? true : undefined));
    // The broker's cadence is learnt from a few pushes while playing.
    await waitFor(() => (seen.length >= 7 ? true : undefined));
    const cutAt = Date.now();
    proxy.blackhole();
    await waitFor(() => (/stalled/.test(text('st')) ? true : undefined), 5000);
    const took = Date.now() - cutAt;
    assert.ok(took < 3000, `stall shown after ${took} ms`);
    assert.notEqual(statusOf(helper.getNode('st'))?.fill, 'green', 'never green while stalled');
    proxy.restore();
    const before = seen.length;
    await waitFor(() => (/^playing/.test(text('st')) && seen.length > before ? true : undefined), 10_000);
  });

  it('remotive-signals shows "stalled" after its stall time and subscribes again', async () => {
    await load([quickBroker(proxy.url), signalsNode({ stall: 0.5 })]);
    const seen = collect(helper.getNode('sgo'));
    await waitFor(() => (sim.state.signalStreams === 1 ? true : undefined));
    await control.open(CITY);
    await control.play(CITY);
    await waitFor(() => (seen.length >= 3 ? true : undefined));
    proxy.blackhole();
    await waitFor(() => (/stalled/.test(text('sig')) ? true : undefined), 4000);
    proxy.restore();
    const before = seen.length;
    await waitFor(() => (seen.length > before + 2 ? true : undefined), 10_000);
    await waitFor(() => (/subscri/.test(text('sig')) ? true : undefined), 5000);
  });

  it('every node recovers without a redeploy when the broker is killed and restarted', async () => {
    await load([quickBroker(proxy.url), statusNode(), signalsNode(), playbackNode({ operation: 'open' })]);
    await waitFor(() => (sim.state.statusStreams === 1 && sim.state.signalStreams === 1 ? true : undefined));
    const port = sim.port;
    await sim.close();
    await waitFor(() => (statusOf(helper.getNode('sig'))?.fill === 'red' ? true : undefined), 8000);
    sim = await startSim({ port });
    await waitFor(
      () => (sim.state.statusStreams === 1 && sim.state.signalStreams === 1 ? true : undefined),
      15_000,
    );
    const received = nextMessage(helper.getNode('out'), 8000);
    helper.getNode('pb').receive({});
    assert.deepEqual((await received).payload, { path: CITY, mode: 'paused', offsetUs: 0 });
    const seen = collect(helper.getNode('sgo'));
    const fresh = new RemotiveClient({ url: sim.url });
    try {
      await fresh.play(CITY);
      await waitFor(() => (seen.length >= 2 ? true : undefined), 8000);
    } finally {
      await fresh.close();
    }
  });

  it('the status operation gives up after the broker timeout, not a fixed 10 s', async () => {
    await load([quickBroker(proxy.url), playbackNode({ operation: 'status', path: '' })]);
    proxy.blackhole();
    const started = Date.now();
    const caught = nextMessage(helper.getNode('caught'), 8000);
    helper.getNode('pb').receive({});
    const msg = await caught;
    const took = Date.now() - started;
    assert.ok(took < 4000, `gave up after ${took} ms`);
    assert.match((msg.error as { message: string }).message, /status/);
  });

  describe('with a broker that echoes a rejected key', () => {
    const KEY = 'k-3f9a1c0e5b7d42a8';
    const WRONG = 'wrong-key-7c1d9e4b22';
    let locked: RemotiveSimulator;
    beforeEach(async () => {
      locked = await startSim({ apiKey: KEY, echoKey: true });
    });
    afterEach(async () => locked.close());

    it('never shows the key: not in logs, msg.error, status, nor the signals admin endpoint', async () => {
      // Prove the broker does echo it, so the checks below can fail.
      const raw = new RemotiveClient({ url: locked.url, apiKey: WRONG });
      const echoed = await raw.listFiles().catch((e: Error) => e.message);
      await raw.close();
      assert.match(String(echoed), new RegExp(WRONG));

      await load([brokerNode(locked.url), playbackNode({ operation: 'list', path: '' }), signalsNode()], {
        apiKey: WRONG,
      });
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('pb').receive({});
      const msg: Message = await caught;
      assert.match((msg.error as { message: string }).message, /invalid API key/);
      const admin = await helper.request().get('/recorders/remotive/brk/signals');
      await waitFor(() => (statusOf(helper.getNode('sig'))?.fill === 'red' ? true : undefined));
      const sig = helper.getNode('sig') as unknown as Record<string, { args: unknown[][] }>;
      const pb = helper.getNode('pb') as unknown as Record<string, { args: unknown[][] }>;
      const texts = [
        JSON.stringify(msg),
        JSON.stringify(admin.body),
        String(admin.text),
        JSON.stringify(statusesOf(helper.getNode('pb'))),
        JSON.stringify(statusesOf(helper.getNode('sig'))),
        JSON.stringify(sig.warn.args),
        JSON.stringify(sig.error.args),
        JSON.stringify(pb.warn.args),
        JSON.stringify(pb.error.args),
        JSON.stringify((helper.log() as unknown as { args: unknown[][] }).args),
      ];
      for (const t of texts) assert.ok(!t.includes(WRONG), `the key leaked: ${t.slice(0, 300)}`);
      assert.ok(!JSON.stringify(texts).includes(KEY));
    });

    it('stops re-opening its streams once the key is rejected', async () => {
      await load([brokerNode(locked.url), statusNode(), signalsNode()], { apiKey: WRONG });
      await waitFor(() =>
        statusOf(helper.getNode('st'))?.fill === 'red' && statusOf(helper.getNode('sig'))?.fill === 'red'
          ? true
          : undefined,
      );
      const attempts = (): number =>
        locked.state.received.filter((c) => c.rpc === 'PlaybackStatus' || c.rpc === 'SubscribeToSignals')
          .length;
      const before = attempts();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(attempts(), before, 'no stream was re-opened');
      // Latched: the re-check of the key is minutes away at most, counted down beside the reason.
      assert.match(statusOf(helper.getNode('sig'))?.text ?? '', /auth failed/);
    });

    it("names the operation that failed, not another node's", async () => {
      await load([brokerNode(locked.url), signalsNode(), playbackNode({ operation: 'list', path: '' })], {
        apiKey: WRONG,
      });
      await waitFor(() => (statusOf(helper.getNode('sig'))?.fill === 'red' ? true : undefined));
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('pb').receive({});
      const message = ((await caught).error as { message: string }).message;
      assert.doesNotMatch(message, /subscribe/);
      assert.match(message, /list files/);
    });
  });

  it('refuses hostile paths before anything reaches the broker', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'open', path: '' })]);
    const before = sim.state.received.filter((c) => c.rpc.startsWith('Playback')).length;
    for (const path of ['a\u0000b', 'drive/x\r\nInjected: 1', 'p'.repeat(10_000), '../../etc/passwd']) {
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('pb').receive({ path });
      const error = (await caught).error as { message: string };
      assert.match(error.message, /path/);
      assert.ok(error.message.length < 300);
    }
    assert.equal(sim.state.received.filter((c) => c.rpc.startsWith('Playback')).length, before);
  });

  it('refuses a hostile configured path at start, for every message, with a ConfigError', async () => {
    await load([
      brokerNode(sim.url),
      playbackNode({ operation: 'open', path: 'drive/a\r\nb.recordingsession.yaml' }),
    ]);
    await waitFor(() => (statusOf(helper.getNode('pb'))?.fill === 'red' ? true : undefined));
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('pb').receive({});
    const error = (await caught).error as { message: string };
    assert.match(error.message, /ConfigError.*control character/);
    assert.ok(!sim.state.received.some((c) => c.rpc === 'PlaybackOpen'));
  });
});
