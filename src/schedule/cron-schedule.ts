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
import { CronSearchLimitError } from './errors';
import { DAY, nextWallTime, SECOND, searchBudget, type SearchBudget } from './wall-search';
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

  /**
   * First firing strictly after `after` (epoch ms), at a whole second; null if there is none.
   * Bounded work: throws CronSearchLimitError (an InputError) when the search budget runs out.
   */
  next(after: number, budget: SearchBudget = searchBudget()): number | null {
    return this.zone
      ? this.nextAbsolute(after, this.zone, budget)
      : this.nextRelative(after, this.relativeTo ?? 0, budget);
  }

  /**
   * Up to n firings strictly after `after`, in order, on ONE search budget: when it runs out after
   * the first firing, the firings found so far are returned.
   */
  nextN(after: number, n: number): number[] {
    const budget = searchBudget();
    const out: number[] = [];
    let t: number | null = after;
    try {
      while (out.length < n && (t = this.next(t, budget)) !== null) out.push(t);
    } catch (err) {
      if (!(err instanceof CronSearchLimitError) || out.length === 0) throw err;
    }
    return out;
  }

  private nextRelative(after: number, start: number, budget: SearchBudget): number | null {
    const elapsed = Math.max(after - start, 0);
    const wall = nextWallTime(this.spec, Math.floor(elapsed / SECOND) * SECOND + SECOND, Infinity, budget);
    return wall === null ? null : start + wall;
  }

  /**
   * The wall clock of a zone runs forward except at a fall-back transition, where it repeats an
   * interval [A, B). So: search wall times from the wall time just after `after` (skipping the rest
   * of a repeated interval we are in the second pass of, unless ambiguous times repeat), then map
   * the match to its instant: a skipped wall time fires at the end of its gap, a repeated one at its
   * first occurrence still ahead. With repetition on, the second pass of the next fall-back may hold
   * an earlier firing than the match. Work: one or two wall searches and the zone data of the years
   * involved, however far the match lies.
   */
  private nextAbsolute(after: number, zone: Zone, budget: SearchBudget): number | null {
    const base = Math.floor(after / SECOND) * SECOND;
    let lo = base + zone.offsetAt(base) + SECOND;
    const previous = zone.previousTransition(base);
    if (!this.repeatAmbiguous && previous && previous.after < previous.before) {
      const repeatedEnd = previous.at + previous.before;
      if (base + previous.after < repeatedEnd) lo = Math.max(lo, repeatedEnd);
    }
    let found: number | null = null;
    for (let attempt = 0; attempt < 4 && found === null; attempt++) {
      const wall = nextWallTime(this.spec, lo, Infinity, budget);
      if (wall === null) break;
      const { instants, gapEnd } = zone.instantsAt(wall);
      found = instants.find((i) => i > after) ?? (gapEnd !== null && gapEnd > after ? gapEnd : null);
      lo = wall + SECOND;
    }
    if (this.repeatAmbiguous) {
      const fallBack = zone.nextTransition(base, base + 2 * DAY);
      if (fallBack && fallBack.after < fallBack.before && (found === null || fallBack.at < found)) {
        const repeat = nextWallTime(
          this.spec,
          fallBack.at + fallBack.after,
          fallBack.at + fallBack.before,
          budget,
        );
        const instant = repeat === null ? null : repeat - fallBack.after;
        if (instant !== null && instant > after && (found === null || instant < found)) found = instant;
      }
    }
    return found;
  }
}
