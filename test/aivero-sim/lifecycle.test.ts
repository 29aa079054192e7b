/** stop/restart keep the data, close releases everything, and the CLI module starts from the registry. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { simulators } from '../../src/simulators/registry';
import { openResources } from '../support/leaks';
import { closeAgent, gql, post, startSim } from './helpers';
import { LegacySocket, collect, transportClient } from './ws-helpers';

describe('aivero simulator: lifecycle', function () {
  this.timeout(60000);

  it('stop makes the server unreachable, restart serves the same data on the same port', async () => {
    const sim = await startSim();
    try {
      const d = await gql<{ insertRecordingSession: { id: string } }>(
        sim,
        'mutation { insertRecordingSession(object: {name: "kept", startDate: "2030-01-01T00:00:00", endDate: "2030-01-01T01:00:00"}) { id } }',
      );
      const port = sim.port;
      await sim.stop();
      await closeAgent(sim);
      await assert.rejects(post(sim, '{ cameras { id } }'));
      await sim.stop(); // idempotent
      await sim.restart();
      assert.equal(sim.port, port);
      const again = await gql<{ recordingSession: { name: string } }>(
        sim,
        'query($id: uuid!) { recordingSession(id: $id) { name } }',
        { id: d.insertRecordingSession.id },
      );
      assert.equal(again.recordingSession.name, 'kept');
    } finally {
      await closeAgent(sim);
      await sim.close();
    }
  });

  it('close leaves no socket, timer or websocket behind, and is idempotent', async () => {
    const warm = await startSim({ refetchMs: 20 });
    await warm.close();
    await new Promise((r) => setTimeout(r, 200));
    const baseline = openResources();
    for (let i = 0; i < 3; i++) {
      const sim = await startSim({ refetchMs: 20, deviceTickMs: 10 });
      const legacy = new LegacySocket(sim, 'graphql-ws');
      await legacy.opened();
      legacy.send({
        type: 'connection_init',
        payload: { headers: { 'x-hasura-admin-secret': sim.adminSecret } },
      });
      legacy.send({ type: 'start', id: '1', payload: { query: 'subscription { cameras { id } }' } });
      const client = transportClient(sim);
      const sub = collect(client, 'subscription { cameras { id } }');
      await gql(sim, '{ cameras { id } }');
      const until = Date.now() + 5000;
      while ((legacy.of('data').length === 0 || sub.values.length === 0) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(sim.liveQueryCount, 2);
      await closeAgent(sim);
      await sim.close();
      await sim.close();
      assert.equal(sim.liveQueryCount, 0);
      await client.dispose();
      legacy.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    const after = openResources();
    for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'TLSWrap', 'Timeout'])
      assert.ok(
        (after[kind] ?? 0) <= (baseline[kind] ?? 0),
        `${kind}: ${baseline[kind] ?? 0} → ${after[kind] ?? 0}`,
      );
    assert.ok(after.fd <= baseline.fd + 2, `fd: ${baseline.fd} → ${after.fd}`);
  });

  it('starts a second simulator from the in-memory template, not initdb', async () => {
    const sim = await AiveroSimulator.start({ tls: false });
    try {
      // Loaded from the process's dump, not built by initdb (times vary too much on a shared machine).
      assert.equal(sim.databaseSource, 'memory');
      assert.ok(sim.databaseStartMs >= 0);
      assert.match(sim.url, /^http:\/\//);
      assert.equal(sim.ca, undefined);
    } finally {
      await sim.close();
    }
  });

  it('starts from the registry (recorders-sim aivero) and writes a certificate clients can trust', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aivero-sim-'));
    const handle = await simulators.aivero().start({
      port: '0',
      'admin-secret': 'cli-secret',
      'lenient-ints': 'true',
      'cert-out': join(dir, 'aivero.pem'),
      'refetch-ms': '250',
    });
    const agent = new Agent({ connect: { ca: await readFile(join(dir, 'aivero.pem'), 'utf8') } });
    try {
      assert.equal(handle.info['admin secret'], 'cli-secret');
      assert.match(handle.endpoints.graphql, /^https:\/\/127\.0\.0\.1:\d+\/v1\/graphql$/);
      assert.match(handle.endpoints.websocket, /^wss:\/\//);
      const health = await fetch(handle.endpoints.health, { dispatcher: agent });
      assert.equal(health.status, 200);
      const res = await fetch(handle.endpoints.graphql, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': 'cli-secret' },
        body: JSON.stringify({
          query: 'query($n: Int!) { cameras(limit: $n) { id } }',
          variables: { n: '2' },
        }),
      });
      const body = (await res.json()) as { data: { cameras: unknown[] } };
      assert.equal(body.data.cameras.length, 2);
      await assert.rejects(simulators.aivero().start({ port: '70000' }), /invalid --port/);
    } finally {
      await agent.close();
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
