/**
 * A parsed expression bound to a time zone (absolute) or to a start instant (relative), answering
 * "when is the next firing strictly after this instant?".
 *
 * DST (absolute schedules only; relative ones run on a synthetic UTC clock and never see DST):
 * - A wall time that does not exist (spring forward) fires once, at the first instant after the gap
 *   (the transition instant), however many matching wall times fell into the gap.
 * - A wall time that occurs twice (fall back) follows `dst`:
 *   'once'  – only the first occurrence (fixed-time jobs: "02:30 daily" runs once);
 *   'both'  – both occurrences (interval-like jobs keep their real-time cadence);
 *   'auto'  – (default) 'both' when the hour field is `*`, else 'once'. So `*\/15 * * * * *` keeps
 *             firing every 15 s through the repeated hour and `0 0 * * * *` fires every real hour,
 *             while `0 30 2 * * *` fires once.
 */
import { InputError } from '../common/errors';
import { parseCron, type ParseOptions } from './parse';
import type { CronSpec } from './spec';
import { nextWallTime, SECOND } from './wall-search';
import { Zone } from './zone';

export type DstPolicy = 'once' | 'both' | 'auto';

export interface CronScheduleOptions extends ParseOptions {
  /** IANA zone for absolute schedules; default the runtime's zone (Intl). Ignored when relative. */
  readonly timeZone?: string;
  /**
   * Makes the schedule relative (motif `camera_relative`): fields are matched against a synthetic
   * clock that reads 1970-01-01 00:00:00 UTC at this instant (epoch ms) and runs with real time.
   * The start instant itself (offset 0) never fires; the first possible firing is one second later.
   */
  readonly relativeTo?: number;
  readonly dst?: DstPolicy;
}

/** Guards the transition walk; each round crosses one DST transition. */
const MAX_ROUNDS = 10_000;

export class CronSchedule {
  readonly spec: CronSpec;
  readonly timeZone: string;
  readonly relativeTo: number | null;
  readonly dst: DstPolicy;
  private readonly zone: Zone | null;
  private readonly repeatAmbiguous: boolean;

  constructor(expression: string, options: CronScheduleOptions = {}) {
    this.spec = parseCron(expression, options);
    this.dst = options.dst ?? 'auto';
    if (this.dst !== 'once' && this.dst !== 'both' && this.dst !== 'auto') {
      throw new InputError(`dst must be "once", "both" or "auto", got "${String(this.dst)}"`);
    }
    const relativeTo = options.relativeTo;
    if (relativeTo !== undefined && !Number.isFinite(relativeTo)) {
      throw new InputError('relativeTo must be a finite instant (epoch ms)');
    }
    this.relativeTo = relativeTo ?? null;
    this.timeZone = this.relativeTo === null ? (options.timeZone ?? Zone.localName()) : 'UTC';
    this.zone = this.relativeTo === null ? Zone.get(this.timeZone) : null;
    this.repeatAmbiguous = this.dst === 'both' || (this.dst === 'auto' && this.spec.hour.any);
  }

  /** First firing strictly after `after` (epoch ms), at a whole second; null if there is none. */
  next(after: number): number | null {
    return this.zone ? this.nextAbsolute(after, this.zone) : this.nextRelative(after, this.relativeTo ?? 0);
  }

  /** Up to n firings strictly after `after`, in order. */
  nextN(after: number, n: number): number[] {
    const out: number[] = [];
    let t: number | null = after;
    while (out.length < n && (t = this.next(t)) !== null) out.push(t);
    return out;
  }

  private nextRelative(after: number, start: number): number | null {
    const elapsed = Math.max(after - start, 0);
    const wall = nextWallTime(this.spec, Math.floor(elapsed / SECOND) * SECOND + SECOND, Infinity);
    return wall === null ? null : start + wall;
  }

  private nextAbsolute(after: number, zone: Zone): number | null {
    let t = Math.floor(after / SECOND) * SECOND + SECOND;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const offset = zone.offsetAt(t);
      const previous = zone.previousTransition(t);
      let lo = t + offset;
      if (previous && previous.at > after && previous.after > previous.before) {
        // t is the end of a gap we have not answered for: nonexistent wall times fire at its end.
        if (nextWallTime(this.spec, previous.at + previous.before, previous.at + previous.after) !== null) {
          return previous.at;
        }
      }
      if (previous && previous.after < previous.before && !this.repeatAmbiguous) {
        // Second pass through a repeated hour: those wall times already fired in the first pass.
        lo = Math.max(lo, previous.at + previous.before);
      }
      const wall = nextWallTime(this.spec, lo, Infinity);
      if (wall === null) return null;
      const candidate = wall - offset;
      const transition = zone.nextTransition(t, candidate);
      if (!transition) return candidate;
      // The offset changes before the candidate: nothing matched in this segment, go to the next one.
      if (transition.after > transition.before) {
        const gapEnd = transition.at + transition.after;
        if (nextWallTime(this.spec, transition.at + transition.before, gapEnd) !== null) return transition.at;
      }
      t = transition.at;
    }
    return null;
  }
}
