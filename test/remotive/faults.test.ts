/**
 * Faults between the client and the broker: a half-open link (a proxy that silently stops
 * forwarding), a broker killed and restarted, hostile paths and names that must never be sent,
 * and broker errors that must read as words rather than codes.
 */
import assert from 'node:assert/strict';
import { ApiError, InputError, type RecorderError } from '../../src/common/errors';
import { MAX_PATH_LENGTH, RemotiveClient, type StreamState } from '../../src/backends/remotive';
import { RemotiveSimulator } from '../../src/simulators/remotive';
import { CITY, FAST_BACKOFF, rejection, startRig, waitFor, type Rig } from './helpers';
import { StallProxy } from './proxy';

describe('remotive: faults', () => {
  describe('through a proxy that stops forwarding', () => {
    let sim: RemotiveSimulator;
    let proxy: StallProxy;
    let client: RemotiveClient;
    let control: RemotiveClient;

    beforeEach(async () => {
      sim = await RemotiveSimulator.start({ statusIntervalMs: 100, tickMs: 20 });
      proxy = await StallProxy.start(sim.port);
      control = new RemotiveClient({ url: sim.url });
      client = new RemotiveClient({
        url: proxy.url,
        backoff: FAST_BACKOFF,
        timeoutMs: 1000,
        statusStallMs: 600,
        keepaliveMs: 400,
        keepaliveTimeoutMs: 400,
      });
    });
    afterEach(async () => {
      await client.close();
      await control.close();
      await proxy.close();
      await sim.close();
    });

    it('reports a playing status stream as stalled within a bound, and recovers on a new connection', async function () {
      this.timeout(15_000);
      // No keepalive: the stall alone must notice the dead link and get a fresh connection.
      const watcher = new RemotiveClient({
        url: proxy.url,
        backoff: FAST_BACKOFF,
        timeoutMs: 1000,
        statusStallMs: 600,
        keepaliveMs: 0,
      });
      const states: Array<{ state: StreamState; at: number; error?: RecorderError }> = [];
      let messages = 0;
      const watch = watcher.watchPlayback(
        () => messages++,
        (state, error) => states.push({ state, at: Date.now(), error }),
      );
      // A quiet subscription on the same connection: it can not notice by itself (no stall time,
      // no keepalive), so it must be moved along when the status stream proves the link dead.
      const subStates: StreamState[] = [];
      const sub = watcher.subscribe(
        { namespace: 'powertrain', signals: ['Gear'], onChange: true },
        () => undefined,
        (state) => subStates.push(state),
      );
      try {
        await waitFor('the stream', () => states.some((s) => s.state === 'open'));
        await control.open(CITY);
        await control.play(CITY);
        // The broker's cadence is learnt from a few pushes while playing.
        await waitFor('statuses while playing', () => messages >= 7);
        const cutAt = Date.now();
        proxy.blackhole();
        const stalled = await waitFor('a stall', () => states.find((s) => s.state === 'stalled'), 5000);
        const took = stalled.at - cutAt;
        // Due every 100 ms; stalled after 600 ms of silence.
        assert.ok(took <= 1500, `stall noticed after ${took} ms`);
        assert.equal(stalled.error?.statusText, 'stalled');
        proxy.restore();
        const reopenedFrom = states.length;
        const before = messages;
        await waitFor(
          'the stream to open again',
          () => states.slice(reopenedFrom).some((s) => s.state === 'open'),
          8000,
        );
        await waitFor('statuses again', () => messages > before + 2, 5000);
        assert.ok(proxy.connections >= 2, 'a fresh connection was dialled');
        assert.ok(subStates.includes('stalled'), `the subscription was moved too: ${subStates.join(', ')}`);
        await waitFor(
          'the subscription on the new connection',
          () => subStates.lastIndexOf('open') > subStates.indexOf('stalled'),
        );
      } finally {
        watch.cancel();
        sub.cancel();
        await watcher.close();
      }
    });

    it('does not take a broker with a slower cadence for a stalled one', async function () {
      this.timeout(15_000);
      const slow = await RemotiveSimulator.start({ statusIntervalMs: 900, tickMs: 20 });
      const watcher = new RemotiveClient({ url: slow.url, backoff: FAST_BACKOFF, statusStallMs: 600 });
      const states: StreamState[] = [];
      let messages = 0;
      const watch = watcher.watchPlayback(
        () => messages++,
        (state) => states.push(state),
      );
      try {
        await watcher.open(CITY);
        await watcher.play(CITY);
        await waitFor('five pushes while playing', () => messages >= 6, 8000);
        assert.deepEqual(states, ['open'], 'never stalled');
      } finally {
        watch.cancel();
        await watcher.close();
        await slow.close();
      }
    });

    it('drops an idle half-open connection through keepalive: a quiet subscription notices too', async function () {
      this.timeout(15_000);
      const states: Array<{ state: StreamState; error?: RecorderError }> = [];
      const sub = client.subscribe(
        { namespace: 'chassis', signals: ['Speed'] },
        () => undefined,
        (state, error) => states.push({ state, error }),
      );
      try {
        await waitFor('the subscription', () => states.some((s) => s.state === 'open'));
        // Nothing plays: the subscription is silent by design; only the pings can tell.
        proxy.blackhole();
        const lost = await waitFor(
          'the dead link to be noticed',
          () => states.find((s) => s.state !== 'open'),
          5000,
        );
        assert.ok(lost.error, 'with a reason');
        proxy.restore();
        const from = states.length;
        await waitFor(
          'the subscription to come back',
          () => states.slice(from).some((s) => s.state === 'open'),
          8000,
        );
      } finally {
        sub.cancel();
      }
    });

    it('stalls a subscription that goes quiet longer than its stall time', async function () {
      this.timeout(15_000);
      const states: StreamState[] = [];
      let batches = 0;
      const slow = new RemotiveClient({ url: proxy.url, backoff: FAST_BACKOFF, keepaliveMs: 0 });
      const sub = slow.subscribe(
        { namespace: 'chassis', signals: ['Speed'], stallMs: 500 },
        () => batches++,
        (state) => states.push(state),
      );
      try {
        await control.open(CITY);
        await control.play(CITY);
        await waitFor('samples', () => batches >= 3);
        proxy.blackhole();
        await waitFor('a stall without keepalive', () => states.includes('stalled'), 3000);
      } finally {
        sub.cancel();
        await slow.close();
      }
    });
  });

  describe('the stream events the connection watches', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig({ apiKey: 'the-right-key' }, { apiKey: 'a-wrong-key' });
    });
    afterEach(async () => rig.close());

    it('emit failure on a rejected key, and stop retrying once halted', async () => {
      const failures: RecorderError[] = [];
      const states: StreamState[] = [];
      const sub = rig.client.subscribe({ namespace: 'chassis', signals: ['Speed'] }, () => undefined);
      sub.on('failure', (err: RecorderError) => {
        failures.push(err);
        sub.halt(err);
      });
      sub.on('state', (state: StreamState) => states.push(state));
      try {
        await waitFor('the failure', () => failures.length > 0);
        assert.equal(failures[0].code, 'AUTH');
        const attempts = (): number =>
          rig.sim.state.received.filter((c) => c.rpc === 'SubscribeToSignals').length;
        const before = attempts();
        // Unhalted, an auth failure is retried after the longest backoff step (200 ms here).
        await new Promise((r) => setTimeout(r, 700));
        assert.equal(attempts(), before, 'no new attempt after halt');
        assert.deepEqual(states, ['reconnecting', 'halted']);
      } finally {
        sub.cancel();
      }
    });

    it('retry an auth failure at the longest backoff step when nobody halts them', async () => {
      const sub = rig.client.subscribe({ namespace: 'chassis', signals: ['Speed'] }, () => undefined);
      try {
        await waitFor(
          'a second attempt',
          () => rig.sim.state.received.filter((c) => c.rpc === 'SubscribeToSignals').length >= 2,
        );
      } finally {
        sub.cancel();
      }
    });
  });

  describe('paths and names', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig();
    });
    afterEach(async () => rig.close());

    const hostile = [
      ['a NUL', 'drive/a\u0000.recordingsession.yaml'],
      ['a CR/LF', 'drive/a.recordingsession.yaml\r\nX-Injected: 1'],
      ['an escape', 'drive/\u001b[31ma'],
      ['a DEL', 'drive/a\u007f'],
      ['a climb out', '../../etc/passwd'],
      ['an absurd length', `drive/${'a'.repeat(MAX_PATH_LENGTH)}.recordingsession.yaml`],
      ['a 1 MB path', 'x'.repeat(1_000_000)],
    ];
    for (const [what, path] of hostile)
      it(`refuses ${what} before any request`, async () => {
        const before = rig.sim.state.received.length;
        for (const call of [
          () => rig.client.open(path),
          () => rig.client.play(path),
          () => rig.client.seek(path, 0),
          () => rig.client.close(path),
          () => rig.client.repeat(path),
          () => rig.client.listFiles(path),
        ]) {
          const err = await rejection(call());
          assert.ok(err instanceof InputError, `${err.name}: ${err.message}`);
          assert.ok(err.message.length < 200, 'the error text is capped');
          assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f]/);
        }
        // Names are identifiers, not paths: dots are fine in them, control characters and lengths are not.
        if (what !== 'a climb out') {
          assert.throws(
            () => rig.client.subscribe({ namespace: path, signals: ['Speed'] }, () => undefined),
            InputError,
          );
          assert.throws(
            () => rig.client.subscribe({ namespace: 'chassis', signals: ['Speed', path] }, () => undefined),
            InputError,
          );
        }
        assert.equal(rig.sim.state.received.length, before, 'nothing reached the broker');
      });

    it('still accepts "./" paths and unicode names', async () => {
      await rig.client.open(`./${CITY}`);
      await rig.client.close(CITY);
      // Sent to the broker (which has no such file), not refused by the client's path check.
      const before = rig.sim.state.received.length;
      const err = await rejection(rig.client.open('drive/städte-fahrt.recordingsession.yaml'));
      assert.ok(!(err instanceof InputError), `refused by the client: ${err.message}`);
      assert.ok(rig.sim.state.received.length > before, 'the broker received the open');
    });
  });

  describe('broker errors', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig();
    });
    afterEach(async () => rig.close());

    it('say what happened in a few words, not a code', async () => {
      const missing = await rejection(rig.client.open('drive/nope.recordingsession.yaml'));
      assert.ok(missing instanceof ApiError);
      assert.equal(missing.statusText, 'no such recording');
      const notOpen = await rejection(rig.client.play(CITY));
      assert.equal(notOpen.statusText, 'session not open');
      await rig.client.open(CITY);
      const twice = await rejection(rig.client.open(CITY));
      assert.equal(twice.statusText, 'already open');
      const past = await rejection(rig.client.seek(CITY, 999_000_000));
      assert.equal(past.statusText, 'bad offset');
      const folder = await rejection(rig.client.listFiles('nowhere'));
      assert.equal(folder.statusText, 'no such folder');
    });

    it('reads the current status with the client deadline', async () => {
      await rig.client.open(CITY);
      const items = await rig.client.currentStatuses();
      assert.deepEqual(
        items.map((s) => [s.path, s.mode]),
        [[CITY, 'paused']],
      );
    });
  });
});
