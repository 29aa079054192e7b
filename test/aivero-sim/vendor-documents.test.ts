/**
 * The vendor's five documents, verbatim, with the variable values of its two scripts: script A sends
 * every Int as a JSON string (accepted only with lenientInts), script B sends numbers for streams.
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { closeAgent, gql, gqlError, startSim } from './helpers';
import {
  cameraWithModelAndSerialQuery,
  insertRecordQuery,
  insertRecordingSessionQuery,
  insertStreamQuery,
  updateRecordingSessionStateQuery,
} from './seed-documents';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('aivero simulator: the vendor documents', function () {
  this.timeout(60000);
  let sim: AiveroSimulator;
  let d435: string;

  before(async () => {
    sim = await startSim({ lenientInts: true });
    d435 = (await sim.cameras()).find((c) => c.model === 'REALSENSE_D435')!.serial;
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  it('runs script A (schedule, stop early) with its string Ints in lenient mode', async () => {
    const cam = await gql<{ cameras: Array<{ id: string }> }>(sim, cameraWithModelAndSerialQuery, {
      model: 'REALSENSE_D435',
      serial: d435,
    });
    assert.equal(cam.cameras.length, 1);
    const cameraId = cam.cameras[0].id;
    assert.match(cameraId, UUID);
    const now = new Date().toISOString().slice(0, 19);
    const session = await gql<{ insertRecordingSession: { id: string } }>(sim, insertRecordingSessionQuery, {
      name: 'mysession',
      startDate: now,
      endDate: '2099-01-01T00:00:00',
      mode: 'Storage',
      state: 'Stopped',
      maxTimeSeconds: '0',
      maxSizeMegabytes: '0',
    });
    const sessionId = session.insertRecordingSession.id;
    assert.match(sessionId, UUID);
    const record = await gql<{ insertRecord: { id: string } }>(sim, insertRecordQuery, {
      recordingId: sessionId,
      cameraId,
    });
    const recordId = record.insertRecord.id;
    for (const [type, encoder, bitrate] of [
      ['color', 'HEVC', '1000000'],
      ['depth', 'Classic', '5000000'],
    ]) {
      const stream = await gql<{ insertStream: { id: string } }>(sim, insertStreamQuery, {
        recordId,
        type,
        alignTo: 'color',
        encoder,
        width: '1280',
        height: '720',
        nearCut: '300',
        farCut: '1000',
        bitrate,
        frameRate: '15',
      });
      assert.match(stream.insertStream.id, UUID);
    }
    const scheduled = await gql<{ updateRecordingSession: { id: string } }>(
      sim,
      updateRecordingSessionStateQuery,
      {
        id: sessionId,
        state: 'Scheduled',
      },
    );
    assert.equal(scheduled.updateRecordingSession.id, sessionId);
    await gql(sim, updateRecordingSessionStateQuery, { id: sessionId, state: 'Stopped' });
    const rows = (await sim.query(
      `SELECT s.state, s."maxTimeSeconds" AS t, st."totalSize" AS size, count(x.id)::int AS streams
         FROM recording_sessions s JOIN storage st ON st.id = s."storageId"
         JOIN records r ON r."recordingId" = s.id JOIN streams x ON x."recordId" = r.id
        WHERE s.id = $1 GROUP BY s.state, s."maxTimeSeconds", st."totalSize"`,
      [sessionId],
    )) as Array<{ state: string; t: number; size: number; streams: number }>;
    assert.deepEqual(rows, [{ state: 'Stopped', t: 0, size: 0, streams: 2 }]);
  });

  it("runs script B (Standby) with datetime.min/max as Python's strftime writes them", async () => {
    const cam = await gql<{ cameras: Array<{ id: string }> }>(sim, cameraWithModelAndSerialQuery, {
      model: 'REALSENSE_D435',
      serial: d435,
    });
    const session = await gql<{ insertRecordingSession: { id: string } }>(sim, insertRecordingSessionQuery, {
      name: 'standby',
      startDate: '1-01-01T00:00:00',
      endDate: '9999-12-31T23:59:59',
      mode: 'Storage',
      state: 'Stopped',
      maxTimeSeconds: '0',
      maxSizeMegabytes: '0',
    });
    const sessionId = session.insertRecordingSession.id;
    const record = await gql<{ insertRecord: { id: string } }>(sim, insertRecordQuery, {
      recordingId: sessionId,
      cameraId: cam.cameras[0].id,
    });
    for (const [type, encoder, bitrate] of [
      ['color', 'HEVC', 1000000],
      ['depth', 'Classic', 5000000],
    ])
      await gql(sim, insertStreamQuery, {
        recordId: record.insertRecord.id,
        type,
        alignTo: 'color',
        encoder,
        width: 1280,
        height: 720,
        nearCut: 300,
        farCut: 1000,
        bitrate,
        frameRate: 30,
      });
    for (const state of ['Standby', 'Started', 'Standby', 'Stopped'])
      await gql(sim, updateRecordingSessionStateQuery, { id: sessionId, state });
    const got = await gql<{ recordingSession: { startDate: string; endDate: string; state: string } }>(
      sim,
      'query($id: uuid!) { recordingSession(id: $id) { startDate endDate state } }',
      { id: sessionId },
    );
    // Postgres reads the un-padded year 1 as 2001 (the vendor documentation, verified on PostgreSQL 15).
    assert.deepEqual(got.recordingSession, {
      startDate: '2001-01-01T00:00:00',
      endDate: '9999-12-31T23:59:59',
      state: 'Stopped',
    });
  });

  it('rejects script A in strict mode with the error standard Hasura gives', async () => {
    const strict = await startSim();
    try {
      const err = await gqlError(strict, insertRecordingSessionQuery, {
        name: 'mysession',
        startDate: '2024-05-01T12:00:00',
        endDate: '2024-05-01T13:00:00',
        mode: 'Storage',
        state: 'Stopped',
        maxTimeSeconds: '0',
        maxSizeMegabytes: '0',
      });
      assert.equal(err.code, 'validation-failed');
      assert.equal(err.message, 'expected a 32-bit integer for type "Int", but found a string');
      assert.match(err.path, /^\$\.selectionSet\.insertRecordingSession\.args\.object\.max(Size|Time)/);
      const count = (await strict.query('SELECT count(*)::int AS n FROM recording_sessions')) as Array<{
        n: number;
      }>;
      assert.equal(count[0].n, 0);
    } finally {
      await closeAgent(strict);
      await strict.close();
    }
  });
});
