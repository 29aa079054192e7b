/**
 * A subscription that cannot deliver any more although its socket looks open: a server that goes
 * silent after the first result, and a TCP path that turns into a black hole. Each must be reported
 * "stalled" within a bound, resubscribed, and the state change made during the silence delivered
 * exactly once. Also: one oversized WebSocket frame is refused with an error that says so.
 */
import assert from 'node:assert/strict';
import {
  AiveroClient,
  type SessionWatch,
  type StateChange,
  type WatchOptions,
  type WatchProtocol,
} from '../../src/backends/aivero';
import type { RecorderError } from '../../src/common/errors';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { startBlackholeProxy } from './blackhole-proxy';
import { COLOR, FAST_BACKOFF, waitFor } from './helpers';
import { startHostileServer } from './hostile-ws';

const SESSION = '6b1f0a4e-0000-4000-8000-0000000000aa';
const STALL_MS = 1000;
/** Stalled must show within this long after the last frame: the limit plus one probe interval and slack. */
const STALL_BOUND_MS = STALL_MS * 2 + 1000;
const PROTOCOLS = ['graphql-transport-ws', 'graphql-ws'] as const;

interface Log {
  changes: string[];
  healthy: number;
  stalled: RecorderError[];
  failures: RecorderError[];
}

function record(watch: SessionWatch): Log {
  const log: Log = { changes: [], healthy: 0, stalled: [], failures: [] };
  watch.on('change', (c: StateChange) => log.changes.push(`${c.previous ?? '-'}>${c.state}`));
  watch.on('healthy', () => log.healthy++);
  watch.on('stalled', (e: RecorderError) => log.stalled.push(e));
  watch.on('failure', (e: RecorderError) => log.failures.push(e));
  return log;
}

