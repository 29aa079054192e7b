/**
 * Builders for one-shot expressions, after motifapi's `datetime_to_cron`:
 * `second minute hour day month ?`, base 10, no padding, sub-second part dropped.
 */
import { InputError } from '../common/errors';
import { Zone } from './zone';

export interface DatetimeToCronOptions {
  /**
   * Append the year as a 7th field. motifapi emits 6 fields, which match again every year although
   * the vendor calls the result "non-repeating"; with the year it really fires once.
   */
  readonly withYear?: boolean;
}

/** The wall time of `date` in `timeZone` as a cron expression (e.g. `0 5 16 17 5 ?`). */
export function datetimeToCron(date: Date, timeZone: string, options: DatetimeToCronOptions = {}): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new InputError('datetimeToCron: invalid date');
  const wall = new Date(Zone.get(timeZone).wallOf(ms));
  const fields = [
    wall.getUTCSeconds(),
    wall.getUTCMinutes(),
    wall.getUTCHours(),
    wall.getUTCDate(),
    wall.getUTCMonth() + 1,
  ].join(' ');
  return options.withYear ? `${fields} ? ${wall.getUTCFullYear()}` : `${fields} ?`;
}

/**
 * A one-shot expression for a relative schedule firing `offsetMs` after the start (motif's
 * "17 s after recording start" recipe, with the zone made explicit: the synthetic clock is UTC).
 * Includes the year so that it never fires again a year into a long recording.
 */
export function offsetToRelativeCron(offsetMs: number): string {
  if (!Number.isFinite(offsetMs) || offsetMs < 1000) {
    throw new InputError('offsetToRelativeCron: the offset must be at least one second');
  }
  return datetimeToCron(new Date(offsetMs), 'UTC', { withYear: true });
}
