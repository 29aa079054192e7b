/**
 * Many cron schedules on ONE timer. Entries sit in a min-heap keyed by their next firing; the single
 * timer is armed for the earliest one (capped, so long waits never overflow setTimeout's 24.8 days and
 * clock jumps are noticed within `maxTimerDelayMs`).
 *
 * Missed firings (the process was blocked, the machine slept, the clock jumped forward): a firing more
 * than `lateToleranceMs` late is "missed"; 'skip' drops it, 'fireOnceLate' fires once for the whole
 * missed run (scheduledAt = the first missed firing), then both continue with the first firing after now.
 * A clock that jumped backwards (the timer wakes well before its target) re-evaluates every entry.
 */
import { InputError } from '../common/errors';
import { realClock, type Clock } from './clock';
import { CronSchedule, type DstPolicy } from './cron-schedule';
import { IndexedHeap, type HeapItem } from './heap';

export type MissedPolicy = 'skip' | 'fireOnceLate';

export interface ScheduleEntryOptions<T> {
  readonly payload: T;
  /** IANA zone of an absolute schedule; default the runtime's zone. */
  readonly timeZone?: string;
  /** Makes the schedule relative to this instant (epoch ms), motif `camera_relative` semantics. */
  readonly relativeTo?: number;
  readonly dst?: DstPolicy;
  /** Overrides the scheduler's missed-firing policy for this entry. */
  readonly missed?: MissedPolicy;
  readonly wildcardUnderMonotonic?: 'first' | 'every';
}

/** A snapshot of one schedule, as handed to callbacks and returned by `list()`. */
export interface ScheduleEntry<T> {
  readonly id: string;
  readonly expression: string;
  readonly payload: T;
  readonly timeZone: string;
  readonly relativeTo: number | null;
  readonly dst: DstPolicy;
  readonly missed: MissedPolicy;
  readonly paused: boolean;
  /** Next firing (epoch ms); null when paused or when the expression never fires again. */
  readonly nextAt: number | null;
  readonly fireCount: number;
  readonly lastFiredAt: number | null;
}

export type FireCallback<T> = (entry: ScheduleEntry<T>, scheduledAt: number, firedAt: number) => void;

export interface SchedulerOptions<T> {
  readonly onFire: FireCallback<T>;
  readonly clock?: Clock;
  /** Default 'skip'. */
  readonly missed?: MissedPolicy;
  /** A firing later than this is missed (default 1000 ms). */
  readonly lateToleranceMs?: number;
  /** Longest single timer wait (default 60 000 ms; at most 2^31−1). Bounds clock-jump detection delay. */
  readonly maxTimerDelayMs?: number;
  /** Called when onFire throws; default: a process warning. */
  readonly onError?: (error: unknown, entry: ScheduleEntry<T>) => void;
}

const MAX_SET_TIMEOUT = 2 ** 31 - 1;

class Slot<T> implements HeapItem {
  heapKey = 0;
  heapIndex = -1;
  paused = false;
  nextAt: number | null = null;
  fireCount = 0;
  lastFiredAt: number | null = null;

  constructor(
    readonly id: string,
    readonly expression: string,
    readonly schedule: CronSchedule,
    readonly options: ScheduleEntryOptions<T>,
    readonly missed: MissedPolicy,
  ) {}

  snapshot(): ScheduleEntry<T> {
    return {
      id: this.id,
      expression: this.expression,
      payload: this.options.payload,
      timeZone: this.schedule.timeZone,
      relativeTo: this.schedule.relativeTo,
      dst: this.schedule.dst,
      missed: this.missed,
      paused: this.paused,
      nextAt: this.paused ? null : this.nextAt,
      fireCount: this.fireCount,
      lastFiredAt: this.lastFiredAt,
    };
  }
}

function checkMissed(value: unknown): MissedPolicy {
  if (value === 'skip' || value === 'fireOnceLate') return value;
  throw new InputError(`missed must be "skip" or "fireOnceLate", got "${String(value)}"`);
}

