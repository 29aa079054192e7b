/**
 * The clock of a simulated system. Real systems' clocks disagree with ours: they are set a little
 * off (an offset) and run a little fast or slow (a drift, in parts per million). A simulator reads
 * time only through its `SimClock`, so a test can give each simulated system a clock that really
 * disagrees with the local one, and check that whatever measures those clocks finds the offset and
 * drift it was given.
 *
 *   simulated = base + offsetMs + (base − startedAt) × driftPpm / 1e6
 *
 * where `base` is the clock the simulator would otherwise use (real time, or a clock a test drives)
 * and `startedAt` the base time when the SimClock was made. With offset 0 and drift 0 the simulated
 * time is exactly the base time.
 */
import { realClock, type Clock } from '../schedule';

export interface SimClockOptions {
  /** How far the simulated clock is ahead of the base clock at start, ms (negative: behind). Default 0. */
  clockOffsetMs?: number;
  /** How much faster the simulated clock runs, parts per million (negative: slower). Default 0. */
  clockDriftPpm?: number;
}

/** About ten years either way: beyond that a simulated clock is a typo, not a lab computer. */
export const MAX_CLOCK_OFFSET_MS = 10 * 365.25 * 86_400_000;
/** A clock running twice as fast, or standing almost still, is the most a test needs. */
export const MAX_CLOCK_DRIFT_PPM = 1_000_000;

/** Throws a RangeError naming the option when a value is not usable. */
export function checkClockOptions(options: SimClockOptions): { offsetMs: number; driftPpm: number } {
  const offsetMs = options.clockOffsetMs ?? 0;
  const driftPpm = options.clockDriftPpm ?? 0;
  if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs) || Math.abs(offsetMs) > MAX_CLOCK_OFFSET_MS)
    throw new RangeError(`clockOffsetMs must be a number of ms within ±${MAX_CLOCK_OFFSET_MS}`);
  if (
    typeof driftPpm !== 'number' ||
    !Number.isFinite(driftPpm) ||
    driftPpm <= -MAX_CLOCK_DRIFT_PPM ||
    driftPpm > MAX_CLOCK_DRIFT_PPM
  )
    throw new RangeError(
      `clockDriftPpm must be a number of ppm above -${MAX_CLOCK_DRIFT_PPM} and at most ${MAX_CLOCK_DRIFT_PPM}`,
    );
  return { offsetMs, driftPpm };
}

/** Real Unix time in ms with sub-millisecond resolution (the monotonic clock from the process origin). */
function preciseRealMs(): number {
  return performance.timeOrigin + performance.now();
}

export class SimClock implements Clock {
  readonly offsetMs: number;
  readonly driftPpm: number;
  /** Simulated milliseconds per base millisecond: 1 + driftPpm / 1e6. */
  readonly rate: number;
  /** The base time (epoch ms) the drift is counted from. */
  readonly startedAt: number;

  constructor(
    options: SimClockOptions = {},
    private readonly base: Clock = realClock,
  ) {
    const checked = checkClockOptions(options);
    this.offsetMs = checked.offsetMs;
    this.driftPpm = checked.driftPpm;
    this.rate = 1 + this.driftPpm / 1e6;
    this.startedAt = base.now();
  }

  /** The simulated time, epoch ms (fractional when the clock drifts). */
  now(): number {
    return this.at(this.base.now());
  }

  /** The simulated time when the base clock reads `baseMs`. */
  at(baseMs: number): number {
    return baseMs + this.offsetMs + ((baseMs - this.startedAt) * this.driftPpm) / 1e6;
  }

  /**
   * The simulated time with sub-millisecond resolution, for timestamps that measure latency: real
   * time from the monotonic clock plus the simulated clock's current lead over its base.
   */
  preciseNow(): number {
    const base = this.base.now();
    return preciseRealMs() + (this.at(base) - base);
  }

  /** How far the simulated clock is ahead of its base right now, ms. */
  lead(): number {
    const base = this.base.now();
    return this.at(base) - base;
  }

  /** `ms` of simulated time: a fast clock's timers fire sooner in real time. */
  setTimeout(fn: () => void, ms: number): unknown {
    return this.base.setTimeout(fn, ms / this.rate);
  }

  clearTimeout(handle: unknown): void {
    this.base.clearTimeout(handle);
  }

  /** The simulated time as an HTTP `Date` header value (whole seconds, as HTTP dates are). */
  httpDate(): string {
    return new Date(this.now()).toUTCString();
  }
}
