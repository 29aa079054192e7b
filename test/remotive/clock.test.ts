/**
 * The broker simulator's own clock: with `timestamps: 'wallclock'` signal timestamps are the broker's
 * time (local time + offset + drift), and playback advances at the broker clock's rate. Real gRPC on
 * loopback; every bound comes from local times taken around the calls and at each batch's arrival.
 */
import assert from 'node:assert/strict';
import { RemotiveClient, type SignalSample } from '../../src/backends/remotive';
import { startSimulators, UsageError } from '../../src/simulators/cli';
import { CITY, FAST_BACKOFF, rejection, startRig, waitFor, type Rig } from './helpers';

interface Batch {
  /** The broker's wall-clock timestamp of the batch, ms. */
  ts: number;
  /** Local time the batch arrived. */
  at: number;
}

/** Subscribes to Speed and collects each batch's timestamp with its local arrival time. */
function collect(client: RemotiveClient, batches: Batch[], states: string[]): { cancel(): void } {
  return client.subscribe(
    { namespace: 'chassis', signals: ['Speed'] },
    (batch: SignalSample[]) => {
      const at = Date.now();
      for (const s of batch) batches.push({ ts: s.timestampUs / 1000, at });
    },
    (state) => states.push(state),
  );
}

/** Opens and plays the city loop while collecting batches until `enough` holds; returns when play was sent. */
async function playAndCollect(
  client: RemotiveClient,
  enough: (batches: Batch[]) => boolean,
  timeoutMs = 5000,
): Promise<{ batches: Batch[]; playSent: number }> {
  const batches: Batch[] = [];
  const states: string[] = [];
  const sub = collect(client, batches, states);
  try {
    await waitFor('the subscription', () => states.includes('open'));
    await client.open(CITY);
    const playSent = Date.now();
    await client.play(CITY, 0);
    await waitFor('enough batches', () => enough(batches), timeoutMs);
    return { batches, playSent };
  } finally {
    sub.cancel();
  }
}

/**
 * Each batch was stamped after play was sent and before it arrived, so its lead over our clock is at
 * least `ts − at` (equal for a batch that arrived at once). Checks `lead` against both ends.
 */
function assertLeads(batches: Batch[], playSent: number, lead: number): void {
  for (const b of batches) {
    assert.ok(b.ts - b.at <= lead + 2, `a timestamp ${b.ts - b.at} ms ahead of its arrival (lead ${lead})`);
    assert.ok(b.ts - playSent >= lead - 2, 'a timestamp from before play was sent');
  }
  // Batches come every 20 ms; at least one of them arrives within 50 ms even on a loaded machine.
  const best = Math.max(...batches.map((b) => b.ts - b.at));
  assert.ok(best >= lead - 50, `the promptest batch shows a lead of ${best} ms, not ${lead}`);
}

describe('remotive simulator: its own clock', function () {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('stamps signals with the broker clock, 2.5 s ahead of ours, with wallclock timestamps', async () => {
    rig = await startRig({ timestamps: 'wallclock', clockOffsetMs: 2500, clockDriftPpm: 50 });
    const { batches, playSent } = await playAndCollect(rig.client, (b) => b.length >= 20);
    // 50 ppm add well under a ms over this test.
    assertLeads(batches, playSent, 2500);
  });

  it('without clock options, wallclock timestamps are the local time (as before)', async () => {
    rig = await startRig({ timestamps: 'wallclock' });
    const { batches, playSent } = await playAndCollect(rig.client, (b) => b.length >= 20);
    assertLeads(batches, playSent, 0);
    assert.equal(rig.sim.clock.lead(), 0);
  });

  it('a drift of 1e5 ppm: playback runs 10 % fast and the timestamps gain a tenth of the elapsed time', async () => {
    rig = await startRig({ timestamps: 'wallclock', clockDriftPpm: 1e5 });
    const { batches, playSent } = await playAndCollect(
      rig.client,
      (b) => b.length > 0 && b[b.length - 1].at - b[0].at >= 1500,
    );
    // Compare the first and the last third (at least 500 ms apart). Detrended by the drift, the lead
    // of the promptest batch is the same in both; without the drift the last third would be no
    // further ahead, with it at least 0.1 × 500 ms.
    const t0 = batches[0].at;
    const span = batches[batches.length - 1].at - t0;
    const first = batches.filter((b) => b.at - t0 < span / 3);
    const last = batches.filter((b) => b.at - t0 >= (2 * span) / 3);
    const best = (list: Batch[], lead: (b: Batch) => number): number => Math.max(...list.map(lead));
    const detrended = (b: Batch): number => b.ts - b.at - 0.1 * (b.at - t0);
    const raw = (b: Batch): number => b.ts - b.at;
    const drift = best(last, detrended) - best(first, detrended);
    assert.ok(Math.abs(drift) <= 35, `detrended leads differ by ${drift} ms`);
    const growth = best(last, raw) - best(first, raw);
    assert.ok(growth >= 25, `the lead grew by only ${growth} ms`);

    // Playback: between play and pause the broker's clock advanced 1.1 × what ours did.
    const pauseSent = Date.now();
    const paused = await rig.client.pause(CITY);
    const pauseReceived = Date.now();
    // Play took effect before the first sample was stamped, so before it arrived.
    const low = 1.1 * (pauseSent - batches[0].at) * 1000;
    const high = 1.1 * (pauseReceived - playSent) * 1000;
    assert.ok(
      paused.offsetUs >= low - 2000 && paused.offsetUs <= high + 2000,
      `offset ${paused.offsetUs} µs outside [${low}, ${high}] µs`,
    );
  });

  it('--timestamps and the clock options on the command line', async () => {
    const [handle] = await startSimulators(['remotive'], {
      port: '0',
      timestamps: 'wallclock',
      'clock-offset-ms': '-800',
      'clock-drift-ppm': '50',
    });
    assert.equal(handle.info.clock, 'offset -800 ms, drift 50 ppm (from real time at start)');
    const client = new RemotiveClient({ url: handle.endpoints.grpc, backoff: FAST_BACKOFF });
    try {
      const { batches, playSent } = await playAndCollect(client, (b) => b.length >= 20);
      assertLeads(batches, playSent, -800);
    } finally {
      await client.close();
      await handle.close();
    }
    for (const [name, value] of [
      ['timestamps', 'local'],
      ['clock-offset-ms', 'x'],
      ['clock-drift-ppm', '2e6'],
    ]) {
      const err = await rejection(startSimulators(['remotive'], { port: '0', [name]: value }));
      assert.ok(err instanceof UsageError, `${name} ${value}: ${err.message}`);
      assert.match(err.message, new RegExp(`invalid --${name}`));
    }
  });
});
