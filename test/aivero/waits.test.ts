/**
 * Waiting until sessions reach a state: many waits on one client share one subscription, all
 * resolve when the state changes, and a wait that is cancelled or times out leaves the others be.
 */
import assert from 'node:assert/strict';
import { AiveroClient, type ReachedState } from '../../src/backends/aivero';
import type { RecorderError } from '../../src/common/errors';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { COLOR, rejection, waitFor } from './helpers';

describe('aivero: waiting for session states', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  let client: AiveroClient;
  let cameraId: string;

  before(async () => {
    sim = await AiveroSimulator.start({ refetchMs: 40 });
    client = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
    cameraId = (await sim.cameras())[0].id;
  });
  after(async () => {
    await client?.close();
    await sim?.close();
  });

  const draft = async (name: string): Promise<string> =>
    (
      await client.createSession({
        name,
        state: 'Standby',
        always: true,
        records: [{ camera: { id: cameraId }, streams: [COLOR] }],
      })
    ).sessionId;

  it('300 concurrent waits share one subscription; cancelling or timing out one disturbs none', async () => {
    const ids = [await draft('wait-a'), await draft('wait-b'), await draft('wait-c')];
    const socketsBefore = sim.webSocketsOpened;
    let peakLiveQueries = 0;
    const sampler = setInterval(() => (peakLiveQueries = Math.max(peakLiveQueries, sim.liveQueryCount)), 5);
    try {
      const settled: Array<ReachedState | RecorderError> = [];
      const waits = Array.from({ length: 298 }, (_, i) =>
        client.waitForState(ids[i % 3], 'Started', { timeoutMs: 20_000 }).then(
          (r) => void settled.push(r),
          (e: RecorderError) => void settled.push(e),
        ),
      );
      const cancel = new AbortController();
      const cancelled = client.waitForState(ids[0], 'Started', { timeoutMs: 20_000, signal: cancel.signal });
      const short = rejection(client.waitForState(ids[1], 'Started', { timeoutMs: 300 }));
      await waitFor('the shared subscription', () => sim.liveQueryCount === 1);
      cancel.abort();
      assert.equal((await rejection(cancelled)).code, 'CLOSED');
      const timedOut = await short;
      assert.equal(timedOut.code, 'TIMEOUT');
      assert.match(timedOut.message, /did not reach Started within 0.3 s/);
      assert.equal(settled.length, 0, 'the other waits are still waiting');
      for (const id of ids) await client.setState(id, 'Started');
      await Promise.all(waits);
      assert.equal(settled.length, 298);
      for (const r of settled) assert.equal((r as ReachedState).state, 'Started', String(r));
      assert.equal(sim.webSocketsOpened - socketsBefore, 1, 'one WebSocket for 300 waits');
      assert.equal(peakLiveQueries, 1, 'one live query for 300 waits');
    } finally {
      clearInterval(sampler);
    }
  });

  it('a wait for the state the session is in resolves from the first result', async () => {
    const id = await draft('wait-now');
    const reached = await client.waitForState(id, 'Standby', { timeoutMs: 5000 });
    assert.equal(reached.state, 'Standby');
  });

  it('waits for sessions added later are covered by a new subscription that replaces the old one', async () => {
    const first = await draft('wait-later-1');
    const second = await draft('wait-later-2');
    const a = client.waitForState(first, 'Started', { timeoutMs: 10_000 });
    await waitFor('subscribed', () => sim.liveQueryCount >= 1);
    const b = client.waitForState(second, 'Started', { timeoutMs: 10_000 });
    await client.setState(second, 'Started');
    assert.equal((await b).state, 'Started');
    await client.setState(first, 'Started');
    assert.equal((await a).state, 'Started');
    await waitFor('the replaced subscription ended', () => sim.liveQueryCount <= 1);
  });

  it('a session deleted while waited for fails the wait; a bad id fails before anything is opened', async () => {
    const id = await draft('wait-deleted');
    const waiting = client.waitForState(id, 'Started', { timeoutMs: 10_000 });
    await waitFor('subscribed', () => sim.liveQueryCount >= 1);
    await client.deleteSession(id);
    const err = await rejection(waiting);
    // Deleted after the subscription's first result, or before it: either way it fails at once.
    assert.match(err.message, /was deleted while waiting for Started|does not exist/);
    assert.equal(err.statusText, 'no such session');
    assert.equal((await rejection(client.waitForState('nope', 'Started', { timeoutMs: 100 }))).code, 'INPUT');
  });
});
