/**
 * The parsed form of a cron expression. Produced by `parseCron`, consumed by the matcher and by
 * `describe`. Immutable, so equal expressions can share one instance.
 */
import type { CronFieldName } from './fields';

/** `O%N`: fires when the elapsed count of the field's unit minus O is ≥ 0 and divisible by N. */
export interface Monotonic {
  readonly period: number;
  readonly offset: number;
}

/** An inclusive arithmetic run of values, used for the year field (too wide for a flag table). */
export interface YearRun {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

export interface NthWeekday {
  readonly weekday: number;
  readonly nth: number;
}

export interface CronField {
  readonly name: CronFieldName;
  /** The field as written (after trimming). */
  readonly text: string;
  /** Written as `*` or `?`: matches everything and, for the day fields, takes no part in the either/or rule. */
  readonly any: boolean;
  /** `flags[v] === 1` when value v is listed. Unused (empty) for the year field. */
  readonly flags: Uint8Array;
  readonly yearRuns: readonly YearRun[];
  readonly monotonic: readonly Monotonic[];
  // day-of-month only
  readonly lastDay: boolean;
  readonly lastDayOffsets: readonly number[];
  readonly lastWeekday: boolean;
  readonly nearestWeekday: readonly number[];
  // day-of-week only
  readonly lastOfWeekday: readonly number[];
  readonly nthWeekday: readonly NthWeekday[];
}

export interface CronSpec {
  readonly source: string;
  /** 5 (minute first, second fixed at 0), 6 (seconds first) or 7 (seconds … year). */
  readonly fieldCount: 5 | 6 | 7;
  readonly second: CronField;
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  readonly month: CronField;
  readonly dayOfWeek: CronField;
  readonly year: CronField;
}
