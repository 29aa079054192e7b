/**
 * Collects everything a node (or a client) opens so that `close` can release it all, in reverse
 * order, within a bounded time. No Node-RED imports.
 */
import type { EventEmitter } from 'node:events';

type Disposable = () => void | Promise<void>;

export class Disposer {
  private readonly items: Disposable[] = [];
  private disposed = false;
  /** Set by close: false when the owner is only restarting (Node-RED's `removed` flag). */
  removed = true;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Register a clean-up function. After dispose, it runs at once (nothing may outlive close). */
  add(fn: Disposable): void {
    if (this.disposed) {
      // As in dispose(), a clean-up that fails does not stop close; its owner is gone already.
      void Promise.resolve()
        .then(fn)
        .catch(() => undefined);
      return;
    }
    this.items.push(fn);
  }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.remove(clear);
      fn();
    }, ms);
    const clear = (): void => clearTimeout(timer);
    this.add(clear);
    return timer;
  }

  setInterval(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setInterval(fn, ms);
    this.add(() => clearInterval(timer));
    return timer;
  }

  /** Subscribe to an emitter; the listener is removed on dispose. Returns an unsubscribe function. */
  on<A extends unknown[]>(emitter: EventEmitter, event: string, listener: (...args: A) => void): () => void {
    const wrapped = listener as (...args: unknown[]) => void;
    emitter.on(event, wrapped);
    const off = (): void => {
      emitter.off(event, wrapped);
    };
    this.add(off);
    return () => {
      off();
      this.remove(off);
    };
  }

  /**
   * Run every clean-up, newest first. A clean-up that throws does not stop the others; one that
   * does not finish within `timeoutMs` is abandoned so close stays bounded.
   */
  async dispose(timeoutMs = 5000): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.splice(0).reverse();
    const all = (async () => {
      for (const fn of items) {
        try {
          await fn();
        } catch {
          // clean-up failures must not block the rest of close
        }
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([all, limit]);
    clearTimeout(timer);
  }

  private remove(fn: Disposable): void {
    const i = this.items.indexOf(fn);
    if (i >= 0) this.items.splice(i, 1);
  }
}
