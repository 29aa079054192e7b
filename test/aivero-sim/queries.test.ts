/** Hasura's query language on the simulator: where operators, order_by, limit/offset, relationships, mutations. */
import assert from 'node:assert/strict';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { closeAgent, gql, startSim } from './helpers';

interface S {
  id: string;
  name: string;
  state: string;
}

describe('aivero simulator: queries and mutations', function () {
  this.timeout(60000);
  let sim: AiveroSimulator;
  const ids: Record<string, string> = {};

  before(async () => {
    sim = await startSim();
    const objects = [
      { name: 'a', state: 'Stopped', startDate: '2030-01-01T10:00:00', endDate: '2030-01-01T11:00:00' },
      { name: 'b', state: 'Scheduled', startDate: '2030-01-02T10:00:00', endDate: '2030-01-02T11:00:00' },
      { name: 'c', state: 'Standby', startDate: '2030-01-03T10:00:00', endDate: '2030-01-03T11:00:00' },
      { name: 'd', state: 'Stopped', startDate: '2030-01-04T10:00:00', endDate: '2030-01-04T11:00:00' },
    ];
    const d = await gql<{ insertRecordingSessions: { affected_rows: number; returning: S[] } }>(
      sim,
      'mutation($o: [RecordingSession_insert_input!]!) { insertRecordingSessions(objects: $o) { affected_rows returning { id name state } } }',
      {
        o: objects.map((o) => ({
          ...o,
          mode: 'Storage',
          storage: { data: { totalSize: 0, estimatedSize: 0 } },
        })),
      },
    );
    assert.equal(d.insertRecordingSessions.affected_rows, 4);
    for (const r of d.insertRecordingSessions.returning) ids[r.name] = r.id;
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  const names = async (where: string, extra = ''): Promise<string[]> => {
    const d = await gql<{ recordingSessions: S[] }>(
      sim,
      `{ recordingSessions(where: ${where}${extra}) { name } }`,
    );
    return d.recordingSessions.map((s) => s.name);
  };

  it('filters with _eq _neq _in _nin _is_null _gt _lt _and _or _not', async () => {
    const order = ', order_by: {name: asc}';
    assert.deepEqual(await names('{state: {_eq: Stopped}}', order), ['a', 'd']);
    assert.deepEqual(await names('{state: {_neq: Stopped}}', order), ['b', 'c']);
    assert.deepEqual(await names('{state: {_in: [Scheduled, Standby]}}', order), ['b', 'c']);
    assert.deepEqual(await names('{state: {_nin: [Scheduled, Standby]}}', order), ['a', 'd']);
    assert.deepEqual(await names('{storageId: {_is_null: true}}', order), []);
    assert.deepEqual(await names('{startDate: {_gt: "2030-01-02T10:00:00"}}', order), ['c', 'd']);
    assert.deepEqual(await names('{startDate: {_lt: "2030-01-02T10:00:00"}}', order), ['a']);
    assert.deepEqual(
      await names(
        '{_or: [{name: {_eq: "a"}}, {_and: [{state: {_eq: Stopped}}, {name: {_neq: "a"}}]}]}',
        order,
      ),
      ['a', 'd'],
    );
    assert.deepEqual(await names('{_not: {state: {_eq: Stopped}}}', order), ['b', 'c']);
    assert.deepEqual(await names('{storage: {totalSize: {_eq: 0}}, name: {_in: ["a", "b"]}}', order), [
      'a',
      'b',
    ]);
  });

  it('orders, limits and offsets', async () => {
    assert.deepEqual(await names('{}', ', order_by: {startDate: desc}'), ['d', 'c', 'b', 'a']);
    assert.deepEqual(await names('{}', ', order_by: [{state: asc}, {name: desc}], limit: 3'), [
      'b',
      'c',
      'd',
    ]);
    assert.deepEqual(await names('{}', ', order_by: {name: asc}, limit: 2, offset: 1'), ['b', 'c']);
  });

  it('counts with recordingSessionsAggregate', async () => {
    const d = await gql<{ recordingSessionsAggregate: { aggregate: { count: number } } }>(
      sim,
      '{ recordingSessionsAggregate(where: {state: {_eq: Stopped}}) { aggregate { count } } }',
    );
    assert.equal(d.recordingSessionsAggregate.aggregate.count, 2);
  });

  it('follows relationships both ways (session → records → camera, streams; stream → record → session)', async () => {
    const cam = (await sim.cameras())[0];
    const rec = await gql<{ insertRecord: { id: string } }>(
      sim,
      'mutation($r: uuid!, $c: uuid!) { insertRecord(object: {recordingId: $r, cameraId: $c, streams: {data: [{type: color, alignTo: "color", encoder: HEVC, width: 1280, height: 720, nearCut: 300, farCut: 1000, bitrate: 1000000, frameRate: 15}]}}) { id } }',
      { r: ids.a, c: cam.id },
    );
    const d = await gql<{
      recordingSession: {
        records: Array<{ id: string; camera: { serial: string }; streams: Array<{ type: string }> }>;
      };
      streams: Array<{ record: { recordingSession: { name: string } } }>;
    }>(
      sim,
      `query($id: uuid!) {
         recordingSession(id: $id) { records { id camera { serial } streams(where: {type: {_eq: color}}) { type } } }
         streams { record { recordingSession { name } } }
       }`,
      { id: ids.a },
    );
    assert.deepEqual(d.recordingSession.records, [
      { id: rec.insertRecord.id, camera: { serial: cam.serial }, streams: [{ type: 'color' }] },
    ]);
    assert.deepEqual(d.streams, [{ record: { recordingSession: { name: 'a' } } }]);
  });

  it('returns nested rows in insertion order when no order_by is given', async () => {
    const cam = (await sim.cameras())[1];
    const types = ['depth', 'color', 'infra2', 'infra1'];
    const d = await gql<{ insertRecord: { streams: Array<{ type: string }> } }>(
      sim,
      `mutation($r: uuid!, $c: uuid!, $s: [Stream_insert_input!]!) {
         insertRecord(object: {recordingId: $r, cameraId: $c, streams: {data: $s}}) { streams { type } } }`,
      {
        r: ids.c,
        c: cam.id,
        s: types.map((type) => ({
          type,
          alignTo: 'color',
          encoder: 'Classic',
          width: 640,
          height: 480,
          nearCut: 0,
          farCut: 65535,
          bitrate: 1,
          frameRate: 30,
        })),
      },
    );
    assert.deepEqual(
      d.insertRecord.streams.map((s) => s.type),
      types,
    );
  });

  it('updates many with updateRecordingSessions(where, _set) and one with _inc', async () => {
    const d = await gql<{ updateRecordingSessions: { affected_rows: number; returning: S[] } }>(
      sim,
      'mutation { updateRecordingSessions(where: {name: {_in: ["c", "d"]}}, _set: {state: Stopped}) { affected_rows returning { name state } } }',
    );
    assert.equal(d.updateRecordingSessions.affected_rows, 2);
    assert.deepEqual(
      d.updateRecordingSessions.returning.map((r) => r.state),
      ['Stopped', 'Stopped'],
    );
    const inc = await gql<{ updateRecordingSession: { maxTimeSeconds: number } }>(
      sim,
      'mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _inc: {maxTimeSeconds: 30}) { maxTimeSeconds } }',
      { id: ids.d },
    );
    assert.equal(inc.updateRecordingSession.maxTimeSeconds, 30);
  });

  it('deletes one with deleteRecordingSession(id) and returns it', async () => {
    const d = await gql<{ deleteRecordingSession: S }>(
      sim,
      'mutation($id: uuid!) { deleteRecordingSession(id: $id) { id name } }',
      { id: ids.b },
    );
    assert.deepEqual(d.deleteRecordingSession, { id: ids.b, name: 'b' });
    const again = await gql<{ recordingSession: null }>(
      sim,
      'query($id: uuid!) { recordingSession(id: $id) { id } }',
      {
        id: ids.b,
      },
    );
    assert.equal(again.recordingSession, null);
  });

  it('formats timestamps as Postgres/Hasura do: ISO, no offset, offsets in input ignored', async () => {
    const d = await gql<{ updateRecordingSession: { startDate: string; endDate: string } }>(
      sim,
      'mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _set: {startDate: "0001-01-01T00:00:00", endDate: "2024-05-01T12:00:00.250+02:00"}) { startDate endDate } }',
      { id: ids.d },
    );
    assert.deepEqual(d.updateRecordingSession, {
      startDate: '0001-01-01T00:00:00',
      endDate: '2024-05-01T12:00:00.25',
    });
  });

  it('answers introspection: enum types with the documented values', async () => {
    const d = await gql<Record<string, { enumValues: Array<{ name: string }> }>>(
      sim,
      `{ m: __type(name: "camera_model_enum") { enumValues { name } }
         s: __type(name: "RecordingSessionState_enum") { enumValues { name } }
         o: __type(name: "RecordingSessionMode_enum") { enumValues { name } }
         t: __type(name: "stream_type_enum") { enumValues { name } }
         e: __type(name: "stream_encoder_enum") { enumValues { name } } }`,
    );
    const v = (k: string): string[] => d[k].enumValues.map((x) => x.name);
    assert.deepEqual(v('m'), [
      'REALSENSE',
      'REALSENSE_D415',
      'REALSENSE_D435',
      'REALSENSE_D455',
      'V4L2CAMERA',
    ]);
    assert.deepEqual(v('s'), ['Scheduled', 'Standby', 'Started', 'Stopped']);
    assert.deepEqual(v('o'), ['Storage']);
    assert.deepEqual(v('t'), ['color', 'depth', 'infra1', 'infra2']);
    assert.deepEqual(v('e'), ['HEVC', 'Classic']);
    const pub = await gql<{ __schema: { queryType: { fields: Array<{ name: string }> } } }>(
      sim,
      '{ __schema { queryType { fields { name } } } }',
      {},
      {},
    );
    assert.deepEqual(pub.__schema.queryType.fields.map((f) => f.name).sort(), [
      'camera',
      'cameras',
      'camerasAggregate',
    ]);
    const hidden = await gql<{ s: null; m: { name: string } }>(
      sim,
      '{ s: __type(name: "RecordingSessionState_enum") { name } m: __type(name: "camera_model_enum") { name } }',
      {},
      {},
    );
    assert.deepEqual(hidden, { s: null, m: { name: 'camera_model_enum' } });
  });

  it('answers the full introspection query with a schema graphql-js can rebuild', async () => {
    const d = await gql<IntrospectionQuery>(sim, getIntrospectionQuery());
    const schema = buildClientSchema(d);
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    for (const name of [
      'insertRecordingSession',
      'insertRecord',
      'insertStream',
      'updateRecordingSession',
      'deleteRecordingSession',
      'insertRecordingSessions',
      'updateRecordingSessions',
    ])
      assert.ok(mutations.includes(name), name);
    const subs = Object.keys(schema.getSubscriptionType()!.getFields());
    assert.ok(subs.includes('recordingSessions') && subs.includes('recordingSession'));
    assert.equal(String(schema.getQueryType()!.getFields().cameras.type), '[Camera!]!');
  });

  it('seeds cameras for every documented model', async () => {
    const models = new Set((await sim.cameras()).map((c) => c.model));
    assert.deepEqual([...models].sort(), [
      'REALSENSE',
      'REALSENSE_D415',
      'REALSENSE_D435',
      'REALSENSE_D455',
      'V4L2CAMERA',
    ]);
    const one = await gql<{ camera: { model: string } }>(
      sim,
      'query($id: uuid!) { camera(id: $id) { model } }',
      {
        id: (await sim.cameras())[0].id,
      },
    );
    assert.equal(one.camera.model, 'REALSENSE');
  });
});
