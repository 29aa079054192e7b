/**
 * The device model, driven by an injected clock: Scheduled → Started at startDate → Stopped at
 * endDate, Standby arming latency, storage growing by the streams' bitrates, the two limits.
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { closeAgent, gql, startSim } from './helpers';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const ts = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

describe('aivero simulator: device model', function () {
  this.timeout(60000);
  let sim: AiveroSimulator;
  let now = T0;
  let cameraId: string;

  before(async () => {
    // Ticks only when a test asks (or after a mutation): the clock is the test's.
    sim = await startSim({ now: () => now, armingLatencyMs: 2000, deviceTickMs: 3_600_000 });
    cameraId = (await sim.cameras())[0].id;
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  /** A session with one record and the doc's two streams (1 + 5 Mbit/s = 0.75 MB/s). */
  async function session(fields: {
    start: number;
    end: number;
    maxTimeSeconds?: number;
    maxSizeMegabytes?: number;
  }): Promise<string> {
    const d = await gql<{ insertRecordingSession: { id: string } }>(
      sim,
      `mutation($o: RecordingSession_insert_input!) { insertRecordingSession(object: $o) { id } }`,
      {
        o: {
          name: 'device',
          startDate: ts(fields.start),
          endDate: ts(fields.end),
          mode: 'Storage',
          state: 'Stopped',
          maxTimeSeconds: fields.maxTimeSeconds ?? 0,
          maxSizeMegabytes: fields.maxSizeMegabytes ?? 0,
          storage: { data: { totalSize: 0, estimatedSize: 0 } },
          records: {
            data: [
              {
                cameraId,
                streams: {
                  data: [
                    {
                      type: 'color',
                      alignTo: 'color',
                      encoder: 'HEVC',
                      width: 1280,
                      height: 720,
                      nearCut: 300,
                      farCut: 1000,
                      bitrate: 1000000,
                      frameRate: 15,
                    },
                    {
                      type: 'depth',
                      alignTo: 'color',
                      encoder: 'Classic',
                      width: 1280,
                      height: 720,
                      nearCut: 300,
                      farCut: 1000,
                      bitrate: 5000000,
                      frameRate: 15,
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    );
    return d.insertRecordingSession.id;
  }

  async function setState(id: string, state: string): Promise<void> {
    await gql(
      sim,
      'mutation($id: uuid!, $s: RecordingSessionState_enum!) { updateRecordingSession(pk_columns: {id: $id}, _set: {state: $s}) { id } }',
      { id, s: state },
    );
    await sim.deviceTick();
  }

  async function look(id: string): Promise<{ state: string; totalSize: number; estimatedSize: number }> {
    await sim.deviceTick();
    const d = await gql<{
      recordingSession: { state: string; storage: { totalSize: number; estimatedSize: number } };
    }>(sim, 'query($id: uuid!) { recordingSession(id: $id) { state storage { totalSize estimatedSize } } }', {
      id,
    });
    return { state: d.recordingSession.state, ...d.recordingSession.storage };
  }

  it('starts a Scheduled session at startDate, records after the arming latency, stops it at endDate', async () => {
    const id = await session({ start: now + 60_000, end: now + 120_000 });
    const start = now;
    await setState(id, 'Scheduled');
    assert.deepEqual(await look(id), { state: 'Scheduled', totalSize: 0, estimatedSize: 0 });
    now = start + 59_999;
    assert.equal((await look(id)).state, 'Scheduled');
    now = start + 60_000;
    assert.equal((await look(id)).state, 'Started');
    // Recording began at 62 s (2 s arming); 10 s at 0.75 MB/s = 7.5 MB; 48 s remain → 43.5 MB expected.
    now = start + 72_000;
    assert.deepEqual(await look(id), { state: 'Started', totalSize: 7, estimatedSize: 43 });
    now = start + 120_000;
    assert.deepEqual(await look(id), { state: 'Stopped', totalSize: 43, estimatedSize: 43 });
    now = start + 200_000;
    assert.deepEqual(await look(id), { state: 'Stopped', totalSize: 43, estimatedSize: 43 });
  });

  it('stops a Scheduled session whose endDate has already passed', async () => {
    const id = await session({ start: now - 20_000, end: now - 10_000 });
    await setState(id, 'Scheduled');
    assert.equal((await look(id)).state, 'Stopped');
  });

  it('records from Started only once Standby has armed the pipeline for the latency', async () => {
    const id = await session({
      start: Date.parse('2001-01-01T00:00:00Z'),
      end: Date.parse('9999-12-31T23:59:59Z'),
    });
    await setState(id, 'Standby');
    now += 1000;
    await setState(id, 'Started'); // armed 1 s ago: recording begins 1 s from now
    now += 3000;
    assert.deepEqual(await look(id), { state: 'Started', totalSize: 1, estimatedSize: 1 }); // 2 s = 1.5 MB
    await setState(id, 'Standby');
    now += 10_000;
    assert.equal((await look(id)).totalSize, 1);
    await setState(id, 'Started'); // armed 10 s: at once
    now += 2000;
    assert.equal((await look(id)).totalSize, 3); // 4 s = 3 MB
    await setState(id, 'Stopped');
    now += 5000;
    assert.deepEqual(await look(id), { state: 'Stopped', totalSize: 3, estimatedSize: 3 });
  });

  it('stops at maxTimeSeconds of recording', async () => {
    const id = await session({ start: now - 1000, end: now + 3_600_000, maxTimeSeconds: 10 });
    await setState(id, 'Started'); // cold: recording begins after 2 s
    now += 11_000;
    assert.equal((await look(id)).state, 'Started'); // 9 s recorded
    now += 1000;
    assert.equal((await look(id)).state, 'Stopped');
  });

  it('stops at maxSizeMegabytes', async () => {
    const id = await session({ start: now - 1000, end: now + 3_600_000, maxSizeMegabytes: 3 });
    await setState(id, 'Started');
    now += 2000 + 3000; // 3 s = 2.25 MB
    assert.deepEqual(await look(id), { state: 'Started', totalSize: 2, estimatedSize: 3 });
    now += 1000; // 3 MB
    assert.deepEqual(await look(id), { state: 'Stopped', totalSize: 3, estimatedSize: 3 });
  });

  it('moves sessions on its own timer, without anyone asking', async () => {
    const live = await startSim({ armingLatencyMs: 0, deviceTickMs: 20 });
    try {
      const cam = (await live.cameras())[0].id;
      const d = await gql<{ insertRecordingSession: { id: string } }>(
        live,
        `mutation($s: timestamp!, $e: timestamp!) { insertRecordingSession(object: {name: "t", startDate: $s, endDate: $e,
           state: Scheduled, storage: {data: {totalSize: 0, estimatedSize: 0}}, records: {data: [{cameraId: "${cam}"}]}}) { id } }`,
        {
          s: new Date(Date.now() + 1500).toISOString().slice(0, 23),
          e: new Date(Date.now() + 3000).toISOString().slice(0, 23),
        },
      );
      const id = d.insertRecordingSession.id;
      const states: string[] = [];
      const until = Date.now() + 15000;
      while (Date.now() < until && states.at(-1) !== 'Stopped') {
        const r = (await live.query('SELECT state FROM recording_sessions WHERE id = $1', [id])) as Array<{
          state: string;
        }>;
        if (states.at(-1) !== r[0].state) states.push(r[0].state);
        await new Promise((res) => setTimeout(res, 10));
      }
      assert.deepEqual(states, ['Scheduled', 'Started', 'Stopped']);
    } finally {
      await closeAgent(live);
      await live.close();
    }
  });
});