describe('aivero: a watch whose subscription goes quiet or breaks', function () {
  this.timeout(30_000);
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const watchWith = (client: AiveroClient, id: string, protocol: WatchProtocol): SessionWatch => {
    const options: WatchOptions = { protocols: [protocol], stallMs: STALL_MS, backoff: FAST_BACKOFF };
    const w = client.watchSession(id, options);
    cleanups.push(() => w.close());
    return w;
  };

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: a server silent after the first result is stalled, resubscribed, and the change made meanwhile arrives once`, async () => {
      const server = await startHostileServer({
        protocol,
        script: (n) => (n === 0 ? 'silent' : 'normal'),
        sessionId: SESSION,
        state: 'Standby',
      });
      cleanups.push(() => server.close());
      const client = new AiveroClient({ endpoint: server.url });
      cleanups.push(() => client.close());
      const w = watchWith(client, SESSION, protocol);
      const log = record(w);
      await waitFor('the first result', () => log.changes.length === 1);
      const lastFrameAt = Date.now();
      // Made on the server while the subscription is silent: nobody hears it on that connection.
      server.state = 'Started';
      await waitFor('stalled', () => log.stalled.length > 0, STALL_BOUND_MS + 2000);
      const stalledAfterMs = Date.now() - lastFrameAt;
      console.log(
        `      ${protocol}: silent server stalled after ${stalledAfterMs} ms (limit ${STALL_MS} ms)`,
      );
      assert.ok(stalledAfterMs < STALL_BOUND_MS, `stalled after ${stalledAfterMs} ms`);
      assert.ok(stalledAfterMs >= STALL_MS - 50, `stalled too early, after ${stalledAfterMs} ms`);
      assert.equal(log.stalled[0].code, 'TIMEOUT');
      assert.equal(log.stalled[0].statusText, 'stalled');
      assert.match(log.stalled[0].message, new RegExp(`nothing .* for ${STALL_MS} ms`));
      assert.ok(server.probesIgnored >= 1, 'the client probed the silent connection');
      await waitFor('resubscribed', () => log.healthy === 2, 5000);
      await waitFor('the missed change', () => log.changes.length === 2);
      assert.deepEqual(log.changes, ['->Standby', 'Standby>Started']);
      assert.equal(server.connections, 2);
      assert.deepEqual(log.failures, [], 'a stall is the watch’s own state, not a connection failure');
      // Later changes still arrive, once each.
      server.state = 'Standby';
      await waitFor('a later change', () => log.changes.length === 3);
      assert.deepEqual(log.changes, ['->Standby', 'Standby>Started', 'Started>Standby']);
    });
  }

  describe('against the simulator: quiet but healthy, then through a TCP path that becomes a black hole', () => {
    let sim: AiveroSimulator;
    let direct: AiveroClient;
    let cameraId: string;
    before(async () => {
      sim = await AiveroSimulator.start({ refetchMs: 40 });
      direct = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
      cameraId = (await sim.cameras())[0].id;
    });
    after(async () => {
      await direct?.close();
      await sim?.close();
    });

    for (const protocol of PROTOCOLS) {
      it(`${protocol}: a quiet but healthy server answers the probes and is never taken for stalled`, async () => {
        const client = new AiveroClient({
          endpoint: sim.url,
          adminSecret: sim.adminSecret,
          tls: { ca: sim.ca },
        });
        cleanups.push(() => client.close());
        const { sessionId } = await direct.createSession({
          name: `quiet-${protocol}`,
          state: 'Stopped',
          records: [{ camera: { id: cameraId }, streams: [COLOR] }],
        });
        const w = watchWith(client, sessionId, protocol);
        const log = record(w);
        await waitFor('the first result', () => log.changes.length === 1);
        // Nothing changes for four stall limits; the simulator's `ka` comes only every 5 s.
        const quietUntil = Date.now() + 4 * STALL_MS;
        await waitFor(
          'four quiet stall limits',
          () => Date.now() > quietUntil || log.stalled.length > 0,
          10_000,
        );
        assert.deepEqual(log.stalled, []);
        assert.equal(log.healthy, 1);
        await direct.setState(sessionId, 'Standby');
        await waitFor('the change', () => log.changes.length === 2);
      });

      it(`${protocol}: stalled within the bound, resubscribed, the change made meanwhile delivered once`, async () => {
        const target = new URL(sim.url);
        const proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
        cleanups.push(() => proxy.close());
        const client = new AiveroClient({
          endpoint: `https://${target.hostname}:${proxy.port}/v1/graphql`,
          adminSecret: sim.adminSecret,
          tls: { ca: sim.ca },
        });
        cleanups.push(() => client.close());
        const { sessionId } = await direct.createSession({
          name: `blackhole-${protocol}`,
          state: 'Stopped',
          records: [{ camera: { id: cameraId }, streams: [COLOR] }],
        });
        const w = watchWith(client, sessionId, protocol);
        const log = record(w);
        await waitFor('the first result', () => log.changes.length === 1);
        proxy.swallow();
        const swallowedAt = Date.now();
        await direct.setState(sessionId, 'Standby');
        await waitFor('stalled', () => log.stalled.length > 0, STALL_BOUND_MS + 2000);
        const stalledAfterMs = Date.now() - swallowedAt;
        console.log(
          `      ${protocol}: black hole stalled after ${stalledAfterMs} ms (limit ${STALL_MS} ms)`,
        );
        assert.ok(stalledAfterMs < STALL_BOUND_MS, `stalled after ${stalledAfterMs} ms`);
        await waitFor('resubscribed', () => log.healthy === 2, 5000);
        await waitFor('the missed change', () => log.changes.length === 2);
        assert.deepEqual(log.changes, ['->Stopped', 'Stopped>Standby']);
        await direct.setState(sessionId, 'Started');
        await waitFor('a later change', () => log.changes.length === 3);
        assert.deepEqual(log.changes, ['->Stopped', 'Stopped>Standby', 'Standby>Started']);
      });
    }
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: an oversized frame is refused with an error saying the answer was too large`, async () => {
      const server = await startHostileServer({
        protocol,
        script: (n) => (n === 0 ? 'oversize' : 'normal'),
        sessionId: SESSION,
        oversizeBytes: 5 * 1024 * 1024,
      });
      cleanups.push(() => server.close());
      const client = new AiveroClient({ endpoint: server.url });
      cleanups.push(() => client.close());
      const w = watchWith(client, SESSION, protocol);
      const log = record(w);
      await waitFor('a failure', () => log.failures.length > 0);
      assert.match(log.failures[0].message, /too large/);
      assert.match(log.failures[0].message, /4 MiB/);
      assert.equal(log.changes.length, 0, 'nothing of the oversized answer was delivered');
      // The next subscription (a sane answer) works.
      await waitFor('resubscribed', () => log.healthy === 1, 5000);
      assert.deepEqual(log.changes, ['->Standby']);
    });
  }
});
