/**
 * The simulator's state publisher under load: ZeroMQ 6 throws "Socket is busy writing" on a send
 * while another is in progress, which used to escape the timer as an uncaught exception and bring
 * the simulator (and `npm start`) down. States sent faster than they are written are skipped instead.
 */
import assert from 'node:assert/strict';
import * as zmq from 'zeromq';
import type { MotifSimulator } from '../../src/simulators/motif';
import { startSimulator } from '../motif/helpers';

describe('motif simulator state stream at a high rate', function () {
  this.timeout(20_000);
  let sim: MotifSimulator | undefined;
  let sub: zmq.Subscriber | undefined;
  const uncaught: Error[] = [];
  const onUncaught = (err: Error): void => {
    uncaught.push(err);
  };
  // Mocha's own handler stays installed; ours only records, so the assertion names the error.
  beforeEach(() => process.prependListener('uncaughtException', onUncaught));
  afterEach(async () => {
    process.off('uncaughtException', onUncaught);
    sub?.close();
    await sim?.close();
    sim = undefined;
    sub = undefined;
    uncaught.length = 0;
  });

  it('skips overlapping sends instead of throwing, and keeps publishing', async () => {
    sim = await startSimulator({ cameras: ['FAKE0'], streams: { statePerSecond: 1000, fps: 1 } });
    const streams = sim.stream('FAKE0');
    const endpoint = sim.state.cameras.get('FAKE0')?.streams?.state;
    assert.ok(endpoint, 'the camera advertises its state stream');
    sub = new zmq.Subscriber();
    sub.connect(`tcp://${endpoint.host}:${endpoint.port}`);
    sub.subscribe();
    let received = 0;
    const reading = (async () => {
      for await (const frames of sub) if (frames.length === 2) received++;
    })().catch(() => undefined);
    // Bursts of synchronous calls: every call after the first of a burst overlaps a pending send.
    const deadline = Date.now() + 10_000;
    let bursts = 0;
    while (Date.now() < deadline && (received < 200 || bursts < 50)) {
      for (let i = 0; i < 200; i++) streams.publishState();
      bursts++;
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(
      uncaught.map((e) => e.message),
      [],
    );
    assert.ok(streams.counters.statesSkipped > 0, 'overlapping sends were skipped');
    assert.ok(streams.counters.states > 0, `states published: ${streams.counters.states}`);
    assert.ok(received >= 200, `states received: ${received}`);
    sub.close();
    await reading;
  });
});
