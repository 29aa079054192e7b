/**
 * "Wait until the session reaches state X" for any number of waiters on one client. One live query
 * covers every session waited for (`recordingSessions(where: {id: {_in: …}})`), so 300 waiting
 * messages cost one subscription, not 300. A wait for a session the subscription does not cover
 * yet opens a wider one (at most every RETARGET_INTERVAL_MS, batching the waits that arrive
 * meanwhile); the old one keeps serving until the new one has its first result, so no change falls
 * into the gap. With nobody waiting the subscription closes after IDLE_CLOSE_MS (a flow that
 * waits after each write reuses it).
 *
 * Each wait ends on its own: the target state seen, its timeout, its abort signal, the session
 * deleted, or a refused credential; ending one disturbs no other.
 */
import { ClosedError, InputError, RecorderError, TimeoutError } from '../../common/errors';
import { AiveroNotFoundError } from './errors';
import type { SessionRemoved, SessionWatch, StateChange } from './watch';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ReachedState {
  state: string;
  waitedMs: number;
}

/** Sessions one client may wait for at once (the shared live query's id list). */
export const MAX_WAITED_SESSIONS = 1000;
const RETARGET_INTERVAL_MS = 250;
const IDLE_CLOSE_MS = 2000;
/** Longest delay a Node timer keeps. */
const MAX_TIMER_MS = 2_147_483_647;

interface Waiter {
  id: string;
  target: string;
  settle(error: RecorderError | undefined): void;
}

interface Subscription {
  watch: SessionWatch;
  ids: ReadonlySet<string>;
  /** Its first result has been compared: its states are the server's. */
  synced: boolean;
}

