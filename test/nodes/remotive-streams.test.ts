/**
 * remotive-status and remotive-signals in the Node-RED runtime against the broker simulator:
 * stream content, signals during playback, rate limit, broker restart with automatic
 * re-subscription, API key, secrets, and redeploys without leaks.
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { RemotiveClient } from '../../src/backends/remotive';
import { RemotiveSimulator, cityLoopSpeed } from '../../src/simulators/remotive';
import { collect, nextMessage, waitFor } from '../support/flow';
import { assertNoLeakAfterRedeploys } from '../support/leaks';
import { redeploy } from '../support/node-red';
import {
  CITY,
  HIGHWAY,
  TAIL,
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

describe('remotive-status and remotive-signals in Node-RED', function () {
  let sim: RemotiveSimulator;
  let control: RemotiveClient;

  beforeEach(async () => {
    sim = await startSim();
    control = new RemotiveClient({ url: sim.url });
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await control.close();
    await sim.close();
  });

  /** Restart the broker on the same port: every session and stream is gone. */
  async function restartBroker(): Promise<void> {
    const port = sim.port;
    await sim.close();
    await new Promise((r) => setTimeout(r, 300));
    sim = await startSim({ port });
  }

  it('sends one message per session and change, with position, progress and loop range', async () => {
    await load([brokerNode(sim.url), statusNode({ length: '1:00' })]);
    const seen = collect(helper.getNode('sto'));
    await waitFor(() => (sim.state.statusStreams === 1 ? true : undefined));
    await control.open(CITY);
    await control.open(HIGHWAY);
    await control.seek(CITY, 30_000_000);
    await control.repeat(CITY, { startUs: 30_000_000, endUs: 40_000_000 });
    await waitFor(() => (seen.some((m) => (m.payload as { repeat?: unknown }).repeat) ? true : undefined));
    const city = seen.filter((m) => m.topic === CITY).map((m) => m.payload as Record<string, unknown>);
    assert.deepEqual(city[0], { path: CITY, mode: 'paused', offsetUs: 0, position: '0:00.0', progress: 0 });
    assert.deepEqual(city[city.length - 1], {
      path: CITY,
      mode: 'paused',
      offsetUs: 30_000_000,
      position: '0:30.0',
      progress: 0.5,
      repeat: { startUs: 30_000_000, endUs: 40_000_000 },
    });
    const highway = seen.filter((m) => m.topic === HIGHWAY);
    assert.equal(highway.length, 1, 'an unchanged session is not repeated when another one changes');
    const before = seen.length;
    await control.close(HIGHWAY);
    await waitFor(() => (seen.length > before ? true : undefined));
    assert.deepEqual(seen[seen.length - 1].payload, {
      path: HIGHWAY,
      mode: 'closed',
      offsetUs: 0,
      position: '0:00.0',
      progress: 0,
    });
  });

  it('follows one session when given a path, and shows playing in its status', async () => {
    await load([brokerNode(sim.url), statusNode({ path: CITY })]);
    const seen = collect(helper.getNode('sto'));
    await waitFor(() => (sim.state.statusStreams === 1 ? true : undefined));
    await control.open(HIGHWAY);
    await control.open(CITY);
    await control.play(CITY, 5_000_000);
    const status = await waitFor(() => {
      const s = statusOf(helper.getNode('st'));
      return s?.fill === 'green' && s.shape === 'ring' && /^playing 0:0[5-9]/.test(String(s.text))
        ? s
        : undefined;
    });
    assert.ok(status);
    await waitFor(() =>
      seen.filter((m) => (m.payload as { mode: string }).mode === 'playing').length >= 3 ? true : undefined,
    );
    assert.ok(
      seen.every((m) => m.topic === CITY),
      'only the chosen session',
    );
    const offsets = seen.map((m) => (m.payload as { offsetUs: number }).offsetUs);
    assert.ok(
      offsets.every((o, i) => i === 0 || o >= offsets[i - 1]),
      'positions move forward',
    );
    await control.pause(CITY);
    await waitFor(() => {
      const s = statusOf(helper.getNode('st'));
      return s?.shape === 'dot' && /^paused/.test(String(s.text)) ? s : undefined;
    });
  });

  it('resumes the status stream after a broker restart', async () => {
    await load([brokerNode(sim.url), statusNode()]);
    const seen = collect(helper.getNode('sto'));
    await waitFor(() => (sim.state.statusStreams === 1 ? true : undefined));
    await control.open(CITY);
    await waitFor(() => (seen.length === 1 ? true : undefined));
    await restartBroker();
    await waitFor(
      () => (seen.some((m) => (m.payload as { mode: string }).mode === 'closed') ? true : undefined),
      8000,
    );
    await waitFor(() => (sim.state.statusStreams === 1 ? true : undefined), 8000);
    const fresh = new RemotiveClient({ url: sim.url });
    try {
      await fresh.open(HIGHWAY);
      await waitFor(() => (seen.some((m) => m.topic === HIGHWAY) ? true : undefined), 5000);
    } finally {
      await fresh.close();
    }
  });

  it('delivers subscribed signals while a recording plays, one message per batch', async () => {
    await load([brokerNode(sim.url), signalsNode()]);
    const seen = collect(helper.getNode('sgo'));
    await waitFor(() => (sim.state.signalStreams === 1 ? true : undefined));
    await waitFor(() => (/subscri/.test(String(statusOf(helper.getNode('sig'))?.text)) ? true : undefined));
    await control.open(CITY);
    await control.play(CITY, 10_000_000);
    await waitFor(() => (seen.length >= 5 ? true : undefined));
    await control.pause(CITY);
    for (const msg of seen) {
      const payload = msg.payload as Record<string, number>;
      const remotive = msg.remotive as { namespace: string; timestamps: Record<string, number> };
      assert.equal(msg.topic, 'chassis');
      assert.deepEqual(Object.keys(payload).sort(), ['Speed', 'SteeringAngle']);
      assert.equal(payload.Speed, cityLoopSpeed(remotive.timestamps.Speed));
      assert.ok(remotive.timestamps.Speed >= 10_000_000);
    }
    const request = sim.state.received.find((c) => c.rpc === 'SubscribeToSignals')?.request as {
      onChange: boolean;
    };
    assert.equal(request.onChange, false);
  });

  it('sends one message per signal, on change only, at most N per second per signal', async () => {
    await load([
      brokerNode(sim.url),
      signalsNode({
        namespace: 'powertrain',
        signals: 'Gear, DriveMode\nEngineRpm',
        output: 'signal',
        onChange: true,
        rate: 10,
      }),
    ]);
    const seen = collect(helper.getNode('sgo'));
    await waitFor(() => (sim.state.signalStreams === 1 ? true : undefined));
    await control.open(CITY);
    const started = Date.now();
    await control.play(CITY, 0);
    await new Promise((r) => setTimeout(r, 1000));
    await control.pause(CITY);
    const elapsed = (Date.now() - started) / 1000;
    const request = sim.state.received.find((c) => c.rpc === 'SubscribeToSignals')?.request as {
      onChange: boolean;
    };
    assert.equal(request.onChange, true);
    const rpm = seen.filter((m) => m.topic === 'EngineRpm');
    // the broker sends EngineRpm every 20 ms (it changes); the limit lets 10 per second through
    assert.ok(rpm.length >= 5 && rpm.length <= Math.ceil(elapsed * 10) + 2, `${rpm.length} in ${elapsed}s`);
    const last = rpm[rpm.length - 1];
    assert.equal(typeof last.payload, 'number');
    assert.deepEqual(Object.keys(last.remotive as object).sort(), ['name', 'namespace', 'timestampUs']);
    assert.equal(seen.filter((m) => m.topic === 'DriveMode').length, 1, 'DriveMode did not change');
  });

  it('subscribes again by itself after a broker restart', async () => {
    await load([brokerNode(sim.url), signalsNode()]);
    const seen = collect(helper.getNode('sgo'));
    await waitFor(() => (sim.state.signalStreams === 1 ? true : undefined));
    await restartBroker();
    await waitFor(() => {
      const s = statusOf(helper.getNode('sig'));
      return s?.fill === 'red' || sim.state.signalStreams === 1 ? true : undefined;
    }, 8000);
    await waitFor(() => (sim.state.signalStreams === 1 ? true : undefined), 8000);
    const fresh = new RemotiveClient({ url: sim.url });
    try {
      await fresh.open(CITY);
      await fresh.play(CITY, 20_000_000);
      await waitFor(() => (seen.length >= 2 ? true : undefined), 5000);
      await fresh.close(CITY);
    } finally {
      await fresh.close();
    }
    // Back to "subscribed" (green ring); a plain "connected" may show briefly on the way.
    const status = await waitFor(() => {
      const s = statusOf(helper.getNode('sig'));
      return s?.fill === 'green' && s.shape === 'ring' ? s : undefined;
    });
    assert.match(String(status.text), /subscri/);
  });

  it('warns about an unknown signal', async () => {
    await load([brokerNode(sim.url), signalsNode({ signals: 'Speed\nWarpFactor' })]);
    const status = await waitFor(() => {
      const s = statusOf(helper.getNode('sig'));
      return s?.fill === 'red' ? s : undefined;
    });
    assert.ok(status);
    const warn = helper.getNode('sig').warn as unknown as { args: unknown[][] };
    await waitFor(() => (warn.args.length > 0 ? true : undefined));
    assert.match(String(warn.args[0][0]), /WarpFactor/);
  });

  describe('with an API key required', () => {
    const KEY = 'k-3f9a1c0e5b7d42a8';
    let locked: RemotiveSimulator;
    beforeEach(async () => {
      locked = await startSim({ apiKey: KEY });
    });
    afterEach(async () => locked.close());

    it('works with the key and keeps it out of messages and status', async () => {
      await load([brokerNode(locked.url), statusNode(), playbackNode({ operation: 'open' })], {
        apiKey: KEY,
      });
      const statusMsgs = collect(helper.getNode('sto'));
      const received = nextMessage(helper.getNode('out'));
      helper.getNode('pb').receive({});
      const msg = await received;
      await waitFor(() => (locked.state.statusStreams === 1 ? true : undefined));
      const statusMsg = await waitFor(() => statusMsgs[0]);
      const texts = [JSON.stringify(msg), JSON.stringify(statusMsg)];
      for (const id of ['pb', 'st']) texts.push(JSON.stringify(statusesOf(helper.getNode(id))));
      for (const text of texts) assert.ok(!text.includes(KEY), 'the key never appears');
    });

    it('reports a missing key as an auth failure, without retrying in a loop', async () => {
      await load([brokerNode(locked.url), playbackNode({ operation: 'list', path: '' })], {});
      const status = await waitFor(() => {
        const s = statusOf(helper.getNode('pb'));
        return s?.fill === 'red' && s.shape === 'dot' ? s : undefined;
      });
      assert.match(status.text ?? '', /auth failed/);
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('pb').receive({});
      assert.match(((await caught).error as { message: string }).message, /credentials|API key/i);
      const licenceChecks = locked.state.received.filter((c) => c.rpc === 'GetLicenseInfo').length;
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(locked.state.received.filter((c) => c.rpc === 'GetLicenseInfo').length, licenceChecks);
    });

    it('rejects a wrong key without showing it', async () => {
      const wrong = 'wrong-key-123456';
      await load([brokerNode(locked.url), playbackNode({ operation: 'list', path: '' })], { apiKey: wrong });
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('pb').receive({});
      const msg = await caught;
      assert.match((msg.error as { message: string }).message, /invalid API key/);
      assert.ok(!JSON.stringify(msg).includes(wrong));
    });
  });

  it('shows an invalid licence as a warning', async () => {
    const expired = await startSim({ licence: 'EXPIRED' });
    try {
      await load([brokerNode(expired.url), statusNode()]);
      const broker = helper.getNode('brk') as unknown as { connection: { snapshot: { warning?: string } } };
      const status = await waitFor(() => {
        const s = statusOf(helper.getNode('st'));
        return s?.fill === 'yellow' &&
          /status\.none/.test(String(s.text)) &&
          /licence/.test(String(broker.connection.snapshot.warning))
          ? s
          : undefined;
      });
      assert.equal(status.shape, 'ring');
      // Beside the node's own activity, not instead of it (the catalog's words are shorter than its keys).
      assert.match(String(status.text), /remotive-status\.status\.none · /);
    } finally {
      await helper.unload();
      await expired.close();
    }
  });

  it('leaves no channel, stream or timer behind after 100 redeploys', async function () {
    this.timeout(60_000);
    const flow = [
      brokerNode(sim.url),
      playbackNode({ operation: 'open', force: true }),
      statusNode(),
      signalsNode(),
      ...TAIL,
    ];
    await load(flow.slice(0, 4));
    const deployOnce = async (): Promise<void> => {
      const before = ['pb', 'st', 'sig'].map((id) => helper.getNode(id));
      // The test helper waits only 300 ms for the new flow to start; on a loaded machine that is
      // too short, so its timeout is replaced by waiting for the new nodes themselves.
      await redeploy(flow, {}).catch((err: Error) => {
        if (!/timeout waiting event/.test(err.message)) throw err;
      });
      await waitFor(() =>
        ['pb', 'st', 'sig'].every((id, i) => {
          const now = helper.getNode(id);
          return now && now !== before[i];
        })
          ? true
          : undefined,
      );
      const received = nextMessage(helper.getNode('out'));
      helper.getNode('pb').receive({});
      await received;
      await waitFor(() =>
        sim.state.statusStreams === 1 && sim.state.signalStreams === 1 ? true : undefined,
      );
    };
    await assertNoLeakAfterRedeploys(deployOnce, ['TCPSocketWrap', 'Timeout', 'TCPServerWrap']);
    assert.equal(sim.state.statusStreams, 1, 'one status stream open on the broker');
    assert.equal(sim.state.signalStreams, 1, 'one signal stream open on the broker');
    const broker = helper.getNode('brk') as unknown as Node & {
      connection: { listenerCount(e: string): number };
    };
    // three users, and the connection watching each of the two streams
    assert.equal(broker.connection.listenerCount('state'), 5, 'three users and two streams listening');
  });
});
