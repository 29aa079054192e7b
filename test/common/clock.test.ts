/**
 * The clock arithmetic: samples intersected into an offset with an honest uncertainty, a coarse
 * (whole-second) clock caught at its tick, drift fitted over a run. The clock under test is a
 * function of our own time with a known offset, so the truth is known exactly.
 */
import assert from 'node:assert/strict';
import { estimateOffset, fitDrift, localNowMs, measureClock, type ClockSample } from '../../src/common/clock';

/** A server whose clock is `offsetMs` ahead, read `resolutionMs` coarse, `tripMs` away (half each way). */
function server(offsetMs: number, resolutionMs: number, tripMs: number): () => Promise<ClockSample> {
  return async () => {
    const sentMs = localNowMs();
    await new Promise((r) => setTimeout(r, tripMs / 2));
    const read = localNowMs() + offsetMs;
    const serverMs = resolutionMs > 0 ? Math.floor(read / resolutionMs) * resolutionMs : read;
    await new Promise((r) => setTimeout(r, tripMs / 2));
    return { sentMs, receivedMs: localNowMs(), serverMs, resolutionMs };
  };
}

describe('clock measurement', () => {
  it('intersects samples: the offset lies within the stated uncertainty', () => {
    const samples: ClockSample[] = [
      { sentMs: 1000, receivedMs: 1010, serverMs: 3505, resolutionMs: 0 },
      { sentMs: 2000, receivedMs: 2004, serverMs: 4502, resolutionMs: 0 },
    ];
    const e = estimateOffset(samples);
    assert.ok(e);
    // First: [2495, 2505]; second: [2498, 2502] → 2500 ± 2.
    assert.equal(e.offsetMs, 2500);
    assert.equal(e.uncertaintyMs, 2);
    assert.equal(e.roundTripMs, 4);
  });

  it('leaves out a sample that contradicts the later ones (a stepped clock)', () => {
    const e = estimateOffset([
      { sentMs: 0, receivedMs: 2, serverMs: 100, resolutionMs: 0 },
      { sentMs: 10, receivedMs: 12, serverMs: 511, resolutionMs: 0 },
    ]);
    assert.equal(e?.samples, 1);
    assert.ok(Math.abs((e?.offsetMs ?? 0) - 500) <= 1);
  });

  it('catches a whole-second clock at its tick: far better than its resolution, and true', async function () {
    this.timeout(10_000);
    for (const offset of [-800.4, 2500.7]) {
      const e = await measureClock(server(offset, 1000, 4));
      assert.ok(
        Math.abs(e.offsetMs - offset) <= e.uncertaintyMs,
        `${e.offsetMs} ± ${e.uncertaintyMs} vs ${offset}`,
      );
      assert.ok(e.uncertaintyMs < 100, `narrowed to ${e.uncertaintyMs} ms`);
      assert.equal(e.resolutionMs, 1000);
    }
  });

  it('reads a fine clock a few times, the uncertainty about half the round trip', async () => {
    const e = await measureClock(server(123.4, 0, 4));
    assert.ok(Math.abs(e.offsetMs - 123.4) <= e.uncertaintyMs);
    assert.ok(e.uncertaintyMs >= 1.5 && e.uncertaintyMs < 50);
  });

  it('fits the drift by least squares', () => {
    const at = [0, 60_000, 120_000, 180_000];
    const fit = fitDrift(
      at.map((t, i) => ({
        atMs: t,
        offsetMs: 10 + t * 50e-6 + (i % 2 ? 0.1 : -0.1),
        uncertaintyMs: 1,
        resolutionMs: 0,
        roundTripMs: 1,
        samples: 1,
      })),
    );
    assert.ok(fit);
    assert.ok(Math.abs(fit.driftPpm - 50) < 3, String(fit.driftPpm));
    assert.equal(fitDrift([]), undefined);
  });
});
