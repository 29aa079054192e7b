import assert from 'node:assert/strict';
import { ApiError, type RecorderError } from '../../src/common/errors';
import { RemotiveClient, type SignalSample } from '../../src/backends/remotive';
import {
  RemotiveSimulator,
  cityLoopDriveMode,
  cityLoopGear,
  cityLoopRpm,
  cityLoopSpeed,
} from '../../src/simulators/remotive';
import { CITY, FAST_BACKOFF, delay, startRig, waitFor, type Rig } from './helpers';

describe('remotive: signals against the simulator', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig.close());

  it('lists namespaces with frame and signal names', async () => {
    const listed = await rig.client.listSignals();
    assert.deepEqual(listed, [
      { namespace: 'chassis', signals: ['VehicleDynamics', 'Speed', 'Steering', 'SteeringAngle'] },
      { namespace: 'powertrain', signals: ['Engine', 'EngineRpm', 'Transmission', 'Gear', 'DriveMode'] },
    ]);
  });

  it('delivers values that follow the recording while it plays, and nothing while paused', async () => {
    const batches: SignalSample[][] = [];
    const states: string[] = [];
    const sub = rig.client.subscribe(
      { namespace: 'powertrain', signals: ['EngineRpm', 'Gear', 'DriveMode'] },
      (batch) => batches.push(batch),
      (state) => states.push(state),
    );
    try {
      await waitFor('the subscription to be ready', () => states.includes('open'));
      assert.equal(batches.length, 0, 'the initial empty batch is not passed on');
      const config = rig.sim.state.received.find((c) => c.rpc === 'SubscribeToSignals')?.request;
      assert.equal(config?.initialEmpty, true);
      await rig.client.open(CITY);
      await delay(100);
      assert.equal(batches.length, 0, 'no samples while paused');
      await rig.client.play(CITY, 29_800_000);
      await waitFor('samples on both sides of the 30 s mark', () =>
        batches.flat().some((s) => s.timestampUs >= 30_000_000 && s.name === 'DriveMode'),
      );
      await rig.client.pause(CITY);
      const samples = batches.flat();
      for (const s of samples) {
        assert.equal(s.namespace, 'powertrain');
        const expected =
          s.name === 'EngineRpm'
            ? cityLoopRpm(s.timestampUs)
            : s.name === 'Gear'
              ? cityLoopGear(s.timestampUs)
              : cityLoopDriveMode(s.timestampUs);
        assert.equal(s.value, expected, `${s.name} at ${s.timestampUs}`);
        assert.ok(s.timestampUs >= 29_800_000 && s.timestampUs < 31_000_000);
      }
      assert.ok(samples.some((s) => s.value === 'eco') && samples.some((s) => s.value === 'sport'));
      assert.equal(
        typeof samples.find((s) => s.name === 'EngineRpm')?.value,
        'number',
        'int64 decodes to a number',
      );
    } finally {
      sub.cancel();
    }
  });

  it('sends only changes with onChange', async () => {
    const batches: SignalSample[][] = [];
    const sub = rig.client.subscribe(
      { namespace: 'powertrain', signals: ['DriveMode', 'Gear'], onChange: true },
      (b) => batches.push(b),
    );
    try {
      await rig.client.open(CITY);
      await rig.client.play(CITY, 1_000_000);
      await delay(250);
      const modes = batches.flat().filter((s) => s.name === 'DriveMode');
      assert.deepEqual(
        modes.map((s) => s.value),
        ['eco'],
        'an unchanged value is sent once',
      );
    } finally {
      sub.cancel();
    }
  });

  it('reports an unknown signal through onState and keeps retrying', async () => {
    const errors: RecorderError[] = [];
    const sub = rig.client.subscribe(
      { namespace: 'chassis', signals: ['Warp'] },
      () => undefined,
      (state, err) => {
        if (state === 'reconnecting' && err) errors.push(err);
      },
    );
    try {
      await waitFor('two failed attempts', () => errors.length >= 2);
      assert.ok(errors[0] instanceof ApiError);
      assert.equal(errors[0].status, 5);
      assert.match(errors[0].message, /unknown signal "Warp" in namespace "chassis"/);
    } finally {
      sub.cancel();
    }
  });

  it('refuses an empty subscription before anything is sent', () => {
    assert.throws(
      () => rig.client.subscribe({ namespace: 'chassis', signals: [] }, () => undefined),
      /at least one signal/,
    );
  });

  it('re-subscribes after a broker restart and resumes delivery', async () => {
    const port = rig.sim.port;
    const batches: SignalSample[][] = [];
    const states: Array<[string, string | undefined]> = [];
    const statuses: number[] = [];
    const sub = rig.client.subscribe(
      { namespace: 'chassis', signals: ['Speed'] },
      (b) => batches.push(b),
      (state, err) => states.push([state, err?.code]),
    );
    const watch = rig.client.watchPlayback((items) => statuses.push(items.length));
    try {
      await rig.client.open(CITY);
      await rig.client.play(CITY);
      await waitFor('samples from the first broker', () => batches.length > 0);

      await rig.sim.close();
      await waitFor('the loss to be reported', () => states.some(([s]) => s === 'reconnecting'));
      const lost = states.find(([s]) => s === 'reconnecting');
      assert.ok(
        lost?.[1] === 'CONNECTION' || lost?.[1] === 'CLOSED' || lost?.[1] === 'API',
        `reason: ${lost?.[1]}`,
      );
      await delay(150);

      rig.sim = await RemotiveSimulator.start({ port, statusIntervalMs: 100, tickMs: 20 });
      await waitFor(
        'both streams on the new broker',
        () =>
          rig.sim.state.signalStreams === 1 &&
          rig.sim.state.statusStreams === 1 &&
          states.filter(([s]) => s === 'open').length === 2,
        8000,
      );
      const resubscribed = rig.sim.state.received.find((c) => c.rpc === 'SubscribeToSignals')?.request as {
        signals: { signalId: Array<{ name: string }> };
      };
      assert.deepEqual(
        resubscribed.signals.signalId.map((s) => s.name),
        ['Speed'],
        'the same request is sent again',
      );
      const before = batches.length;
      await rig.client.open(CITY);
      await rig.client.play(CITY, 10_000_000);
      await waitFor('samples from the new broker', () => batches.length > before);
      const fresh = batches.slice(before).flat();
      assert.ok(fresh.every((s) => s.timestampUs >= 10_000_000 && s.value === cityLoopSpeed(s.timestampUs)));
    } finally {
      sub.cancel();
      watch.cancel();
    }
  });
});

