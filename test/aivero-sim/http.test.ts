/** Transport: HTTPS with the generated certificate, both GraphQL paths, /healthz, flat HTTP errors. */
import assert from 'node:assert/strict';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { admin, closeAgent, gql, gqlError, post, startSim } from './helpers';

describe('aivero simulator: HTTP', function () {
  this.timeout(60000);
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

  it("answers GET /healthz with 200 OK and /v1/version with the chart's engine version", async () => {
    const agent = new Agent({ connect: { ca: sim.ca } });
    try {
      const res = await fetch(sim.url.replace('/v1/graphql', '/healthz'), { dispatcher: agent });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'OK');
      const version = await fetch(sim.url.replace('/v1/graphql', '/v1/version'), { dispatcher: agent });
      assert.deepEqual(await version.json(), { version: 'v2.28.0-ce' });
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

  it('answers a batch (JSON array of requests) with an array, each request on its own', async () => {
    const agent = new Agent({ connect: { ca: sim.ca } });
    try {
      const res = await fetch(sim.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...admin(sim) },
        body: JSON.stringify([{ query: '{ cameras(limit: 1) { model } }' }, { query: '{ nope }' }]),
      });
      const body = (await res.json()) as Array<{
        data?: unknown;
        errors?: Array<{ extensions: { code: string } }>;
      }>;
      assert.equal(body.length, 2);
      assert.deepEqual(body[0], { data: { cameras: [{ model: 'REALSENSE' }] } });
      assert.equal(body[1].errors?.[0].extensions.code, 'validation-failed');
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

  it('answers as the proxy in front when told to: 502/503 text/plain for HTTP and WebSocket upgrades', async () => {
    const agent = new Agent({ connect: { ca: sim.ca } });
    try {
      sim.setProxyError(503);
      const res = await fetch(sim.url, {
        method: 'POST',
        dispatcher: agent,
        headers: admin(sim),
        body: '{}',
      });
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await res.text(), '503 Service Unavailable\n');
      const ws = new WebSocket(sim.wsUrl, ['graphql-transport-ws'], { ca: sim.ca });
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
      ws.terminate();
      assert.equal(status, 503);
      sim.setProxyError(undefined);
      assert.ok(Array.isArray((await gql<{ cameras: unknown[] }>(sim, '{ cameras { id } }')).cameras));
      assert.throws(() => sim.setProxyError(200));
    } finally {
      sim.setProxyError(undefined);
      await agent.close();
    }
  });

  it('puts a basic-auth proxy in front when configured (401 text/plain without it)', async () => {
    const guarded = await startSim({ tls: false, basicAuth: { username: 'lab', password: 'pw:1' } });
    try {
      const res = await fetch(guarded.url, { method: 'POST', headers: admin(guarded), body: '{}' });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="traefik"');
      assert.equal(await res.text(), '401 Unauthorized\n');
      const basic = `Basic ${Buffer.from('lab:pw:1').toString('base64')}`;
      const d = await gql<{ recordingSessions: unknown[] }>(
        guarded,
        '{ recordingSessions { id } }',
        {},
        {
          ...admin(guarded),
          authorization: basic,
        },
      );
      assert.deepEqual(d.recordingSessions, []);
      const wrong = await fetch(guarded.url, {
        method: 'POST',
        headers: { authorization: 'Basic bGFiOng=' },
        body: '{}',
      });
      assert.equal(wrong.status, 401);
    } finally {
      await closeAgent(guarded);
      await guarded.close();
    }
  });
});
