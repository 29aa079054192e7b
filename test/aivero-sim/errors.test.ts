/** Every error class a client meets, with Hasura's shape: HTTP 200, one error, no data, code + path. */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { closeAgent, gql, gqlError, post, startSim } from './helpers';

const ZERO = '00000000-0000-0000-0000-000000000000';

describe('aivero simulator: errors', function () {
  this.timeout(60000);
  let sim: AiveroSimulator;
  let sessionId: string;
  before(async () => {
    sim = await startSim();
    const d = await gql<{ insertRecordingSession: { id: string } }>(
      sim,
      'mutation { insertRecordingSession(object: {name: "e", startDate: "2030-01-01T00:00:00", endDate: "2030-01-02T00:00:00", mode: Storage, state: Stopped}) { id } }',
    );
    sessionId = d.insertRecordingSession.id;
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  it('access-denied: wrong admin secret', async () => {
    const e = await gqlError(sim, '{ cameras { id } }', {}, { 'x-hasura-admin-secret': 'x' });
    assert.equal(e.code, 'access-denied');
  });

  it('validation-failed: unknown field, with the path to it', async () => {
    const e = await gqlError(sim, '{ recordingSessions { id nope } }');
    assert.deepEqual(e, {
      code: 'validation-failed',
      message: "field 'nope' not found in type: 'RecordingSession'",
      path: '$.selectionSet.recordingSessions.selectionSet.nope',
    });
  });

  it('validation-failed: a mistyped enum value in a variable', async () => {
    const e = await gqlError(
      sim,
      'query($m: camera_model_enum!) { cameras(where: {model: {_eq: $m}}) { id } }',
      { m: 'REALSENSE_D456' },
    );
    assert.deepEqual(e, {
      code: 'validation-failed',
      message: 'unexpected value "REALSENSE_D456" for enum: \'camera_model_enum\'',
      path: '$.selectionSet.cameras.args.where.model._eq',
    });
  });

  it('validation-failed: a string for Int in strict mode (variable and literal)', async () => {
    const v = await gqlError(sim, 'query($n: Int!) { cameras(limit: $n) { id } }', { n: '2' });
    assert.deepEqual(v, {
      code: 'validation-failed',
      message: 'expected a 32-bit integer for type "Int", but found a string',
      path: '$.selectionSet.cameras.args.limit',
    });
    const big = await gqlError(sim, 'query($n: Int!) { cameras(limit: $n) { id } }', { n: 2147483648 });
    assert.equal(big.code, 'validation-failed');
    const lit = await gqlError(sim, '{ cameras(limit: "2") { id } }');
    assert.equal(lit.code, 'validation-failed');
  });

  it('validation-failed inside an input-object variable points at the field', async () => {
    const e = await gqlError(
      sim,
      'mutation($o: [Stream_insert_input!]!) { insertStreams(objects: $o) { affected_rows } }',
      { o: [{ width: 1280 }, { width: '720' }] },
    );
    assert.deepEqual(e, {
      code: 'validation-failed',
      message: 'expected a 32-bit integer for type "Int", but found a string',
      path: '$.selectionSet.insertStreams.args.objects[1].width',
    });
  });

  it('lenient mode accepts decimal strings only, within 32 bits', async () => {
    const lenient = await startSim({ lenientInts: true, tls: false });
    try {
      const q = 'query($n: Int!) { cameras(limit: $n) { id } }';
      const ok = await gql<{ cameras: unknown[] }>(lenient, q, { n: '2' });
      assert.equal(ok.cameras.length, 2);
      for (const n of ['1.5', 'two', '', '2147483648', ' 2'])
        assert.equal((await gqlError(lenient, q, { n })).code, 'validation-failed', `"${n}"`);
      const lit = await gql<{ cameras: unknown[] }>(lenient, '{ cameras(limit: "1") { id } }');
      assert.equal(lit.cameras.length, 1);
    } finally {
      await closeAgent(lenient);
      await lenient.close();
    }
  });

  it('validation-failed: a required variable missing, a malformed query, an unknown operation', async () => {
    const missing = await gqlError(sim, 'query($id: uuid!) { recordingSession(id: $id) { id } }', {});
    assert.deepEqual(missing, {
      code: 'validation-failed',
      message: 'expecting a value for non-nullable variable: "id"',
      path: '$',
    });
    const parse = await gqlError(sim, '{ cameras { id }');
    assert.deepEqual(parse, {
      code: 'validation-failed',
      message: 'not a valid graphql query',
      path: '$.query',
    });
    const noMutations = await gqlError(sim, 'mutation { insertCamera(object: {}) { id } }', {}, {});
    assert.equal(noMutations.message, 'no mutations exist');
  });

  it('data-exception: a malformed uuid or timestamp (Postgres decides)', async () => {
    const uuid = await gqlError(sim, 'query($id: uuid!) { recordingSession(id: $id) { id } }', {
      id: 'not-a-uuid',
    });
    assert.deepEqual(uuid, {
      code: 'data-exception',
      message: 'invalid input syntax for type uuid: "not-a-uuid"',
      path: '$',
    });
    const t = await gqlError(
      sim,
      'mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _set: {startDate: "tomorrow-ish"}) { id } }',
      { id: sessionId },
    );
    assert.equal(t.code, 'data-exception');
    assert.match(t.message, /invalid input syntax for type timestamp: "tomorrow-ish"/);
    const year = await gqlError(
      sim,
      'mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _set: {endDate: "2030-02-30T00:00:00"}) { endDate } }',
      { id: sessionId },
    );
    assert.equal(year.code, 'data-exception');
    assert.match(year.message, /out of range/);
  });

  it('constraint-violation: foreign keys, uniqueness, checks, and a delete that children block', async () => {
    const fk = await gqlError(
      sim,
      'mutation($r: uuid!, $c: uuid!) { insertRecord(object: {cameraId: $c, recordingId: $r}) { id } }',
      { r: sessionId, c: ZERO },
    );
    assert.deepEqual(fk, {
      code: 'constraint-violation',
      message:
        'Foreign key violation. insert or update on table "records" violates foreign key constraint "records_cameraId_fkey"',
      path: '$.selectionSet.insertRecord.args.object',
    });
    const cam = (await sim.cameras())[0];
    const unique = await gqlError(
      sim,
      'mutation($m: camera_model_enum!, $s: String!) { insertCamera(object: {model: $m, serial: $s}) { id } }',
      { m: cam.model, s: cam.serial },
    );
    assert.equal(unique.code, 'constraint-violation');
    assert.match(unique.message, /^Uniqueness violation\. duplicate key value violates unique constraint/);
    const check = await gqlError(
      sim,
      'mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _set: {maxTimeSeconds: -1}) { id } }',
      { id: sessionId },
    );
    assert.equal(check.code, 'constraint-violation');
    assert.match(check.message, /^Check constraint violation\./);
    await gql(
      sim,
      'mutation($r: uuid!, $c: uuid!) { insertRecord(object: {cameraId: $c, recordingId: $r}) { id } }',
      {
        r: sessionId,
        c: cam.id,
      },
    );
    const blocked = await gqlError(sim, 'mutation($id: uuid!) { deleteRecordingSession(id: $id) { id } }', {
      id: sessionId,
    });
    assert.equal(blocked.code, 'constraint-violation');
    assert.match(blocked.message, /^Foreign key violation\. update or delete on table "recording_sessions"/);
  });

  it('unexpected "database query error" for other Postgres errors (a trigger raising), rolled back', async () => {
    await sim.query(`CREATE FUNCTION refuse_999() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."totalSize" = 999 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
    await sim.query(
      'CREATE TRIGGER refuse_999 BEFORE INSERT ON storage FOR EACH ROW EXECUTE FUNCTION refuse_999()',
    );
    const e = await gqlError(
      sim,
      'mutation { insertRecordingSession(object: {name: "t", startDate: "2030-01-01T00:00:00", endDate: "2030-01-01T01:00:00", storage: {data: {totalSize: 999, estimatedSize: 0}}}) { id } }',
    );
    assert.deepEqual(e, {
      code: 'unexpected',
      message: 'database query error',
      path: '$.selectionSet.insertRecordingSession.args.object',
    });
    const rows = (await sim.query(
      "SELECT count(*)::int AS n FROM recording_sessions WHERE name = 't'",
    )) as Array<{ n: number }>;
    assert.equal(rows[0].n, 0);
  });

  it('postgres-error when the database itself is in trouble (SQLSTATE class 53)', async () => {
    await sim.query(`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'full' THEN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$`);
    await sim.query(
      'CREATE TRIGGER full_disk BEFORE INSERT ON recording_sessions FOR EACH ROW EXECUTE FUNCTION full_disk()',
    );
    const e = await gqlError(
      sim,
      'mutation { insertRecordingSession(object: {name: "full", startDate: "2030-01-01T00:00:00", endDate: "2030-01-01T01:00:00"}) { id } }',
    );
    assert.deepEqual(e, {
      code: 'postgres-error',
      message: 'database connection error',
      path: '$.selectionSet.insertRecordingSession.args.object',
    });
  });

  it('validation-failed for requests too big to be fair: 500+ fields, values nested deeper than 32', async () => {
    const aliases = '{ ' + Array.from({ length: 501 }, (_, i) => `a${i}: cameras { id }`).join(' ') + ' }';
    const many = await gqlError(sim, aliases);
    assert.equal(many.code, 'validation-failed');
    assert.match(many.message, /too complex/);
    const deep = '{_not: '.repeat(40) + '{name: {_eq: "x"}}' + '}'.repeat(40);
    assert.equal(
      (await gqlError(sim, `{ recordingSessions(where: ${deep}) { id } }`)).code,
      'validation-failed',
    );
    let w: Record<string, unknown> = { name: { _eq: 'x' } };
    for (let i = 0; i < 40; i++) w = { _not: w };
    const v = await gqlError(
      sim,
      'query($w: RecordingSession_bool_exp) { recordingSessions(where: $w) { id } }',
      { w },
    );
    assert.equal(v.code, 'validation-failed');
  });

  it('rolls back every root field of a failed mutation request', async () => {
    const before = (await sim.query('SELECT count(*)::int AS n FROM recording_sessions')) as Array<{
      n: number;
    }>;
    const e = await gqlError(
      sim,
      `mutation($c: uuid!) {
         a: insertRecordingSession(object: {name: "rb", startDate: "2030-01-01T00:00:00", endDate: "2030-01-01T01:00:00"}) { id }
         b: insertRecord(object: {cameraId: $c, recordingId: $c}) { id }
       }`,
      { c: ZERO },
    );
    assert.equal(e.code, 'constraint-violation');
    const after = (await sim.query('SELECT count(*)::int AS n FROM recording_sessions')) as Array<{
      n: number;
    }>;
    assert.equal(after[0].n, before[0].n);
  });

  it('no error but null from updateRecordingSession / deleteRecordingSession for an unknown id', async () => {
    const d = await gql<{ updateRecordingSession: null; deleteRecordingSession: null }>(
      sim,
      `mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _set: {state: Started}) { id }
                            deleteRecordingSession(id: $id) { id } }`,
      { id: ZERO },
    );
    assert.deepEqual(d, { updateRecordingSession: null, deleteRecordingSession: null });
  });

  it('parse-failed: a JSON body without a query', async () => {
    const res = await post(sim, undefined as unknown as string);
    assert.equal(res.status, 200);
    assert.equal(res.body.errors?.[0].extensions.code, 'parse-failed');
  });
});
