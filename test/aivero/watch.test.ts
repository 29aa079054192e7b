/**
 * Watching session states against the simulator: each protocol on its own, the fallbacks (legacy
 * when the server does not offer graphql-transport-ws, polling when it has no WebSockets), a server
 * restart (resubscribed, the change made while down emitted once, nothing repeated), all sessions,
 * refused credentials, TLS trust, and close() leaving no live query behind.
 */
import assert from 'node:assert/strict';
import {
  AiveroClient,
  type SessionRemoved,
  type SessionWatch,
  type StateChange,
  type WatchProtocol,
} from '../../src/backends/aivero';
import type { RecorderError } from '../../src/common/errors';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { startFrontProxy } from './front-proxy';
import { COLOR, FAST_BACKOFF, waitFor } from './helpers';

interface Log {
  changes: StateChange[];
  removed: SessionRemoved[];
  failures: RecorderError[];
  healthy: WatchProtocol[];
}

function record(watch: SessionWatch): Log {
  const log: Log = { changes: [], removed: [], failures: [], healthy: [] };
  watch.on('change', (c: StateChange) => log.changes.push(c));
  watch.on('removed', (r: SessionRemoved) => log.removed.push(r));
  watch.on('failure', (e: RecorderError) => log.failures.push(e));
  watch.on('healthy', (h: { protocol: WatchProtocol }) => log.healthy.push(h.protocol));
  return log;
}

const states = (log: Log): string[] => log.changes.map((c) => `${c.previous ?? '-'}>${c.state}`);