describe('remotive: API key', () => {
  let sim: RemotiveSimulator;
  const clients: RemotiveClient[] = [];
  before(async () => {
    sim = await RemotiveSimulator.start({ apiKey: 'k-123-secret' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });
  const client = (options: { apiKey?: string; accessToken?: string }): RemotiveClient => {
    const c = new RemotiveClient({ url: sim.url, backoff: FAST_BACKOFF, ...options });
    clients.push(c);
    return c;
  };

  it('accepts the right API key (x-api-key)', async () => {
    assert.equal((await client({ apiKey: 'k-123-secret' }).licence()).valid, true);
  });

  it('accepts an access token (authorization: Bearer + x-api-key)', async () => {
    assert.equal((await client({ accessToken: 'k-123-secret' }).licence()).valid, true);
  });

  it('rejects a missing key with an AuthError', async () => {
    const err = await client({})
      .licence()
      .then(
        () => undefined,
        (e: unknown) => e as RecorderError,
      );
    assert.equal(err?.code, 'AUTH');
    assert.match(err?.message ?? '', /rejected the credentials \(missing API key/);
  });

  it('rejects a wrong key with an AuthError that does not contain the key', async () => {
    const err = await client({ apiKey: 'wrong-key-value' })
      .open(CITY)
      .then(
        () => undefined,
        (e: unknown) => e as RecorderError,
      );
    assert.equal(err?.code, 'AUTH');
    assert.equal(err?.name, 'AuthError');
    assert.match(err?.message ?? '', /invalid API key/);
    assert.ok(!err?.message.includes('wrong-key-value') && !err?.message.includes('k-123-secret'));
  });

  it('reports a rejected stream as an auth problem', async () => {
    const seen: RecorderError[] = [];
    const sub = client({ apiKey: 'nope' }).watchPlayback(
      () => undefined,
      (_state, err) => {
        if (err) seen.push(err);
      },
    );
    try {
      await waitFor('the rejection', () => seen.length > 0);
      assert.equal(seen[0].code, 'AUTH');
    } finally {
      sub.cancel();
    }
  });
});
