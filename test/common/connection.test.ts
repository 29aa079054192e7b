/** The shared connection state machine, with a scripted transport and sinon's fake clock. */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { backoffDelay } from '../../src/common/backoff';
import { EventEmitter } from 'node:events';
import {
  ConnectionManager,
  type ConnectionSnapshot,
  type Transport,
  type WatchedStream,
} from '../../src/kit/connection';
import { AuthError, ClosedError, ConfigError, ConnectionError, TimeoutError } from '../../src/common/errors';

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

  it('latches on a refused credential: calls fail at once, each with its own error, and it is re-checked slowly', async () => {
    const transport = scripted(['ok', new AuthError('key rejected'), 'ok']);
    const manager = new ConnectionManager(transport, {
      backoff: { initialMs: 10, maxMs: 10 },
      recheck: { initialMs: 30_000, maxMs: 120_000, random: () => 1 },
    });
    manager.acquire('a');
    await flush();
    // A call is refused: the connection latches, and plans a re-check.
    await assert.rejects(
      manager.run(async () => {
        throw new AuthError('setting session 1 to Started: invalid admin secret');
      }, 'setState'),
      /^AuthError: setting session 1/,
    );
    assert.equal(manager.state, 'failed');
    assert.equal(manager.snapshot.nextRetryAt, Date.now() + 30_000);
    manager.reportFailure(new AuthError('a call under way was refused too'));
    assert.equal(manager.snapshot.nextRetryAt, Date.now() + 30_000, 'the re-check is not pushed back');
    const notSent = await manager
      .run(async () => 'sent', 'listSessions')
      .then(
        () => assert.fail('a latched connection sends nothing'),
        (err: Error) => err,
      );
    assert.ok(notSent instanceof AuthError);
    assert.match(
      notSent.message,
      /^listSessions: not sent, the server refused the credentials \(setting session 1/,
    );
    assert.match(notSent.message, /checked again in 30 s or when redeployed/);
    assert.notEqual(notSent, manager.snapshot.error, 'a new error per call, never the cached one');
    await clock.tickAsync(29_000);
    assert.equal(transport.probes, 1, 'no fast retry loop');
    await clock.tickAsync(1000);
    assert.equal(transport.probes, 2, 'the first re-check');
    assert.equal(manager.state, 'failed');
    assert.equal(manager.snapshot.nextRetryAt, Date.now() + 60_000, 'slower each time');
    await clock.tickAsync(60_000);
    assert.equal(transport.probes, 3);
    assert.equal(manager.state, 'connected', 'a re-check that passes clears the latch');
    assert.equal(await manager.run(async () => 'sent', 'listSessions'), 'sent');
  });

  it('a wrong configuration is not re-checked: it waits for the redeploy', async () => {
    const transport = { ...scripted(['ok']), configError: new ConfigError('host: missing', 'host') };
    const manager = new ConnectionManager(transport, { recheck: { initialMs: 10, maxMs: 10 } });
    manager.acquire('a');
    await clock.tickAsync(60_000);
    assert.equal(transport.probes, 0);
    assert.throws(() => manager.client('version'), /^ConfigError: host: missing/);
  });

  it('resumes a stream it halted once a re-check passes', async () => {
    const transport = scripted(['ok', 'ok']);
    const manager = new ConnectionManager(transport, {
      recheck: { initialMs: 1000, maxMs: 1000, random: () => 1 },
    });
    manager.acquire('a');
    await flush();
    const stream = Object.assign(new EventEmitter(), { halted: 0, resumed: 0 }) as EventEmitter &
      WatchedStream & { halted: number; resumed: number };
    stream.halt = () => void stream.halted++;
    stream.resume = () => void stream.resumed++;
    manager.watch(stream);
    stream.emit('failure', new AuthError('token expired'));
    assert.equal(stream.halted, 1);
    assert.equal(manager.state, 'failed');
    await clock.tickAsync(1000);
    assert.equal(manager.state, 'connected');
    assert.equal(stream.resumed, 1);
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
