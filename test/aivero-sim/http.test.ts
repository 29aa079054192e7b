/** Transport: HTTPS with the generated certificate, both GraphQL paths, /healthz, flat HTTP errors. */
import assert from 'node:assert/strict';
import { Agent, fetch } from 'undici';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { admin, closeAgent, gql, gqlError, post, startSim } from './helpers';

describe('aivero simulator: HTTP', function () {
  this.timeout(20000);
  let sim: AiveroSimulator;
  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  it('serves HTTPS with a certificate a client can trust as its CA (hostname checked)', async () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+\/v1\/graphql$/);
    assert.match(sim.wsUrl, /^wss:\/\/127\.0\.0\.1:\d+\/v1\/graphql$/);
    assert.match(sim.ca ?? '', /BEGIN CERTIFICATE/);
    const data = await gql<{ cameras: unknown[] }>(sim, '{ cameras { id } }');
    assert.ok(data.cameras.length >= 5);
  });

  it('refuses a client that does not trust the certificate', async () => {
    const agent = new Agent();
    try {
      await assert.rejects(fetch(sim.url.replace('/v1/graphql', '/healthz'), { dispatcher: agent }));
    } finally {
      await agent.close();
    }
  });

  it('answers GET /healthz with 200 OK', async () => {
    const agent = new Agent({ connect: { ca: sim.ca } });
    try {
      const res = await fetch(sim.url.replace('/v1/graphql', '/healthz'), { dispatcher: agent });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'OK');
    } finally {
      await agent.close();
    }
  });

  it('serves /hasura/v1/graphql like /v1/graphql (Traefik prefix)', async () => {
    const res = await post(
      sim,
      '{ cameras { model } }',
      {},
      admin(sim),
      sim.url.replace('/v1/', '/hasura/v1/'),
    );
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body.data?.cameras));
  });

  it('rejects a wrong admin secret with access-denied, HTTP 200 and no data', async () => {
    const err = await gqlError(sim, '{ cameras { id } }', {}, { 'x-hasura-admin-secret': 'wrong' });
    assert.deepEqual(err, {
      message: 'invalid x-hasura-admin-secret/x-hasura-access-key',
      code: 'access-denied',
      path: '$',
    });
  });

  it('answers a body that is not JSON with HTTP 400 invalid-json', async () => {
    const agent = new Agent({ connect: { ca: sim.ca } });
    try {
      const res = await fetch(sim.url, {
        method: 'POST',
        body: '{nope',
        dispatcher: agent,
        headers: admin(sim),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { code: string }).code, 'invalid-json');
      const missing = await fetch(sim.url.replace('/v1/graphql', '/v1/other'), { dispatcher: agent });
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { code: string }).code, 'not-found');
    } finally {
      await agent.close();
    }
  });

  it('lets the unauthorized role public list cameras and nothing else', async () => {
    const data = await gql<{ cameras: unknown[] }>(sim, '{ cameras { id model serial } }', {}, {});
    assert.ok(data.cameras.length >= 5);
    const err = await gqlError(sim, '{ recordingSessions { id } }', {}, {});
    assert.equal(err.code, 'validation-failed');
    assert.equal(err.message, "field 'recordingSessions' not found in type: 'query_root'");
    const mutation = await gqlError(sim, 'mutation { deleteRecordingSession(id: "x") { id } }', {}, {});
    assert.equal(mutation.code, 'validation-failed');
  });
});
