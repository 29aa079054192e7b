/** The backpressure policy with a manual clock. */
import assert from 'node:assert/strict';
import { FlowControl, RateMeter } from '../../src/common/flow-control';

function drain<T>(fc: FlowControl<T>): T[] {
  const out: T[] = [];
  for (let item = fc.take(); item !== undefined; item = fc.take()) out.push(item);
  return out;
}

describe('FlowControl', () => {
  it('latest: keeps only the newest item and counts the replaced ones', () => {
    const fc = new FlowControl<number>({ mode: 'latest', maxQueue: 50 });
    assert.equal(fc.maxQueue, 1);
    for (let i = 0; i < 10; i++) fc.offer(i);
    assert.deepEqual(drain(fc), [9]);
    assert.deepEqual(fc.stats, { offered: 10, taken: 1, dropped: 9 });
  });

  it('every: keeps everything and tells the producer when the queue is full', () => {
    const fc = new FlowControl<number>({ mode: 'every', maxQueue: 3 });
    fc.offer(1);
    fc.offer(2);
    assert.equal(fc.full, false);
    fc.offer(3);
    assert.equal(fc.full, true);
    fc.take();
    assert.equal(fc.full, false);
    assert.equal(fc.stats.dropped, 0);
  });

  it('nth: keeps one in N, counting from the first offer', () => {
    const fc = new FlowControl<number>({ mode: 'nth', every: 3, maxQueue: 100 });
    for (let i = 1; i <= 10; i++) fc.offer(i);
    assert.deepEqual(drain(fc), [3, 6, 9]);
    assert.equal(fc.stats.dropped, 7);
  });

  it('nth/rate: a full queue pushes out the oldest waiting item', () => {
    const fc = new FlowControl<number>({ mode: 'nth', every: 1, maxQueue: 2 });
    for (let i = 1; i <= 5; i++) fc.offer(i);
    assert.deepEqual(drain(fc), [4, 5]);
    assert.equal(fc.stats.dropped, 3);
  });

  it('rate: at most N per second under a flood, exact on average, no credit banked over a pause', () => {
    let now = 0;
    const fc = new FlowControl<number>({ mode: 'rate', perSecond: 10, maxQueue: 1000, now: () => now });
    // 1000 offers per second for 2 s → 20 kept.
    for (let i = 0; i < 2000; i++) {
      fc.offer(i);
      now += 1;
    }
    assert.equal(fc.size, 20);
    drain(fc);
    now += 10_000; // long pause
    for (let i = 0; i < 100; i++) {
      fc.offer(i);
      now += 1;
    }
    assert.equal(fc.size, 1, 'a pause does not allow a burst afterwards');
  });

  it('clear counts waiting items as dropped', () => {
    const fc = new FlowControl<number>({ mode: 'every', maxQueue: 5 });
    fc.offer(1);
    fc.offer(2);
    fc.clear();
    assert.equal(fc.size, 0);
    assert.equal(fc.stats.dropped, 2);
  });

  it('rejects bad settings', () => {
    assert.throws(() => new FlowControl({ mode: 'nth', every: 0 }), RangeError);
    assert.throws(() => new FlowControl({ mode: 'rate', perSecond: 0 }), RangeError);
    assert.throws(() => new FlowControl({ mode: 'every', maxQueue: 0 }), RangeError);
    assert.throws(() => new FlowControl({ mode: 'fast' as 'every' }), RangeError);
  });
});

describe('RateMeter', () => {
  it('measures events per second over its window and decays to 0', () => {
    let now = 0;
    const meter = new RateMeter(1000, () => now, 10);
    for (let i = 0; i < 200; i++) {
      meter.tick();
      now += 10; // 100 per second for 2 s
    }
    assert.ok(Math.abs(meter.rate - 100) < 12, `rate ${meter.rate}`);
    now += 5000;
    assert.equal(meter.rate, 0);
  });
});