describe('aivero: watching session states', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  let client: AiveroClient;
  let cameraId: string;
  const watches: SessionWatch[] = [];
  const clients: AiveroClient[] = [];

  const draft = async (name: string, c = client): Promise<string> =>
    (
      await c.createSession({
        name,
        state: 'Stopped',
        records: [{ camera: { id: cameraId }, streams: [COLOR] }],
      })
    ).sessionId;
  const watch = (id: string | undefined, protocols?: WatchProtocol[], c = client): SessionWatch => {
    const w = c.watchSession(id, { protocols, pollMs: 40, backoff: FAST_BACKOFF, connectTimeoutMs: 3000 });
    watches.push(w);
    return w;
  };
  const make = (options: Partial<ConstructorParameters<typeof AiveroClient>[0]>): AiveroClient => {
    const c = new AiveroClient({
      endpoint: sim.url,
      adminSecret: sim.adminSecret,
      tls: { ca: sim.ca },
      ...options,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    sim = await AiveroSimulator.start({ refetchMs: 40 });
    client = make({});
    cameraId = (await sim.cameras())[0].id;
  });
  afterEach(async () => {
    await Promise.all(watches.splice(0).map((w) => w.close()));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim?.close();
  });

  for (const protocol of ['graphql-transport-ws', 'graphql-ws', 'poll'] as const) {
    it(`emits each state change once over ${protocol}`, async () => {
      const id = await draft(`watch-${protocol}`);
      const w = watch(id, [protocol]);
      const log = record(w);
      await waitFor('the first result', () => log.changes.length === 1);
      assert.deepEqual(log.healthy, [protocol]);
      assert.equal(w.protocol, protocol);
      const first = log.changes[0];
      assert.equal(first.id, id);
      assert.equal(first.name, `watch-${protocol}`);
      assert.equal(first.state, 'Stopped');
      assert.equal(first.previous, null);
      assert.ok(!Number.isNaN(Date.parse(first.at)));
      for (const state of ['Standby', 'Started', 'Standby', 'Stopped']) {
        const before = log.changes.length;
        await client.setState(id, state);
        await waitFor(`the change to ${state}`, () => log.changes.length > before);
      }
      // A few more results (polls, or live-query pushes caused by another session) change nothing.
      const seen = w.resultCount;
      if (protocol === 'poll') await waitFor('more polls', () => w.resultCount >= seen + 3);
      assert.deepEqual(states(log), [
        '->Stopped',
        'Stopped>Standby',
        'Standby>Started',
        'Started>Standby',
        'Standby>Stopped',
      ]);
      assert.deepEqual(log.failures, []);
    });
  }

  it('falls back to the legacy protocol when graphql-transport-ws is not offered', async () => {
    const proxy = await startFrontProxy(sim, 'legacy-only');
    try {
      const c = make({ endpoint: proxy.url, tls: undefined });
      const id = await draft('fallback-legacy', c);
      const w = watch(id, undefined, c);
      const log = record(w);
      await waitFor('healthy', () => log.healthy.length > 0);
      assert.deepEqual(log.healthy, ['graphql-ws']);
      assert.deepEqual(proxy.upgrades, ['graphql-transport-ws', 'graphql-ws']);
      await c.setState(id, 'Standby');
      await waitFor('the change', () => log.changes.length === 2);
      assert.deepEqual(states(log), ['->Stopped', 'Stopped>Standby']);
      assert.deepEqual(log.failures, [], 'a protocol the server lacks is not a failure');
    } finally {
      await Promise.all(watches.splice(0).map((w) => w.close()));
      await proxy.close();
    }
  });

  it('falls back to polling when WebSockets are refused', async () => {
    const proxy = await startFrontProxy(sim, 'no-ws');
    try {
      const c = make({ endpoint: proxy.url, tls: undefined });
      const id = await draft('fallback-poll', c);
      const w = watch(id, undefined, c);
      const log = record(w);
      await waitFor('healthy', () => log.healthy.length > 0);
      assert.deepEqual(log.healthy, ['poll']);
      assert.equal(proxy.upgrades.length, 2);
      await c.setState(id, 'Started');
      await waitFor('the change', () => log.changes.length === 2);
      assert.deepEqual(states(log), ['->Stopped', 'Stopped>Started']);
    } finally {
      await Promise.all(watches.splice(0).map((w) => w.close()));
      await proxy.close();
    }
  });

  for (const protocol of ['graphql-transport-ws', 'graphql-ws', 'poll'] as const) {
    it(`re-subscribes over ${protocol} after a server restart, emitting what changed meanwhile once`, async () => {
      const id = await draft(`restart-${protocol}`);
      const w = watch(id, [protocol]);
      const log = record(w);
      await waitFor('the first result', () => log.changes.length === 1);
      const restart = async (whileDown?: string): Promise<void> => {
        const failures = log.failures.length;
        await sim.stop();
        try {
          await waitFor('a failure', () => log.failures.length > failures);
          assert.equal(w.healthy, false);
          const failure = log.failures[log.failures.length - 1];
          assert.ok(['CONNECTION', 'TIMEOUT'].includes(failure.code), failure.message);
          // Written while the server is down (by the device, say): seen only after the restart.
          if (whileDown)
            await sim.query(`UPDATE recording_sessions SET state = $2 WHERE id = $1`, [id, whileDown]);
        } finally {
          await sim.restart();
        }
      };
      // 1: nothing changed while down; the first result after resubscribing repeats 'Stopped'.
      await restart();
      await waitFor('resubscribed', () => log.healthy.length === 2, 10_000);
      await client.setState(id, 'Standby');
      await waitFor('a change after the restart', () => log.changes.length >= 2);
      // 2: a change while down is emitted once after resubscribing.
      await restart('Started');
      await waitFor('resubscribed again', () => log.healthy.length === 3, 10_000);
      await waitFor('the missed change', () => log.changes.length >= 3);
      await client.setState(id, 'Stopped');
      await waitFor('a later change', () => log.changes.length >= 4);
      assert.deepEqual(states(log), ['->Stopped', 'Stopped>Standby', 'Standby>Started', 'Started>Stopped']);
      assert.deepEqual(log.healthy, [protocol, protocol, protocol]);
    });
  }

  it('follows a Scheduled session through the device: Scheduled → Started → Stopped', async () => {
    const created = await client.createSession({
      name: 'scheduled-run',
      startDate: 'now',
      endDate: '+2s',
      records: [{ camera: { id: cameraId }, streams: [COLOR] }],
    });
    const w = watch(created.sessionId, ['graphql-transport-ws']);
    const log = record(w);
    await waitFor(
      'stopped by the device at endDate',
      () => log.changes.some((c) => c.state === 'Stopped'),
      10_000,
    );
    const seen = states(log);
    // The first result may already show Started (the device is quick); what follows is exact.
    assert.ok(
      ['->Scheduled,Scheduled>Started,Started>Stopped', '->Started,Started>Stopped'].includes(seen.join(',')),
      seen.join(','),
    );
  });

  it('watches all sessions: new ones, changes and removals', async () => {
    const w = client.watchSession(undefined, { emitInitial: false, backoff: FAST_BACKOFF });
    watches.push(w);
    const log = record(w);
    await waitFor('healthy', () => log.healthy.length > 0);
    assert.equal(log.changes.length, 0, 'emitInitial false: the existing sessions are known, not announced');
    assert.ok(w.states().size > 0);
    const id = await draft('watch-all');
    await waitFor('the new session', () => log.changes.some((c) => c.id === id));
    await client.setState(id, 'Standby');
    await waitFor('its change', () => log.changes.filter((c) => c.id === id).length === 2);
    await client.deleteSession(id);
    await waitFor('its removal', () => log.removed.length === 1);
    assert.deepEqual(
      log.changes.filter((c) => c.id === id).map((c) => `${c.previous ?? '-'}>${c.state}`),
      ['->Stopped', 'Stopped>Standby'],
    );
    assert.deepEqual(log.removed[0], { id, name: 'watch-all', previous: 'Standby', at: log.removed[0].at });
  });

  for (const protocol of ['graphql-transport-ws', 'graphql-ws'] as const) {
    it(`reports refused credentials over ${protocol} as an AuthError, and halt() stops retrying`, async () => {
      const wrong = make({ adminSecret: 'wrong-secret-abc' });
      const w = watch('00000000-0000-4000-8000-000000000001', [protocol], wrong);
      const log = record(w);
      await waitFor('a failure', () => log.failures.length > 0);
      assert.equal(log.failures[0].code, 'AUTH', log.failures[0].message);
      assert.doesNotMatch(log.failures[0].message, /wrong-secret-abc/);
      assert.deepEqual(log.healthy, []);
      w.halt(log.failures[0]);
      assert.equal(w.halted, log.failures[0]);
      assert.equal(w.protocol, protocol, 'an auth failure is no reason to change protocol');
    });
  }

  it('refuses a bad id or option before opening anything', () => {
    assert.throws(
      () => client.watchSession('not-a-uuid'),
      (e: unknown) => (e as RecorderError).code === 'INPUT',
    );
    assert.throws(
      () => client.watchSession(undefined, { protocols: ['carrier-pigeon' as WatchProtocol] }),
      (e: unknown) => (e as RecorderError).code === 'CONFIG',
    );
    assert.throws(
      () => client.watchSession(undefined, { pollMs: 0 }),
      (e: unknown) => (e as RecorderError).code === 'CONFIG',
    );
  });

  it('trusts the certificate in insecure mode (with a warning) and refuses it without a CA', async () => {
    const insecure = make({ tls: { insecure: true } });
    assert.ok(insecure.warning);
    const id = await draft('tls-watch', insecure);
    const ok = record(watch(id, ['graphql-transport-ws'], insecure));
    await waitFor('healthy', () => ok.healthy.length > 0);
    const untrusting = make({ tls: undefined });
    const bad = record(watch(id, ['graphql-transport-ws'], untrusting));
    await waitFor('a failure', () => bad.failures.length > 0);
    assert.equal(bad.failures[0].code, 'TLS', bad.failures[0].message);
  });

  it('close() ends every live query on the server and emits nothing afterwards', async () => {
    const id = await draft('close-watch');
    const logs = (['graphql-transport-ws', 'graphql-ws'] as const).map((p) => record(watch(id, [p])));
    await waitFor('both healthy', () => logs.every((l) => l.healthy.length > 0));
    assert.ok(sim.liveQueryCount >= 2);
    await Promise.all(watches.splice(0).map((w) => w.close()));
    await waitFor('no live query left', () => sim.liveQueryCount === 0);
    const counts = logs.map((l) => l.changes.length);
    await client.setState(id, 'Started');
    // A new watch seeing the change is the barrier: the closed ones would have seen it by then.
    const fresh = record(watch(id, ['graphql-transport-ws']));
    await waitFor('the new watch sees Started', () => fresh.changes.some((c) => c.state === 'Started'));
    assert.deepEqual(
      logs.map((l) => l.changes.length),
      counts,
    );
  });
});

