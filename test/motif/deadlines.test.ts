/**
 * The motif client's per-call deadlines: each call times out at its own deadline (not at a coarse
 * tick, not late behind a longer call), calls that finish leave nothing behind, and one caller
 * signal aborts every call it was given to.
 */
import assert from 'node:assert/strict';
import { Deadlines, PendingCall } from '../../src/backends/motif/deadlines';
import type { MotifSimulator } from '../../src/simulators/motif';
import { clientFor, rejection, startSimulator } from './helpers';

/** A call that records when it was aborted. */
class Probe extends PendingCall {
  private readonly started = performance.now();
  private done: ((ms: number) => void) | undefined;
  readonly abortedAfter = new Promise<number>((resolve) => {
    this.done = resolve;
  });

  protected override aborting(): void {
    this.done?.(performance.now() - this.started);
  }
}

describe('motif call deadlines', () => {
  it('aborts each call at its own deadline, a short one behind a long one included', async () => {
    const deadlines = new Deadlines(() => 'timeout');
    const long = new Probe();
    const short = new Probe();
    const longAt = long.abortedAfter;
    const shortAt = short.abortedAfter;
    deadlines.add(long, 1500);
    deadlines.add(short, 40);
    const shortMs = await shortAt;
    assert.ok(shortMs >= 39 && shortMs < 1200, `short call aborted after ${shortMs.toFixed(1)} ms`);
    assert.equal(long.aborted, false, 'the long call is still running');
    const longMs = await longAt;
    assert.ok(longMs >= 1499, `long call aborted after ${longMs.toFixed(1)} ms`);
    assert.equal(short.timedOut && long.timedOut, true);
    assert.equal(long.reason, 'timeout');
    deadlines.close();
  });

  it('keeps the deadline of a call that started after an earlier one finished', async () => {
    const deadlines = new Deadlines(() => 'timeout');
    const first = new Probe();
    deadlines.add(first, 60);
    deadlines.remove(first);
    const second = new Probe();
    const at = second.abortedAfter;
    deadlines.add(second, 120);
    const ms = await at;
    assert.ok(ms >= 119 && ms < 1000, `aborted after ${ms.toFixed(1)} ms`);
    assert.equal(first.aborted, false, 'a finished call is never aborted');
    deadlines.close();
  });

  it('aborts every call of a caller signal with one listener on it', async () => {
    const deadlines = new Deadlines(() => 'timeout');
    const controller = new AbortController();
    let added = 0;
    const original = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      original(...args);
    }) as AbortSignal['addEventListener'];
    const calls = Array.from({ length: 50 }, () => new Probe());
    for (const c of calls) deadlines.add(c, 10_000, controller.signal);
    deadlines.remove(calls[0]);
    controller.abort('bye');
    assert.equal(added, 1, 'one listener for 50 calls');
    assert.equal(calls[0].aborted, false, 'a finished call is left alone');
    assert.ok(calls.slice(1).every((c) => c.aborted && !c.timedOut && c.reason === 'bye'));
    deadlines.close();
  });

  describe('in the client', () => {
    let sim: MotifSimulator;
    before(async () => {
      sim = await startSimulator();
    });
    after(() => sim.close());

    it('times out a slow call on time while quick calls keep finishing', async () => {
      const c = clientFor(sim, { timeoutMs: 2000 });
      try {
        sim.setResponseDelay(3000);
        const started = performance.now();
        const slow = rejection(() => c.version({ timeoutMs: 100 }));
        const err = await slow;
        const ms = performance.now() - started;
        assert.equal(err.name, 'TimeoutError');
        assert.ok(ms >= 99 && ms < 2500, `timed out after ${ms.toFixed(0)} ms`);
        sim.setResponseDelay(0);
        for (let i = 0; i < 20; i++) assert.ok((await c.version()).software);
      } finally {
        sim.setResponseDelay(0);
        await c.close();
      }
    });
  });
});
