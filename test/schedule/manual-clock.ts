import type { Clock } from '../../src/schedule';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock the test drives. `advance` moves time and runs due timers in order (timers run on elapsed
 * time, as real ones do); `jump` moves only the wall clock, like an NTP step or a suspend/resume.
 */
export class ManualClock implements Clock {
  private wall: number;
  private elapsed = 0;
  private seq = 0;
  private pending: Pending[] = [];
  setCount = 0;

  constructor(start: number) {
    this.wall = start;
  }

  now(): number {
    return this.wall;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    this.setCount++;
    const timer = { id: ++this.seq, at: this.elapsed + Math.max(0, ms), fn };
    this.pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  get activeTimers(): number {
    return this.pending.length;
  }

  advance(ms: number): void {
    const end = this.elapsed + ms;
    for (;;) {
      const next = this.pending.reduce<Pending | null>((a, p) => (a === null || p.at < a.at ? p : a), null);
      if (!next || next.at > end) break;
      this.pending = this.pending.filter((p) => p !== next);
      // An overdue timer (after `block`) runs now; time never moves backwards.
      if (next.at > this.elapsed) {
        this.wall += next.at - this.elapsed;
        this.elapsed = next.at;
      }
      next.fn();
    }
    this.wall += end - this.elapsed;
    this.elapsed = end;
  }

  jump(ms: number): void {
    this.wall += ms;
  }

  /** The process was blocked: time passes but no timer runs until `advance` is called again. */
  block(ms: number): void {
    this.wall += ms;
    this.elapsed += ms;
  }
}
