/**
 * What sits in front of Hasura, as the simulator models it: a basic-auth proxy (credentials as an
 * extra header, for HTTP and the WebSocket upgrade), a proxy answering 502/503 by itself while the
 * engine is away, older servers (legacy protocol only) and proxies without WebSockets.
 */
import assert from 'node:assert/strict';
import {
  AiveroClient,
  isRetryableError,
  type SessionWatch,
  type WatchProtocol,
} from '../../src/backends/aivero';
import type { RecorderError } from '../../src/common/errors';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { FAST_BACKOFF, rejection, waitFor } from './helpers';

const BASIC = { username: 'lab', password: 'dashboard-pw-77' };
const basicHeader = `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`;

interface Log {
  healthy: WatchProtocol[];
  failures: RecorderError[];
}
function record(watch: SessionWatch): Log {
  const log: Log = { healthy: [], failures: [] };
  watch.on('healthy', (h: { protocol: WatchProtocol }) => log.healthy.push(h.protocol));
  watch.on('failure', (e: RecorderError) => log.failures.push(e));
  return log;
}

describe('aivero: proxies and older servers in front (simulator)', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  const clients: AiveroClient[] = [];
  const watches: SessionWatch[] = [];
  const make = (options: Partial<ConstructorParameters<typeof AiveroClient>[0]> = {}): AiveroClient => {
    const c = new AiveroClient({
      endpoint: sim.url,
      adminSecret: sim.adminSecret,
      tls: { ca: sim.ca },
      headers: { Authorization: basicHeader },
      ...options,
    });
    clients.push(c);
    return c;
  };
  const watch = (c: AiveroClient, protocols?: WatchProtocol[]): SessionWatch => {
    const w = c.watchSession(undefined, { protocols, backoff: FAST_BACKOFF, pollMs: 40 });
    watches.push(w);
    return w;
  };

  before(async () => {
    sim = await AiveroSimulator.start({
      refetchMs: 40,
      basicAuth: BASIC,
    });
  });
  afterEach(async () => {
    sim.setWebSocketMode('both');
    sim.setProxyError(undefined);
    await Promise.all(watches.splice(0).map((w) => w.close()));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim?.close();
  });

  it('passes the basic-auth proxy with the extra header, over HTTP and WebSocket', async () => {
    const c = make();
    assert.equal((await c.health()).healthzStatus, 200);
    assert.ok((await c.listCameras()).length > 0);
    const log = record(watch(c, ['graphql-transport-ws']));
    await waitFor('healthy', () => log.healthy.length > 0);
  });

  it('is refused by the proxy without it: AuthError for calls and for the upgrade, password not shown', async () => {
    const c = make({ headers: { Authorization: 'Basic bGFiOndyb25nLXBhc3N3b3Jk' } });
    const err = await rejection(c.listCameras());
    assert.equal(err.code, 'AUTH', err.message);
    assert.match(err.message, /HTTP 401/);
    assert.doesNotMatch(err.message, /bGFiOndyb25n|wrong-password/);
    const log = record(watch(c, ['graphql-transport-ws']));
    await waitFor('a failure', () => log.failures.length > 0);
    assert.equal(log.failures[0].code, 'AUTH', log.failures[0].message);
  });

  it("reports the proxy's own 502/503 as retryable, and the watch recovers when it clears", async () => {
    const c = make();
    const log = record(watch(c));
    await waitFor('healthy', () => log.healthy.length === 1);
    sim.setProxyError(503);
    const err = await rejection(c.listCameras());
    assert.equal(err.code, 'API');
    assert.match(err.message, /HTTP 503.*text\/plain/);
    assert.equal(isRetryableError(err), true);
    sim.setProxyError(502);
    assert.match((await rejection(c.health())).message, /HTTP 502/);
    // Cut the open subscription as a restarting engine would; re-subscribing meets the proxy error.
    await sim.stop();
    await sim.restart();
    await waitFor('a failure', () => log.failures.length > 0);
    assert.equal(log.healthy.length, 1);
    sim.setProxyError(undefined);
    await waitFor('resubscribed', () => log.healthy.length === 2, 10_000);
    assert.equal(log.healthy[1], 'graphql-transport-ws', 'a proxy error is no reason to change protocol');
  });

  it('uses the legacy protocol on a server that speaks only that one', async () => {
    sim.setWebSocketMode('legacy');
    const log = record(watch(make()));
    await waitFor('healthy', () => log.healthy.length > 0);
    assert.deepEqual(log.healthy, ['graphql-ws']);
    assert.deepEqual(log.failures, []);
  });

  it('polls when the server refuses WebSockets', async () => {
    sim.setWebSocketMode('off');
    const w = watch(make());
    const log = record(w);
    await waitFor('healthy', () => log.healthy.length > 0);
    assert.deepEqual(log.healthy, ['poll']);
    assert.equal(w.protocol, 'poll');
  });
});
