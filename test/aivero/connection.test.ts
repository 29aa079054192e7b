/**
 * The client under the common connection manager, as the aivero-server config node will hold it:
 * health() as the probe, the TLS warning as the standing warning, calls through run(), and a
 * session watch under watch(): a refused credential halts its retry loop.
 */
import assert from 'node:assert/strict';
import { AiveroClient, resolveConfig, type AiveroClientOptions } from '../../src/backends/aivero';
import { ConnectionManager, type Transport, type WatchedStream } from '../../src/kit/connection';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { FAST_BACKOFF, waitFor } from './helpers';

function transport(options: AiveroClientOptions): Transport<AiveroClient> {
  const resolved = resolveConfig(options);
  return {
    create: () => new AiveroClient(options),
    probe: async (client, signal) => ({ ...(await client.health({ signal })) }),
    destroy: (client) => client.close(),
    warning: resolved.warning,
    secrets: resolved.secrets,
  };
}

describe('aivero: under the connection manager', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  const managers: ConnectionManager<AiveroClient>[] = [];

  before(async () => {
    sim = await AiveroSimulator.start({ refetchMs: 40 });
  });
  after(async () => {
    await Promise.all(managers.map((m) => m.close()));
    await sim?.close();
  });

  function manager(options: Partial<AiveroClientOptions>): ConnectionManager<AiveroClient> {
    const m = new ConnectionManager(
      transport({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca }, ...options }),
      { backoff: FAST_BACKOFF },
    );
    managers.push(m);
    return m;
  }

  it('connects with health() as the probe and runs calls', async () => {
    const m = manager({});
    m.acquire('node-1');
    await waitFor('connected', () => m.state === 'connected');
    const cameras = await m.run((c) => c.listCameras());
    assert.ok(cameras.length > 0);
  });

  it('shows the insecure-TLS warning while connected', async () => {
    const m = manager({ tls: { insecure: true } });
    m.acquire('node-1');
    await waitFor('connected', () => m.state === 'connected');
    assert.match(m.snapshot.warning ?? '', /verification is off/);
  });

  it('fails for good on a wrong secret and halts a watch on it', async () => {
    const m = manager({ adminSecret: 'wrong-secret-123' });
    m.acquire('node-1');
    await waitFor('failed', () => m.state === 'failed');
    assert.equal(m.snapshot.error?.code, 'AUTH');
    assert.doesNotMatch(m.snapshot.error?.message ?? '', /wrong-secret-123/);
    // A client built directly (the manager refuses to hand one out now) with the same credentials.
    const client = new AiveroClient({
      endpoint: sim.url,
      adminSecret: 'wrong-secret-123',
      tls: { ca: sim.ca },
    });
    try {
      const watch = client.watchSession(undefined, { backoff: FAST_BACKOFF });
      const stream: WatchedStream = watch;
      const unwatch = m.watch(stream);
      await waitFor('halted', () => watch.halted !== undefined);
      assert.equal(watch.halted?.code, 'AUTH');
      unwatch();
    } finally {
      await client.close();
    }
  });

  it("records a watch's health: healthy keeps the connection up", async () => {
    const m = manager({});
    m.acquire('node-1');
    await waitFor('connected', () => m.state === 'connected');
    const watch = await m.run(async (c) => c.watchSession(undefined, { backoff: FAST_BACKOFF }));
    let healthy = 0;
    watch.on('healthy', () => healthy++);
    const unwatch = m.watch(watch);
    await waitFor('healthy', () => healthy > 0);
    assert.equal(watch.halted, undefined);
    assert.equal(m.state, 'connected');
    unwatch();
    await watch.close();
  });
});
