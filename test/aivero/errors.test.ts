/**
 * Every error class against the simulator: wrong secret, expired JWT, role not allowed, bad enum and
 * bad uuid (refused before any request), foreign-key violation, string Int (strict and lenient
 * servers), server down and back, and the clean-up of a create that fails half-way.
 */
import assert from 'node:assert/strict';
import {
  AiveroAuthError,
  AiveroClient,
  AiveroCreateError,
  AiveroInputError,
  isRetryableError,
} from '../../src/backends/aivero';
import { INSERT_RECORDING_SESSION } from '../../src/backends/aivero/documents';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { COLOR, DEPTH, rejection } from './helpers';

describe('aivero: errors against the simulator', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  let client: AiveroClient;
  let cameraId: string;
  const clients: AiveroClient[] = [];

  function make(options: Partial<ConstructorParameters<typeof AiveroClient>[0]> = {}): AiveroClient {
    const c = new AiveroClient({ endpoint: sim.url, tls: { ca: sim.ca }, ...options });
    clients.push(c);
    return c;
  }
  const sessionsNamed = async (name: string): Promise<number> =>
    (
      (await sim.query(`SELECT count(*)::int AS n FROM recording_sessions WHERE name = $1`, [name])) as {
        n: number;
      }[]
    )[0].n;

  before(async () => {
    sim = await AiveroSimulator.start({
      adminSecret: 'err-secret-0123',
      jwtSecret: 'jwt-key-for-tests-0123456789abcdef',
    });
    client = make({ adminSecret: sim.adminSecret });
    cameraId = (await sim.cameras())[0].id;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim?.close();
  });

  it('a wrong admin secret is an AuthError that does not repeat the secret', async () => {
    const wrong = make({ adminSecret: 'not-the-secret-xyz' });
    const err = await rejection(wrong.listCameras());
    assert.ok(err instanceof AiveroAuthError, err.message);
    assert.equal(err.code, 'AUTH');
    assert.equal(err.hasura.code, 'access-denied');
    assert.match(err.message, /invalid x-hasura-admin-secret/);
    assert.doesNotMatch(err.message, /not-the-secret-xyz|err-secret-0123/);
    assert.equal(isRetryableError(err), false);
  });

  it('an expired JWT is an AuthError (invalid-jwt); a valid one works with its role', async () => {
    const expired = sim.signJwt({ role: 'user', allowedRoles: ['user'], expiresInS: -60 });
    const err = await rejection(make({ jwt: expired }).listSessions());
    assert.equal(err.code, 'AUTH', err.message);
    assert.equal((err as unknown as AiveroAuthError).hasura.code, 'invalid-jwt');
    assert.doesNotMatch(err.message, new RegExp(expired.split('.')[1]));
    const valid = sim.signJwt({ role: 'user', allowedRoles: ['user'], expiresInS: 600 });
    const user = make({ jwt: valid });
    assert.ok(Array.isArray(await user.listSessions()));
    const notAllowed = await rejection(make({ jwt: valid, role: 'admin' }).listCameras());
    assert.equal(notAllowed.code, 'AUTH');
  });

  it('refuses a bad enum value or uuid before any request (the server may even be down)', async () => {
    await client.schema(); // learnt while the server is up
    await sim.stop();
    try {
      const badState = await rejection(client.setState('6b1f0a4e-0000-4000-8000-000000000001', 'Paused'));
      assert.equal(badState.code, 'INPUT');
      assert.match(badState.message, /Paused.*Scheduled, Standby, Started, Stopped/);
      const badId = await rejection(client.setState('6b1f0a4e', 'Started'));
      assert.equal(badId.code, 'INPUT');
      assert.match(badId.message, /uuid/);
      const badModel = await rejection(client.findCamera('KINECT', '1'));
      assert.match(badModel.message, /KINECT.*V4L2CAMERA/);
      const badStream = await rejection(
        client.createSession({
          name: 'x',
          endDate: '+1h',
          records: [{ camera: { id: cameraId }, streams: [{ ...COLOR, type: 'infra' }] }],
        }),
      );
      assert.equal(badStream.code, 'INPUT');
      assert.match(badStream.message, /infra.*color, depth, infra1, infra2/);
      for (const id of ['', 'x'.repeat(5000), '../etc', 42])
        assert.equal((await rejection(client.getSession(id as string))).code, 'INPUT');
    } finally {
      await sim.restart();
    }
  });

  it("a foreign-key violation is an input error with Hasura's message, and the session is deleted again", async () => {
    const err = await rejection(
      client.createSession({
        name: 'fk-violation',
        endDate: '+1h',
        records: [{ camera: { id: '00000000-0000-4000-8000-0000000000ff' }, streams: [COLOR] }],
      }),
    );
    assert.ok(err instanceof AiveroCreateError, err.message);
    assert.equal(err.code, 'INPUT');
    assert.equal(err.step, 'inserting record 1');
    assert.equal(err.remains, false);
    assert.match(err.message, /Foreign key violation|foreign key/i);
    assert.match(err.message, /was deleted again/);
    assert.equal(await sessionsNamed('fk-violation'), 0);
  });

  it('a string for Int is validation-failed on a strict server (an input error)', async () => {
    const err = await rejection(
      client.request(INSERT_RECORDING_SESSION, {
        name: 'strings',
        startDate: '2026-12-01T10:00:00',
        endDate: '2026-12-01T11:00:00',
        mode: 'Storage',
        state: 'Stopped',
        maxTimeSeconds: '0',
        maxSizeMegabytes: '0',
      }),
    );
    assert.ok(err instanceof AiveroInputError, err.message);
    assert.equal(err.hasura.code, 'validation-failed');
    assert.match(err.message, /expected a 32-bit integer/);
  });

  it('a later step failing leaves nothing behind (streams, records and session deleted)', async () => {
    // A trigger makes the second stream fail, after the session, its record and one stream exist.
    await sim.query(`CREATE FUNCTION refuse_stream() RETURNS trigger AS $$ BEGIN
        IF NEW.bitrate = 4242 THEN RAISE EXCEPTION 'encoder busy'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await sim.query(
      `CREATE TRIGGER refuse_stream BEFORE INSERT ON streams FOR EACH ROW EXECUTE FUNCTION refuse_stream()`,
    );
    try {
      const err = await rejection(
        client.createSession({
          name: 'late-failure',
          endDate: '+1h',
          records: [{ camera: { id: cameraId }, streams: [COLOR, { ...DEPTH, bitrate: 4242 }] }],
        }),
      );
      assert.ok(err instanceof AiveroCreateError, err.message);
      assert.equal(err.step, 'inserting record 1 stream 2');
      assert.equal(err.remains, false);
      assert.equal(err.created.streamIds.length, 1);
      assert.equal(await sessionsNamed('late-failure'), 0);
      const orphans = await sim.query(`SELECT count(*)::int AS n FROM streams WHERE id = $1`, [
        err.created.streamIds[0],
      ]);
      assert.deepEqual(orphans, [{ n: 0 }]);
    } finally {
      await sim.query(`DROP TRIGGER refuse_stream ON streams`);
      await sim.query(`DROP FUNCTION refuse_stream()`);
    }
  });

  it('says exactly what remains when the clean-up fails too', async () => {
    await sim.query(
      `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql`,
    );
    await sim.query(
      `CREATE TRIGGER refuse_update BEFORE UPDATE ON recording_sessions FOR EACH ROW EXECUTE FUNCTION refuse()`,
    );
    await sim.query(
      `CREATE TRIGGER refuse_delete BEFORE DELETE ON recording_sessions FOR EACH ROW EXECUTE FUNCTION refuse()`,
    );
    let sessionId: string | undefined;
    try {
      const err = await rejection(
        client.createSession({
          name: 'stuck',
          endDate: '+1h',
          records: [{ camera: { id: cameraId }, streams: [COLOR, DEPTH] }],
        }),
      );
      assert.ok(err instanceof AiveroCreateError, err.message);
      assert.equal(err.step, 'setting the state to Scheduled');
      assert.equal(err.remains, true);
      sessionId = err.created.sessionId;
      assert.ok(sessionId);
      assert.ok(err.message.includes(sessionId));
      for (const id of [...err.created.recordIds, ...err.created.streamIds])
        assert.ok(err.message.includes(id), id);
      assert.match(err.message, /REMAINS on the server/);
      assert.equal(await sessionsNamed('stuck'), 1);
    } finally {
      await sim.query(`DROP TRIGGER refuse_update ON recording_sessions`);
      await sim.query(`DROP TRIGGER refuse_delete ON recording_sessions`);
      await sim.query(`DROP FUNCTION refuse()`);
    }
    await client.deleteSession(sessionId);
    assert.equal(await sessionsNamed('stuck'), 0);
  });

  it('server down is a retryable ConnectionError; the same client works once it is back', async () => {
    await client.listCameras();
    await sim.stop();
    try {
      const err = await rejection(client.listCameras());
      assert.equal(err.code, 'CONNECTION', err.message);
      assert.equal(isRetryableError(err), true);
      assert.match(err.message, /127\.0\.0\.1:\d+/);
    } finally {
      await sim.restart();
    }
    assert.ok((await client.listCameras()).length > 0);
  });
});

describe('aivero: a lenient server', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  let client: AiveroClient;
  before(async () => {
    sim = await AiveroSimulator.start({ lenientInts: true });
    client = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
  });
  after(async () => {
    await client?.close();
    await sim?.close();
  });

  it("accepts the vendor's string Ints, and our numbers as well", async () => {
    const data = await client.request<{ insertRecordingSession: { id: string } }>(INSERT_RECORDING_SESSION, {
      name: 'strings',
      startDate: '2026-12-01T10:00:00',
      endDate: '2026-12-01T11:00:00',
      mode: 'Storage',
      state: 'Stopped',
      maxTimeSeconds: '0',
      maxSizeMegabytes: '0',
    });
    assert.match(data.insertRecordingSession.id, /^[0-9a-f-]{36}$/);
    const cameraId = (await sim.cameras())[0].id;
    const created = await client.createSession({
      name: 'numbers',
      state: 'Stopped',
      records: [{ camera: { id: cameraId }, streams: [COLOR] }],
    });
    assert.ok(created.sessionId);
  });
});
