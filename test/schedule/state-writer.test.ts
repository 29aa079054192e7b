/**
 * recorder-schedule's state writer on fake timers: a burst of firings is one write per interval,
 * a command's flush waits for the write under way and then writes the newest state, and stop
 * cancels a write that was only scheduled.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { StateWriter } from '../../nodes/recorder-schedule/state-writer';

describe('recorder-schedule state writer', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  /** A store that records each snapshot it is given. */
  function store(): { written: unknown[]; write: (s: unknown) => Promise<void> } {
    const s: { written: unknown[]; write: (v: unknown) => Promise<void> } = {
      written: [],
      write: (value) => {
        s.written.push(value);
        return Promise.resolve();
      },
    };
    return s;
  }

  it('writes a burst of firings once at once, then at most once per interval', async () => {
    const s = store();
    let count = 0;
    const writer = new StateWriter({ write: s.write, snapshot: () => count, minIntervalMs: 1000 });
    count = 1;
    writer.changed();
    await clock.tickAsync(0);
    assert.deepEqual(s.written, [1], 'the first change is written at once');
    for (count = 2; count <= 50; count++) {
      writer.changed();
      await clock.tickAsync(10);
    }
    assert.deepEqual(s.written, [1], 'nothing more inside the interval');
    await clock.tickAsync(1000);
    assert.deepEqual(s.written, [1, 51], 'one write for the 49 firings, with the newest state');
    await clock.tickAsync(5000);
    assert.equal(s.written.length, 2, 'no write without a change');
    writer.stop();
  });

  it('flush waits for the write under way, then writes the newest state', async () => {
    let release: (() => void) | undefined;
    const order: string[] = [];
    let state = 'a';
    const writer = new StateWriter({
      snapshot: () => state,
      write: (value) => {
        order.push(`start ${String(value)}`);
        return new Promise<void>((resolve) => {
          release = () => {
            order.push(`done ${String(value)}`);
            resolve();
          };
        });
      },
    });
    const first = writer.flush();
    await clock.tickAsync(0);
    state = 'b';
    let secondDone = false;
    const second = writer.flush().then(() => {
      secondDone = true;
    });
    await clock.tickAsync(0);
    assert.deepEqual(order, ['start a'], 'the second write waits for the first');
    release?.();
    await first;
    await clock.tickAsync(0);
    assert.deepEqual(order, ['start a', 'done a', 'start b']);
    assert.equal(secondDone, false, 'flush resolves only when the store has the state');
    release?.();
    await second;
    assert.deepEqual(order, ['start a', 'done a', 'start b', 'done b']);
  });

  it('stop cancels a write that was only scheduled', async () => {
    const s = store();
    const writer = new StateWriter({ write: s.write, snapshot: () => 'x', minIntervalMs: 1000 });
    await writer.flush();
    writer.changed();
    writer.stop();
    await clock.tickAsync(5000);
    assert.deepEqual(s.written, ['x'], 'only the flushed write');
  });
});
