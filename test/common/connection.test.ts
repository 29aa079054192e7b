/** The shared connection state machine, with a scripted transport and sinon's fake clock. */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { backoffDelay } from '../../src/common/backoff';
import { ConnectionManager, type ConnectionSnapshot, type Transport } from '../../src/kit/connection';
import { AuthError, ClosedError, ConnectionError, TimeoutError } from '../../src/common/errors';

interface FakeClient {
  id: number;
  destroyed: boolean;
}

/** A transport whose probe outcomes are scripted, one per probe. */
function scripted(
  outcomes: Array<Error | 'ok'>,
  destroyMs = 0,
): Transport<FakeClient> & { probes: number; created: number } {
  const t = {
    probes: 0,
    created: 0,
    create(): FakeClient {
      t.created++;
      return { id: t.created, destroyed: false };
    },
    async probe(): Promise<Record<string, unknown>> {
      const outcome = outcomes[Math.min(t.probes, outcomes.length - 1)];
      t.probes++;
      if (outcome instanceof Error) throw outcome;
      return { version: '1.0' };
    },
    async destroy(client: FakeClient): Promise<void> {
      if (destroyMs) await new Promise((r) => setTimeout(r, destroyMs));
      client.destroyed = true;
    },
  };
  return t;
}

describe('ConnectionManager', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  const flush = async (): Promise<void> => {
    await clock.tickAsync(0);
  };

  it('connects on the first user and reports the probe result', async () => {
    const transport = scripted(['ok']);
    const manager = new ConnectionManager(transport);
    const states: string[] = [];
    manager.on('state', (s: ConnectionSnapshot) => states.push(s.state));
    assert.equal(manager.state, 'idle');
    manager.acquire('a');
    manager.acquire('b');
    await flush();
    assert.deepEqual(states, ['connecting', 'connected']);
    assert.deepEqual(manager.snapshot.info, { version: '1.0' });
    assert.equal(transport.created, 1, 'one client for every user');
  });

  it('backs off with growing, capped delays and recovers', async () => {
    const refused = new ConnectionError('refused');
    const transport = scripted([refused, refused, refused, 'ok']);
    const manager = new ConnectionManager(transport, {
      backoff: { initialMs: 100, maxMs: 300, random: () => 1 },
    });
    manager.acquire('a');
    await flush();
    assert.equal(manager.state, 'backoff');
    assert.equal(manager.snapshot.attempt, 1);
    assert.equal(manager.snapshot.nextRetryAt, Date.now() + 100);
    await clock.tickAsync(100);
    assert.equal(manager.snapshot.attempt, 2);
    assert.equal(manager.snapshot.nextRetryAt, Date.now() + 200);
    await clock.tickAsync(200);
    assert.equal(manager.snapshot.nextRetryAt, Date.now() + 300, 'capped at maxMs');
    await clock.tickAsync(300);
    assert.equal(manager.state, 'connected');
    assert.equal(manager.snapshot.attempt, 0);
    assert.equal(transport.probes, 4);
  });

  it('does not retry after an auth failure and fails calls fast', async () => {
    const transport = scripted([new AuthError('key rejected')]);
    const manager = new ConnectionManager(transport, { backoff: { initialMs: 10, maxMs: 10 } });
    manager.acquire('a');
    await flush();
    assert.equal(manager.state, 'failed');
    await clock.tickAsync(60_000);
    assert.equal(transport.probes, 1, 'no retry loop');
    assert.throws(() => manager.client(), AuthError);
  });

  it('moves to backoff when a call reports a connection failure, not on API errors', async () => {
    const transport = scripted(['ok', 'ok']);
    const manager = new ConnectionManager(transport, {
      backoff: { initialMs: 50, maxMs: 50, random: () => 0 },
    });
    manager.acquire('a');
    await flush();
    manager.reportFailure(new Error('server said no'));
    assert.equal(manager.state, 'connected', 'an API error says nothing about the connection');
    manager.reportFailure(new TimeoutError('slow'));
    assert.equal(manager.state, 'backoff');
    manager.reportSuccess();
    assert.equal(manager.state, 'connected', 'a successful call proves the server is back');
  });

  it('lets a probe under way finish when a call succeeds meanwhile, keeping what it learned', async () => {
    let release: (() => void) | undefined;
    const transport: Transport<FakeClient> = {
      create: () => ({ id: 1, destroyed: false }),
      probe: () =>
        new Promise((resolve) => {
          release = () => resolve({ licence: 'EXPIRED' });
        }),
      destroy: async () => undefined,
    };
    const manager = new ConnectionManager(transport);
    manager.acquire('a');
    manager.reportSuccess();
    assert.equal(manager.state, 'connecting', 'the probe decides');
    release?.();
    await flush();
    assert.equal(manager.state, 'connected');
    assert.deepEqual(manager.snapshot.info, { licence: 'EXPIRED' });
  });

  it('keeps the connection for a restarting user and closes when the last user is removed', async () => {
    const transport = scripted(['ok']);
    const manager = new ConnectionManager(transport);
    manager.acquire('a');
    await flush();
    const client = manager.client();
    await manager.release('a', false);
    assert.equal(manager.state, 'connected', 'a restart keeps the connection');
    manager.acquire('a');
    await manager.release('a', true);
    assert.equal(manager.state, 'closed');
    assert.equal(client.destroyed, true);
    assert.throws(() => manager.client(), ClosedError);
    assert.equal(manager.listenerCount('state'), 0, 'listeners released');
  });

  it('closes within the bound even when the transport hangs', async () => {
    const transport = scripted(['ok'], 60_000);
    const manager = new ConnectionManager(transport, { closeTimeoutMs: 1000 });
    manager.acquire('a');
    await flush();
    const closing = manager.close();
    await clock.tickAsync(1000);
    await closing;
    assert.equal(manager.state, 'closed');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially within [initial/2, cap] and is jittered', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    assert.equal(backoffDelay(0, { ...opts, random: () => 0 }), 50);
    assert.equal(backoffDelay(0, { ...opts, random: () => 1 }), 100);
    assert.equal(backoffDelay(3, { ...opts, random: () => 1 }), 800);
    assert.equal(backoffDelay(10, { ...opts, random: () => 1 }), 1000);
    assert.equal(backoffDelay(10, { ...opts, random: () => 0.5 }), 525);
  });
});
