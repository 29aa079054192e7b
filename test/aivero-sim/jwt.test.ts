/** JWT mode: HS256 tokens with Hasura claims, role selection by x-hasura-role, and the auth errors. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { closeAgent, eventually, gql, gqlError, startSim } from './helpers';
import { LegacySocket, collect, transportClient } from './ws-helpers';

const bearer = (t: string, role?: string): Record<string, string> => ({
  authorization: `Bearer ${t}`,
  ...(role ? { 'x-hasura-role': role } : {}),
});

function forge(key: string, payload: Record<string, unknown>, alg = 'HS256'): string {
  const head = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

describe('aivero simulator: JWT', function () {
  this.timeout(60000);
  let sim: AiveroSimulator;
  before(async () => {
    sim = await startSim({ jwtSecret: 'a-very-secret-hs256-key-of-32-bytes!' });
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  it('accepts a token of role user: sessions yes, camera inserts no', async () => {
    const t = sim.signJwt({ role: 'user', userId: 'b1c2' });
    const d = await gql<{ recordingSessions: unknown[] }>(sim, '{ recordingSessions { id } }', {}, bearer(t));
    assert.deepEqual(d.recordingSessions, []);
    const e = await gqlError(
      sim,
      'mutation { insertCamera(object: {model: V4L2CAMERA, serial: "x"}) { id } }',
      {},
      bearer(t),
    );
    assert.equal(e.code, 'validation-failed');
    assert.equal(e.message, "field 'insertCamera' not found in type: 'mutation_root'");
  });

  it('switches to another allowed role with x-hasura-role, refuses one not allowed', async () => {
    const t = sim.signJwt({ role: 'user', allowedRoles: ['user', 'admin', 'public'] });
    const asPublic = await gqlError(sim, '{ recordingSessions { id } }', {}, bearer(t, 'public'));
    assert.equal(asPublic.code, 'validation-failed');
    await gql(
      sim,
      'mutation { insertCamera(object: {model: V4L2CAMERA, serial: "jwt-admin"}) { id } }',
      {},
      bearer(t, 'admin'),
    );
    const denied = await gqlError(
      sim,
      '{ cameras { id } }',
      {},
      bearer(sim.signJwt({ role: 'user' }), 'admin'),
    );
    assert.deepEqual(denied, {
      code: 'access-denied',
      message: 'Your requested role is not in allowed roles',
      path: '$',
    });
  });

  it('invalid-jwt: expired, bad signature, not a JWT, wrong algorithm', async () => {
    const expired = await gqlError(sim, '{ cameras { id } }', {}, bearer(sim.signJwt({ expiresInS: -10 })));
    assert.deepEqual(expired, {
      code: 'invalid-jwt',
      message: 'Could not verify JWT: JWTExpired',
      path: '$',
    });
    const other = forge('another-key', { exp: Math.floor(Date.now() / 1000) + 60 });
    const sig = await gqlError(sim, '{ cameras { id } }', {}, bearer(other));
    assert.deepEqual(sig, {
      code: 'invalid-jwt',
      message: 'Could not verify JWT: JWSError JWSInvalidSignature',
      path: '$',
    });
    const junk = await gqlError(sim, '{ cameras { id } }', {}, bearer('abc'));
    assert.equal(junk.code, 'invalid-jwt');
    const none = forge('a-very-secret-hs256-key-of-32-bytes!', {}, 'none');
    assert.equal((await gqlError(sim, '{ cameras { id } }', {}, bearer(none))).code, 'invalid-jwt');
  });

  it('jwt-invalid-claims / jwt-missing-role-claims / invalid-headers', async () => {
    const key = 'a-very-secret-hs256-key-of-32-bytes!';
    const noClaims = await gqlError(sim, '{ cameras { id } }', {}, bearer(forge(key, { sub: 'x' })));
    assert.equal(noClaims.code, 'jwt-invalid-claims');
    const noRoles = await gqlError(
      sim,
      '{ cameras { id } }',
      {},
      bearer(forge(key, { 'https://hasura.io/jwt/claims': { 'x-hasura-default-role': 'user' } })),
    );
    assert.deepEqual(noRoles, {
      code: 'jwt-missing-role-claims',
      message: 'JWT claim does not contain x-hasura-allowed-roles',
      path: '$',
    });
    const malformed = await gqlError(sim, '{ cameras { id } }', {}, { authorization: 'Token abc' });
    assert.deepEqual(malformed, {
      code: 'invalid-headers',
      message: 'Malformed Authorization header',
      path: '$',
    });
  });

  it('still honours the admin secret, and public without headers', async () => {
    await gql(sim, '{ recordingSessions { id } }');
    const d = await gql<{ cameras: unknown[] }>(sim, '{ cameras { id } }', {}, {});
    assert.ok(d.cameras.length >= 5);
  });

  it('reads the token from connection_init on both WebSocket protocols', async () => {
    const good = transportClient(sim, { Authorization: `Bearer ${sim.signJwt({ role: 'user' })}` });
    let closed: { code: number; reason: string } | undefined;
    const expired = transportClient(
      sim,
      { Authorization: `Bearer ${sim.signJwt({ expiresInS: -1 })}` },
      { onClose: (code, reason) => (closed = { code, reason }) },
    );
    const legacy = new LegacySocket(sim, undefined);
    try {
      const sub = collect<{ data: { recordingSessions: unknown[] } }>(
        good,
        'subscription { recordingSessions { id } }',
      );
      await eventually(async () => (sub.values.length ? true : undefined), 5000, 'data');
      assert.ok(Array.isArray(sub.values[0].data.recordingSessions));
      collect(expired, 'subscription { cameras { id } }');
      await eventually(async () => closed, 5000, 'close');
      assert.deepEqual(closed, { code: 4400, reason: 'Could not verify JWT: JWTExpired' });
      await legacy.opened();
      legacy.send({ type: 'connection_init', payload: { headers: { Authorization: 'Bearer junk' } } });
      await eventually(async () => legacy.closed, 5000, 'legacy close');
      assert.match(String(legacy.of('connection_error')[0].payload), /^Could not verify JWT/);
    } finally {
      legacy.close();
      await good.dispose();
      await expired.dispose();
    }
  });

  it('closes a WebSocket when the JWT that authorised it expires (both protocols)', async () => {
    let closed: { code: number; reason: string } | undefined;
    const client = transportClient(
      sim,
      { Authorization: `Bearer ${sim.signJwt({ role: 'user', expiresInS: 3 })}` },
      { onClose: (code, reason) => (closed = { code, reason }) },
    );
    const legacy = new LegacySocket(sim, 'graphql-ws');
    try {
      const sub = collect(client, 'subscription { recordingSessions { id } }');
      await legacy.opened();
      legacy.send({
        type: 'connection_init',
        payload: { headers: { Authorization: `Bearer ${sim.signJwt({ role: 'user', expiresInS: 3 })}` } },
      });
      await eventually(
        async () => (sub.values.length && legacy.of('connection_ack').length ? true : undefined),
        5000,
        'open',
      );
      await eventually(async () => (closed && legacy.closed ? true : undefined), 8000, 'both closed');
      assert.deepEqual(closed, { code: 4400, reason: 'Could not verify JWT: JWTExpired' });
      assert.equal(legacy.of('connection_error')[0].payload, 'Could not verify JWT: JWTExpired');
      await eventually(async () => (sim.liveQueryCount === 0 ? true : undefined), 2000, 'no live query');
    } finally {
      legacy.close();
      await client.dispose();
    }
  });

  it('signJwt needs a jwtSecret', async () => {
    const plain = await startSim({ tls: false });
    try {
      assert.throws(() => plain.signJwt({}), /jwtSecret/);
      // Without JWT mode a bearer token is not looked at: the request runs as public.
      const d = await gql<{ cameras: unknown[] }>(
        plain,
        '{ cameras { id } }',
        {},
        { authorization: 'Bearer x' },
      );
      assert.ok(d.cameras.length >= 5);
    } finally {
      await closeAgent(plain);
      await plain.close();
    }
  });
});
