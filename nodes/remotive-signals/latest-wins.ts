/**
 * A rate limit where the latest values win: at most one flush per `intervalMs`. Values offered in
 * between are merged by key (a later value for a key replaces the earlier one), so a slow consumer
 * always sees the newest state and nothing queues up. The first offer after a quiet period flushes
 * at once (no added latency when the rate is low).
 */
export class LatestWins<V> {
  private pending = new Map<string, V>();
  private lastFlushAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (values: Map<string, V>) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  offer(key: string, value: V): void {
    if (this.stopped) return;
    this.pending.set(key, value);
    if (this.timer) return;
    const wait = this.lastFlushAt + this.intervalMs - this.now();
    if (wait <= 0) this.emit();
    else this.timer = setTimeout(() => this.emit(), wait);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = new Map();
  }

  private emit(): void {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const values = this.pending;
    this.pending = new Map();
    this.lastFlushAt = this.now();
    this.flush(values);
  }
}
