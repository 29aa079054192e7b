/**
 * Precise per-call timeouts without a timer, an AbortController and an EventTarget listener per
 * call. Each call under way is a `PendingCall` (the HTTP exchange of `exchange.ts`), an entry in
 * one deadline-ordered list per client. One timer per client is armed for the earliest deadline;
 * when it fires it aborts every call whose deadline has passed and re-arms for the next one. A call
 * that finishes early is unlinked in O(1) and leaves the timer alone (it then fires once for
 * nothing and re-arms), so at thousands of calls per second the timer is touched about once per
 * timeout period, while each deadline is still honoured to the millisecond.
 *
 * Caller signals: one listener per distinct signal (not per call and not per client), registered
 * the first time the signal is seen and kept in a module-wide WeakMap, so a node's long-lived close
 * signal costs a Set insert per call instead of an EventTarget add/remove.
 */

export class PendingCall {
  aborted = false;
  reason: unknown = undefined;
  /** Aborted because its deadline passed (as opposed to the caller's signal). */
  timedOut = false;
  deadline = 0;
  prev: PendingCall | undefined = undefined;
  next: PendingCall | undefined = undefined;
  linked = false;
  /** The calls of the caller's signal this call is one of, if it has a signal. */
  group: Set<PendingCall> | undefined = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.aborting(reason);
  }

  /** What aborting the call does; the HTTP exchange cancels its request here. */
  protected aborting(_reason: unknown): void {}
}

/** Calls under way per caller signal; the signal's one listener aborts them all. */
const bySignal = new WeakMap<AbortSignal, Set<PendingCall>>();
/**
 * The last signal seen and its set: a node passes the same signal with every call. Dropped when
 * that signal aborts, so a closed node's signal is not held.
 */
let lastSignal: AbortSignal | undefined;
let lastSet: Set<PendingCall> | undefined;

function callsOf(signal: AbortSignal): Set<PendingCall> {
  if (signal === lastSignal && lastSet) return lastSet;
  let calls = bySignal.get(signal);
  if (!calls) {
    const set = new Set<PendingCall>();
    calls = set;
    bySignal.set(signal, set);
    // The listener holds the set, not the signal: both go when the signal is collected.
    signal.addEventListener(
      'abort',
      () => {
        // An aborted signal (a closed node) is not kept alive by the cache.
        if (lastSignal === signal) lastSignal = lastSet = undefined;
        const pending = [...set];
        set.clear();
        for (const c of pending) c.abort(signal.reason);
      },
      { once: true },
    );
  }
  lastSignal = signal;
  lastSet = calls;
  return calls;
}

export class Deadlines {
  private head: PendingCall | undefined;
  private tail: PendingCall | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is armed for (Infinity: not armed). */
  private armedFor = Infinity;

  constructor(private readonly onTimeout: (call: PendingCall) => unknown) {}

  /**
   * Starts timing `call`: it is aborted with `onTimeout(call)` once `timeoutMs` have passed, or
   * with the signal's reason when `signal` aborts.
   */
  add(call: PendingCall, timeoutMs: number, signal?: AbortSignal): void {
    call.deadline = performance.now() + timeoutMs;
    this.insert(call);
    if (call.deadline < this.armedFor) this.arm(call.deadline);
    if (signal) {
      call.group = callsOf(signal);
      call.group.add(call);
    }
  }

  /** The call finished (or failed): forget it. */
  remove(call: PendingCall): void {
    if (call.linked) this.unlink(call);
    call.group?.delete(call);
    call.group = undefined;
  }

  /** Stop the timer (client closed). Calls under way are failed by the pool's destruction. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    for (let call = this.head; call;) {
      const next = call.next;
      call.prev = call.next = undefined;
      call.linked = false;
      call = next;
    }
    this.head = this.tail = undefined;
  }

  /** Kept in deadline order; almost every call has the client's timeout, so it lands at the tail. */
  private insert(call: PendingCall): void {
    let after = this.tail;
    while (after && after.deadline > call.deadline) after = after.prev;
    call.prev = after;
    call.next = after ? after.next : this.head;
    if (call.next) call.next.prev = call;
    else this.tail = call;
    if (after) after.next = call;
    else this.head = call;
    call.linked = true;
  }

  private unlink(call: PendingCall): void {
    if (call.prev) call.prev.next = call.next;
    else this.head = call.next;
    if (call.next) call.next.prev = call.prev;
    else this.tail = call.prev;
    call.prev = call.next = undefined;
    call.linked = false;
  }

  private arm(deadline: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - performance.now())));
    // An idle client must not keep the process alive; a call under way has its socket for that.
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    while (this.head && this.head.deadline <= now) {
      const call = this.head;
      this.unlink(call);
      call.timedOut = true;
      call.abort(this.onTimeout(call));
    }
    if (this.head) this.arm(this.head.deadline);
  };
}
