import { CronSchedule, type CronScheduleOptions } from '../../src/schedule';

export const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test date ${iso}`);
  return t;
};

export const isoList = (times: number[]): string[] =>
  times.map((t) => new Date(t).toISOString().replace('.000Z', 'Z'));

/** The next n firings strictly after `from`, as ISO strings without milliseconds. */
export function firings(
  expression: string,
  from: string,
  n: number,
  options: CronScheduleOptions = {},
): string[] {
  return isoList(new CronSchedule(expression, { timeZone: 'UTC', ...options }).nextN(at(from), n));
}

/** Every firing in [from, to). */
export function firingsBetween(
  expression: string,
  from: string,
  to: string,
  options: CronScheduleOptions,
): number[] {
  const schedule = new CronSchedule(expression, options);
  const end = at(to);
  const out: number[] = [];
  for (let t = schedule.next(at(from) - 1); t !== null && t < end; t = schedule.next(t)) out.push(t);
  return out;
}