export class Scheduler<T> {
  private readonly clock: Clock;
  private readonly onFire: FireCallback<T>;
  private readonly onError: (error: unknown, entry: ScheduleEntry<T>) => void;
  private readonly missed: MissedPolicy;
  private readonly tolerance: number;
  private readonly maxDelay: number;
  private readonly slots = new Map<string, Slot<T>>();
  private readonly heap = new IndexedHeap<Slot<T>>();
  private running = false;
  private processing = false;
  private timer: unknown = null;
  private timerTarget = 0;
  private timersArmed = 0;

  constructor(options: SchedulerOptions<T>) {
    this.clock = options.clock ?? realClock;
    this.onFire = options.onFire;
    this.onError =
      options.onError ??
      ((error, entry) =>
        process.emitWarning(`schedule "${entry.id}" callback failed: ${String(error)}`, 'SchedulerWarning'));
    this.missed = checkMissed(options.missed ?? 'skip');
    this.tolerance = Math.max(0, options.lateToleranceMs ?? 1000);
    this.maxDelay = Math.min(Math.max(1, options.maxTimerDelayMs ?? 60_000), MAX_SET_TIMEOUT);
  }

  get size(): number {
    return this.slots.size;
  }

  /** A firing later than this (ms) is missed. */
  get lateToleranceMs(): number {
    return this.tolerance;
  }

  /** How many times a timer was set so far (lets tests and benchmarks check timer churn). */
  get timerArmCount(): number {
    return this.timersArmed;
  }

  /** Adds a schedule; throws InputError (CronSyntaxError for a bad expression) or if the id exists. */
  add(id: string, expression: string, options: ScheduleEntryOptions<T>): ScheduleEntry<T> {
    if (this.slots.has(id)) throw new InputError(`a schedule named "${id}" already exists`);
    return this.install(this.createSlot(id, expression, options));
  }

  /** Replaces the expression and options of an existing schedule, keeping its paused state and counters. */
  update(id: string, expression: string, options: ScheduleEntryOptions<T>): ScheduleEntry<T> {
    const old = this.requireSlot(id);
    const slot = this.createSlot(id, expression, options);
    slot.paused = old.paused;
    slot.fireCount = old.fireCount;
    slot.lastFiredAt = old.lastFiredAt;
    if (!slot.paused) slot.schedule.next(this.clock.now()); // throws before the old one goes
    this.heap.remove(old);
    return this.install(slot);
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (!slot) return false;
    this.heap.remove(slot);
    this.slots.delete(id);
    this.arm();
    return true;
  }

  /** Stops firing without forgetting the schedule. Returns false for an unknown id. */
  pause(id: string): boolean {
    const slot = this.slots.get(id);
    if (!slot) return false;
    slot.paused = true;
    this.heap.remove(slot);
    this.arm();
    return true;
  }

  /** Resumes from now: firings that fell into the pause are not replayed. */
  resume(id: string): boolean {
    const slot = this.slots.get(id);
    if (!slot) return false;
    if (slot.paused) {
      slot.paused = false;
      this.reschedule(slot, this.safeNext(slot, this.clock.now()));
      this.arm();
    }
    return true;
  }

  get(id: string): ScheduleEntry<T> | undefined {
    return this.slots.get(id)?.snapshot();
  }

  /** The entry that fires next (O(1), for a status line), or undefined when none is armed. */
  earliest(): ScheduleEntry<T> | undefined {
    return this.heap.peek()?.snapshot();
  }

  list(): ScheduleEntry<T>[] {
    return [...this.slots.values()].map((slot) => slot.snapshot());
  }

  /** The next n firings of a schedule from now (whether or not it is paused). */
  nextFirings(id: string, n: number): number[] {
    return this.requireSlot(id).schedule.nextN(this.clock.now(), n);
  }

  /** The first firing of a schedule strictly after `after` (null: none, or not searchable). */
  firingAfter(id: string, after: number): number | null {
    return this.safeNext(this.requireSlot(id), after);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
  }

