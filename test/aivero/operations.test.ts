/**
 * Every client operation against the Aivero simulator over HTTPS on 127.0.0.1: the vendor's two
 * scripts as client calls, listing, reading, deleting, introspected enums, health.
 */
import assert from 'node:assert/strict';
import { ALWAYS_END, AiveroClient, AiveroCreateError } from '../../src/backends/aivero';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { COLOR, DEPTH, rejection } from './helpers';

describe('aivero: client operations against the simulator', function () {
  this.timeout(20_000);
  let sim: AiveroSimulator;
  let client: AiveroClient;
  let d435: { id: string; model: string; serial: string };

  before(async () => {
    sim = await AiveroSimulator.start({ adminSecret: 'ops-secret' });
    client = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
    const cameras = await sim.cameras();
    d435 = cameras.find((c) => c.model === 'REALSENSE_D435')!;
  });
  after(async () => {
    await client?.close();
    await sim?.close();
  });

  it('checks health: /healthz and one query', async () => {
    const report = await client.health();
    assert.equal(report.healthzStatus, 200);
    assert.ok(report.queryMs >= 0);
  });

  it('reads the enums by introspection', async () => {
    const schema = await client.schema();
    assert.equal(schema.introspected, true);
    assert.equal(schema.enumSource.cameraModel, 'introspection');
    assert.deepEqual([...schema.enums.state].sort(), ['Scheduled', 'Standby', 'Started', 'Stopped']);
    assert.ok(schema.sessionFields.includes('createdAt'));
    assert.equal(schema.orderField, 'createdAt');
  });

  it('finds a camera by model and serial, and lists cameras', async () => {
    const camera = await client.findCamera('REALSENSE_D435', d435.serial);
    assert.equal(camera.id, d435.id);
    const all = await client.listCameras();
    assert.equal(all.length, (await sim.cameras()).length);
    assert.ok(
      all.every(
        (c) => typeof c.id === 'string' && typeof c.serial === 'string' && typeof c.model === 'string',
      ),
    );
  });

  it('names model and serial when no camera matches', async () => {
    const err = await rejection(client.findCamera('REALSENSE_D455', 'no-such-serial'));
    assert.equal(err.code, 'API');
    assert.match(err.message, /REALSENSE_D455/);
    assert.match(err.message, /no-such-serial/);
  });

  it("runs the vendor's first script: create Scheduled with color + depth, then stop early", async () => {
    const created = await client.createSession({
      name: 'mysession',
      endDate: '+1h',
      records: [{ camera: { model: 'REALSENSE_D435', serial: d435.serial }, streams: [COLOR, DEPTH] }],
    });
    assert.equal(created.state, 'Scheduled');
    assert.equal(created.records.length, 1);
    assert.equal(created.records[0].cameraId, d435.id);
    assert.equal(created.records[0].streamIds.length, 2);
    assert.deepEqual(created.warnings, []);
    const session = await client.getSession(created.sessionId);
    assert.equal(session.name, 'mysession');
    assert.ok(['Scheduled', 'Started'].includes(session.state), session.state);
    assert.equal(session.startDate, created.startDate);
    assert.equal(session.records[0].streams.length, 2);
    const depth = session.records[0].streams.find((s) => s.type === 'depth')!;
    assert.equal(depth.encoder, 'Classic');
    assert.equal(depth.bitrate, 5000000);
    await client.setState(created.sessionId, 'Stopped');
    assert.equal((await client.getSession(created.sessionId)).state, 'Stopped');
  });

  it('runs the Standby script: an "always" session toggled Started/Standby, then Stopped', async () => {
    const created = await client.createSession({
      name: 'standby-run',
      state: 'Standby',
      records: [
        {
          camera: { id: d435.id },
          streams: [
            { ...COLOR, frameRate: 30 },
            { ...DEPTH, frameRate: 30 },
          ],
        },
      ],
    });
    assert.equal(created.endDate, ALWAYS_END);
    const session = await client.getSession(created.sessionId);
    assert.equal(session.state, 'Standby');
    assert.equal(session.endDate, ALWAYS_END);
    for (const state of ['Started', 'Standby', 'Started', 'Standby', 'Stopped']) {
      await client.setState(created.sessionId, state);
      assert.equal((await client.getSession(created.sessionId)).state, state);
    }
  });

  it('returns RealSense warnings without refusing the session', async () => {
    const created = await client.createSession({
      name: 'odd-params',
      state: 'Stopped',
      always: true,
      records: [{ camera: { id: d435.id }, streams: [{ ...COLOR, frameRate: 25 }] }],
    });
    assert.match(created.warnings.join('\n'), /frame rate 25/);
    await client.deleteSession(created.sessionId);
  });

  it('lists sessions newest first, filtered by state and name, limited', async () => {
    const ids: string[] = [];
    for (const name of ['list-a', 'list-b', 'list-c'])
      ids.push(
        (
          await client.createSession({
            name,
            state: 'Stopped',
            records: [{ camera: { id: d435.id }, streams: [COLOR] }],
          })
        ).sessionId,
      );
    // createdAt has a resolution of microseconds but inserts can share it: make the order certain.
    await sim.query(
      `UPDATE recording_sessions SET "createdAt" = "createdAt" + interval '1 hour' WHERE id = $1`,
      [ids[2]],
    );
    const newest = await client.listSessions({ limit: 1 });
    assert.equal(newest.length, 1);
    assert.equal(newest[0].id, ids[2]);
    const named = await client.listSessions({ name: 'list-b' });
    assert.deepEqual(
      named.map((s) => s.id),
      [ids[1]],
    );
    const stopped = await client.listSessions({ state: ['Stopped'], limit: 1000 });
    assert.ok(ids.every((id) => stopped.some((s) => s.id === id)));
    assert.ok(stopped.every((s) => s.state === 'Stopped'));
    const none = await client.listSessions({ state: 'Standby', name: 'list-a' });
    assert.deepEqual(none, []);
  });

  it('deletes a session with its records and streams', async () => {
    const created = await client.createSession({
      name: 'to-delete',
      state: 'Stopped',
      records: [{ camera: { id: d435.id }, streams: [COLOR, DEPTH] }],
    });
    assert.deepEqual(await client.deleteSession(created.sessionId), { id: created.sessionId });
    assert.equal((await rejection(client.getSession(created.sessionId))).code, 'API');
    const rows = await sim.query(`SELECT count(*)::int AS n FROM records WHERE "recordingId" = $1`, [
      created.sessionId,
    ]);
    assert.deepEqual(rows, [{ n: 0 }]);
    assert.match((await rejection(client.deleteSession(created.sessionId))).message, /no recording session/);
  });

  it('treats null from updateRecordingSession as "no such session"', async () => {
    const err = await rejection(client.setState('00000000-0000-4000-8000-000000000000', 'Started'));
    assert.equal(err.code, 'API');
    assert.match(err.message, /no recording session with id 00000000-0000-4000-8000-000000000000/);
  });

  it('runs a vendor document as written through request()', async () => {
    const data = await client.request<{ cameras: { id: string }[] }>(
      'query CameraWithModelAndSerial($model: camera_model_enum!, $serial: String!) {\n  cameras(where: {model: {_eq: $model}, serial: {_eq: $serial}}) {\n    id\n  }\n}\n',
      { model: 'REALSENSE_D435', serial: d435.serial },
    );
    assert.deepEqual(data.cameras, [{ id: d435.id }]);
  });

  it('is an AiveroCreateError only after something was written', async () => {
    // An unknown camera fails before anything is written: the plain not-found error.
    const err = await rejection(
      client.createSession({
        name: 'x',
        endDate: '+1h',
        records: [{ camera: { model: 'REALSENSE', serial: 'missing' }, streams: [COLOR] }],
      }),
    );
    assert.ok(!(err instanceof AiveroCreateError));
    assert.match(err.message, /REALSENSE.*missing/);
  });
});