describe('aivero: watching with a JWT', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  const clients: AiveroClient[] = [];
  const watches: SessionWatch[] = [];
  before(async () => {
    sim = await AiveroSimulator.start({ refetchMs: 40, jwtSecret: 'watch-jwt-key-0123456789abcdef0123' });
  });
  after(async () => {
    await Promise.all(watches.map((w) => w.close()));
    await Promise.all(clients.map((c) => c.close()));
    await sim?.close();
  });

  for (const protocol of ['graphql-transport-ws', 'graphql-ws'] as const) {
    it(`sends the bearer token in connection_init over ${protocol}; an expired one is an AuthError`, async () => {
      const valid = new AiveroClient({
        endpoint: sim.url,
        jwt: sim.signJwt({ role: 'user', allowedRoles: ['user'], expiresInS: 600 }),
        tls: { ca: sim.ca },
      });
      const expired = new AiveroClient({
        endpoint: sim.url,
        jwt: sim.signJwt({ role: 'user', allowedRoles: ['user'], expiresInS: -60 }),
        tls: { ca: sim.ca },
      });
      clients.push(valid, expired);
      const good = valid.watchSession(undefined, { protocols: [protocol], backoff: FAST_BACKOFF });
      const bad = expired.watchSession(undefined, { protocols: [protocol], backoff: FAST_BACKOFF });
      watches.push(good, bad);
      const goodLog = record(good);
      const badLog = record(bad);
      await waitFor('healthy with the valid token', () => goodLog.healthy.length > 0);
      await waitFor('refused with the expired token', () => badLog.failures.length > 0);
      assert.equal(badLog.failures[0].code, 'AUTH', badLog.failures[0].message);
      assert.deepEqual(badLog.healthy, []);
    });
  }

  for (const protocol of ['graphql-transport-ws', 'graphql-ws'] as const) {
    it(`reports a JWT expiring during a ${protocol} subscription as an AuthError`, async () => {
      const c = new AiveroClient({
        endpoint: sim.url,
        jwt: sim.signJwt({ role: 'user', allowedRoles: ['user'], expiresInS: 1 }),
        tls: { ca: sim.ca },
      });
      clients.push(c);
      const w = c.watchSession(undefined, { protocols: [protocol], backoff: FAST_BACKOFF });
      watches.push(w);
      const log = record(w);
      await waitFor('healthy', () => log.healthy.length > 0);
      await waitFor('the token expired', () => log.failures.length > 0, 10_000);
      assert.equal(log.failures[0].code, 'AUTH', log.failures[0].message);
      assert.match(log.failures[0].message, /JWT/i);
    });
  }
});