  /** Cancels the timer; schedules are kept and continue (missed policy applies) after start(). */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** stop() and forget every schedule. */
  clear(): void {
    this.stop();
    this.heap.clear();
    this.slots.clear();
  }

  private createSlot(id: string, expression: string, options: ScheduleEntryOptions<T>): Slot<T> {
    if (typeof id !== 'string' || id === '') throw new InputError('a schedule needs a non-empty id');
    const schedule = new CronSchedule(expression, options);
    return new Slot(id, expression, schedule, options, checkMissed(options.missed ?? this.missed));
  }

  private install(slot: Slot<T>): ScheduleEntry<T> {
    // Searched before anything changes: an expression that cannot be searched leaves no trace.
    const next = slot.paused ? null : slot.schedule.next(this.clock.now());
    this.slots.set(slot.id, slot);
    if (!slot.paused) this.reschedule(slot, next);
    this.arm();
    return slot.snapshot();
  }

  private requireSlot(id: string): Slot<T> {
    const slot = this.slots.get(id);
    if (!slot) throw new InputError(`no schedule named "${id}"`);
    return slot;
  }

  private reschedule(slot: Slot<T>, nextAt: number | null): void {
    slot.nextAt = nextAt;
    if (nextAt === null || slot.paused || this.slots.get(slot.id) !== slot) {
      this.heap.remove(slot);
      return;
    }
    slot.heapKey = nextAt;
    this.heap.update(slot);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (!this.running || this.processing) return;
    const top = this.heap.peek();
    if (!top) return this.disarm();
    // An armed timer that wakes no later than the earliest entry will re-arm itself: keep it.
    if (this.timer !== null && this.timerTarget <= top.heapKey) return;
    this.disarm();
    const now = this.clock.now();
    const delay = Math.min(Math.max(top.heapKey - now, 0), this.maxDelay);
    this.timerTarget = now + delay;
    this.timersArmed++;
    this.timer = this.clock.setTimeout(() => this.wake(), delay);
  }

  private wake(): void {
    this.timer = null;
    const now = this.clock.now();
    if (now < this.timerTarget - this.tolerance) this.reevaluateAll(now);
    this.processing = true;
    try {
      this.fireDue(now);
    } finally {
      this.processing = false;
    }
    this.arm();
  }

  /** The wall clock went backwards: next firings computed from the old "now" may be far too late. */
  private reevaluateAll(now: number): void {
    for (const slot of this.slots.values()) {
      if (!slot.paused) this.reschedule(slot, this.safeNext(slot, now));
    }
  }

  private fireDue(now: number): void {
    for (let top = this.heap.peek(); top && top.heapKey <= now && this.running; top = this.heap.peek()) {
      const slot = top;
      const scheduledAt = slot.heapKey;
      const missed = now - scheduledAt > this.tolerance;
      // Re-key before the callback, so that callbacks may freely remove, pause or update entries.
      this.reschedule(slot, this.safeNext(slot, missed ? now - this.tolerance : scheduledAt));
      if (missed && slot.missed === 'skip') continue;
      this.fire(slot, scheduledAt);
    }
  }

  /**
   * The next firing after `after`. The first one was found when the schedule was added (so `add`
   * refuses an expression it cannot search); a later search that runs out of budget ends the
   * schedule (null) and is reported, rather than throwing out of a timer.
   */
  private safeNext(slot: Slot<T>, after: number): number | null {
    try {
      return slot.schedule.next(after);
    } catch (error) {
      this.onError(error, slot.snapshot());
      return null;
    }
  }

  private fire(slot: Slot<T>, scheduledAt: number): void {
    const firedAt = this.clock.now();
    slot.fireCount++;
    slot.lastFiredAt = firedAt;
    const entry = slot.snapshot();
    try {
      this.onFire(entry, scheduledAt, firedAt);
    } catch (error) {
      this.onError(error, entry);
    }
  }
}
