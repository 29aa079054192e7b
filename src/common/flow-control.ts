/**
 * Backpressure policy for stream nodes: which of the items a fast producer offers are kept for a
 * slower consumer, and how many may wait. Pure code with an injectable clock, no I/O and no
 * Node-RED: a stream source offers every item it receives and its delivery loop takes them out.
 *
 * | mode     | keeps                                   | when the queue is full              |
 * |----------|-----------------------------------------|-------------------------------------|
 * | latest   | only the newest item (queue of one)     | the waiting item is replaced        |
 * | every    | every item                              | the producer must wait (`full`)     |
 * | nth      | every Nth offered item                  | the oldest waiting item is dropped  |
 * | rate     | at most N items per second              | the oldest waiting item is dropped  |
 */
export type FlowMode = 'latest' | 'every' | 'nth' | 'rate';

export const FLOW_MODES: readonly FlowMode[] = ['latest', 'every', 'nth', 'rate'];

export interface FlowControlOptions {
  mode: FlowMode;
  /** nth: keep one item in this many (≥ 1). */
  every?: number;
  /** rate: at most this many items per second (> 0). */
  perSecond?: number;
  /** Items that may wait for the consumer (≥ 1; forced to 1 in `latest`). Default 8. */
  maxQueue?: number;
  /** Milliseconds, monotonic. Default `performance.now()`. */
  now?: () => number;
}

export interface FlowCounters {
  /** Items offered by the producer. */
  offered: number;
  /** Items handed to the consumer. */
  taken: number;
  /** Items the policy discarded (skipped by nth/rate, replaced or pushed out of the queue). */
  dropped: number;
}

export const DEFAULT_MAX_QUEUE = 8;

export class FlowControl<T> {
  readonly mode: FlowMode;
  readonly maxQueue: number;
  private readonly every: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly queue: T[] = [];
  private sinceKept = 0;
  private nextAllowedAt = -Infinity;
  private readonly counters: FlowCounters = { offered: 0, taken: 0, dropped: 0 };

  constructor(options: FlowControlOptions) {
    const { mode } = options;
    if (!FLOW_MODES.includes(mode)) throw new RangeError(`unknown flow-control mode "${String(mode)}"`);
    this.mode = mode;
    const every = options.every ?? 1;
    if (mode === 'nth' && !(Number.isInteger(every) && every >= 1))
      throw new RangeError('"every Nth" needs a whole number N ≥ 1');
    this.every = every;
    const perSecond = options.perSecond ?? 1;
    if (mode === 'rate' && !(Number.isFinite(perSecond) && perSecond > 0))
      throw new RangeError('"at most N per second" needs a number N > 0');
    this.intervalMs = 1000 / perSecond;
    const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    if (!(Number.isInteger(maxQueue) && maxQueue >= 1))
      throw new RangeError('the queue size must be a whole number ≥ 1');
    this.maxQueue = mode === 'latest' ? 1 : maxQueue;
    this.now = options.now ?? (() => performance.now());
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.queue.length;
  }

  /** In `every` mode the producer must stop offering until the consumer took something. */
  get full(): boolean {
    return this.mode === 'every' && this.queue.length >= this.maxQueue;
  }

  get stats(): Readonly<FlowCounters> {
    return { ...this.counters };
  }

  /**
   * Offer one item. Returns true when it was kept (it may still be replaced later). In `every` mode
   * an offer while `full` is kept anyway: the producer was told to wait and memory stays bounded
   * by the caller's obedience, never by silent loss.
   */
  offer(item: T): boolean {
    this.counters.offered++;
    if (!this.admit()) {
      this.counters.dropped++;
      return false;
    }
    if (this.mode !== 'every' && this.queue.length >= this.maxQueue) {
      // Make room: the consumer should see the freshest data, so the oldest waiting item goes.
      this.queue.shift();
      this.counters.dropped++;
    }
    this.queue.push(item);
    return true;
  }

  /** The next item for the consumer, oldest first. */
  take(): T | undefined {
    const item = this.queue.shift();
    if (item !== undefined) this.counters.taken++;
    return item;
  }

  /** Forget every waiting item (stop/restart); they count as dropped. */
  clear(): void {
    this.counters.dropped += this.queue.length;
    this.queue.length = 0;
  }

  private admit(): boolean {
    if (this.mode === 'nth') {
      this.sinceKept++;
      if (this.sinceKept < this.every) return false;
      this.sinceKept = 0;
      return true;
    }
    if (this.mode === 'rate') {
      const now = this.now();
      if (now < this.nextAllowedAt) return false;
      // Keep the average rate exact under a steady flood, but never bank credit across a pause:
      // after a gap the next slot is one interval from now.
      const scheduled = this.nextAllowedAt + this.intervalMs;
      this.nextAllowedAt = now - this.nextAllowedAt < this.intervalMs ? scheduled : now + this.intervalMs;
      return true;
    }
    return true;
  }
}

/**
 * Events per second over a sliding window, in fixed buckets so that counting costs the same at
 * ten or ten thousand events per second.
 */
export class RateMeter {
  private readonly buckets: number[];
  private readonly bucketMs: number;
  private current = 0;
  private currentIndex: number;

  constructor(
    private readonly windowMs = 2000,
    private readonly now: () => number = () => performance.now(),
    bucketCount = 10,
  ) {
    this.buckets = new Array<number>(bucketCount).fill(0);
    this.bucketMs = windowMs / bucketCount;
    this.currentIndex = Math.floor(this.now() / this.bucketMs);
  }

  tick(count = 1): void {
    this.advance();
    this.current += count;
  }

  /** Events per second over the window plus the bucket under way. */
  get rate(): number {
    this.advance();
    const total = this.buckets.reduce((a, b) => a + b, 0) + this.current;
    const span = this.windowMs + (this.now() - this.currentIndex * this.bucketMs);
    return (total * 1000) / span;
  }

  reset(): void {
    this.buckets.fill(0);
    this.current = 0;
    this.currentIndex = Math.floor(this.now() / this.bucketMs);
  }

  private advance(): void {
    const index = Math.floor(this.now() / this.bucketMs);
    const steps = Math.min(index - this.currentIndex, this.buckets.length);
    for (let i = 0; i < steps; i++) {
      this.buckets.shift();
      this.buckets.push(i === 0 ? this.current : 0);
      this.current = 0;
    }
    if (index > this.currentIndex) this.currentIndex = index;
  }
}
