/** The per-node clean-up list and the coalescing status view. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { Disposer } from '../../src/kit/disposer';
import { StatusView, type Node } from '../../src/kit/node-red';

describe('Disposer', () => {
  it('runs clean-ups newest first, survives a failing one, and removes listeners', async () => {
    const life = new Disposer();
    const order: string[] = [];
    const emitter = new EventEmitter();
    life.add(() => {
      order.push('first');
    });
    life.add(() => {
      throw new Error('boom');
    });
    life.on(emitter, 'x', () => order.push('event'));
    life.add(async () => {
      order.push('last');
    });
    emitter.emit('x');
    await life.dispose();
    assert.deepEqual(order, ['event', 'last', 'first']);
    assert.equal(emitter.listenerCount('x'), 0);
  });

  it('clears timers and runs late additions at once', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const life = new Disposer();
      let fired = 0;
      life.setTimeout(() => fired++, 100);
      life.setInterval(() => fired++, 10);
      await life.dispose();
      await clock.tickAsync(1000);
      assert.equal(fired, 0);
      let late = false;
      life.add(() => {
        late = true;
      });
      await clock.tickAsync(0);
      assert.equal(late, true, 'nothing may outlive close');
    } finally {
      clock.restore();
    }
  });

  it('gives up on a clean-up that hangs, so close stays bounded', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const life = new Disposer();
      life.add(() => new Promise(() => undefined));
      const done = life.dispose(500);
      await clock.tickAsync(500);
      await done;
    } finally {
      clock.restore();
    }
  });
});

describe('StatusView', () => {
  it('skips repeats and coalesces bursts, always ending on the latest status', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const shown: unknown[] = [];
      const node = { status: (s: unknown) => shown.push(s) } as unknown as Node;
      const life = new Disposer();
      const view = new StatusView(node, life, 100);
      view.set('busy', 'a');
      view.set('busy', 'a');
      for (let i = 0; i < 50; i++) view.set('connected', `n${i}`);
      assert.equal(shown.length, 1, 'one write for the first status');
      await clock.tickAsync(100);
      assert.equal(shown.length, 2);
      assert.deepEqual(shown[1], { fill: 'green', shape: 'dot', text: 'n49' });
      await life.dispose();
    } finally {
      clock.restore();
    }
  });
});