export class SessionWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** The subscription serving the waits. */
  private current: Subscription | undefined;
  /** A wider one being opened; it replaces `current` at its first result. */
  private next: Subscription | undefined;
  private retargetTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastOpenedAt = -Infinity;
  private closed = false;

  /** `open` starts a watch on these sessions (the client's, so that its close ends it too). */
  constructor(private readonly open: (ids: readonly string[]) => SessionWatch) {}

  /** Waits under way. */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  /** Live queries open for the waits (at most two: one serving, one replacing it). */
  get subscriptions(): number {
    return (this.current ? 1 : 0) + (this.next ? 1 : 0);
  }

  /** Resolves when session `id` (a checked uuid) is in state `target`. */
  wait(id: string, target: string, options: WaitOptions): Promise<ReachedState> {
    if (this.closed) return Promise.reject(new ClosedError('the Aivero client is closed'));
    if (!this.waiters.has(id) && this.waiters.size >= MAX_WAITED_SESSIONS)
      return Promise.reject(
        new InputError(`more than ${MAX_WAITED_SESSIONS} sessions are being waited for at once`),
      );
    const { timeoutMs, signal } = options;
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS))
      return Promise.reject(new InputError(`the wait timeout must be 1 ms to ${MAX_TIMER_MS} ms`));
    const started = Date.now();
    return new Promise<ReachedState>((resolve, reject) => {
      let done = false;
      const onAbort = (): void => waiter.settle(new ClosedError(`waiting for ${target} was cancelled`));
      const timer = setTimeout(() => {
        const now = this.stateOf(id);
        waiter.settle(
          new TimeoutError(
            `session ${id} did not reach ${target} within ${timeoutMs / 1000} s${now ? ` (it is ${now})` : ''}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        id,
        target,
        settle: (error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.detach(waiter);
          if (error) reject(error);
          else resolve({ state: target, waitedMs: Date.now() - started });
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.attach(waiter);
    });
  }

  /** Ends every wait (ClosedError) and the subscriptions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retargetTimer);
    clearTimeout(this.idleTimer);
    const error = new ClosedError('the Aivero client is closed');
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w.settle(error);
    await Promise.all([this.release(this.next), this.release(this.current)]);
    this.next = this.current = undefined;
  }

  private attach(waiter: Waiter): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    let set = this.waiters.get(waiter.id);
    if (!set) this.waiters.set(waiter.id, (set = new Set()));
    set.add(waiter);
    if (this.stateOf(waiter.id) === waiter.target) return waiter.settle(undefined);
    if (!this.covers(waiter.id)) this.scheduleRetarget();
  }

  private detach(waiter: Waiter): void {
    const set = this.waiters.get(waiter.id);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(waiter.id);
    if (this.waiters.size === 0 && !this.closed && !this.idleTimer)
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (this.waiters.size > 0) return;
        this.drop(this.next);
        this.drop(this.current);
        this.next = this.current = undefined;
      }, IDLE_CLOSE_MS);
  }

  /** The state the serving subscription knows for `id`, once it has its first result. */
  private stateOf(id: string): string | undefined {
    const sub = this.current;
    return sub?.synced && sub.ids.has(id) ? sub.watch.states().get(id) : undefined;
  }

  private covers(id: string): boolean {
    return Boolean((this.next ?? this.current)?.ids.has(id));
  }

  private scheduleRetarget(): void {
    if (this.retargetTimer || this.closed) return;
    const delay = Math.max(0, this.lastOpenedAt + RETARGET_INTERVAL_MS - performance.now());
    this.retargetTimer = setTimeout(() => {
      this.retargetTimer = undefined;
      this.retarget();
    }, delay);
  }

  /** Open a subscription on every session waited for now, replacing the one being opened. */
  private retarget(): void {
    if (this.closed) return;
    const ids = [...this.waiters.keys()];
    if (ids.length === 0 || ids.every((id) => this.covers(id))) return;
    this.drop(this.next);
    this.lastOpenedAt = performance.now();
    const sub: Subscription = { watch: this.open(ids), ids: new Set(ids), synced: false };
    this.next = sub;
    sub.watch.on('change', (change: StateChange) => this.seen(change.id, change.state));
    sub.watch.on('removed', (gone: SessionRemoved) =>
      this.fail(gone.id, (target) => sessionGone(gone.id, target, 'was deleted while waiting for')),
    );
    sub.watch.on('snapshot', () => {
      if (sub.synced) return;
      sub.synced = true;
      this.promote(sub);
    });
    sub.watch.on('failure', (error: RecorderError) => {
      // A refused credential will not get better by waiting; anything else the watch retries.
      if (error.code !== 'AUTH') return;
      for (const id of sub.ids) this.fail(id, () => error);
      if (this.current === sub) this.current = undefined;
      if (this.next === sub) this.next = undefined;
      this.drop(sub);
    });
  }

  /** A new subscription's first result: it serves from now on; sessions absent from it do not exist. */
  private promote(sub: Subscription): void {
    if (this.next !== sub) return;
    const old = this.current;
    this.current = sub;
    this.next = undefined;
    this.drop(old);
    const states = sub.watch.states();
    for (const id of [...this.waiters.keys()])
      if (sub.ids.has(id) && !states.has(id))
        this.fail(id, (target) => sessionGone(id, target, 'does not exist (or is not visible); waiting for'));
  }

  private seen(id: string, state: string): void {
    const set = this.waiters.get(id);
    if (!set) return;
    for (const w of [...set]) if (w.target === state) w.settle(undefined);
  }

  private fail(id: string, error: (target: string) => RecorderError): void {
    const set = this.waiters.get(id);
    if (!set) return;
    for (const w of [...set]) w.settle(error(w.target));
  }

  /** Lets a subscription go without waiting for its socket to close. */
  private drop(sub: Subscription | undefined): void {
    this.release(sub).catch(() => undefined); // never rejects: see release
  }

  /** Detaches a subscription and closes it; a failure to close one nobody listens to changes nothing. */
  private async release(sub: Subscription | undefined): Promise<void> {
    if (!sub) return;
    sub.watch.removeAllListeners('change');
    sub.watch.removeAllListeners('removed');
    sub.watch.removeAllListeners('snapshot');
    sub.watch.removeAllListeners('failure');
    await sub.watch.close().catch(() => undefined);
  }
}

function sessionGone(id: string, target: string, what: string): AiveroNotFoundError {
  return new AiveroNotFoundError(`session ${id} ${what} ${target}`, 'session');
}
