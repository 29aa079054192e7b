/** Static facts about the seven fields of the motif cron dialect. */
export type CronFieldName = 'second' | 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

export interface FieldInfo {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  /** Upper-case three-letter aliases; index + `min` is the value. */
  readonly names?: readonly string[];
}

export const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;
export const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

export const FIELDS: Readonly<Record<CronFieldName, FieldInfo>> = {
  second: { name: 'second', min: 0, max: 59 },
  minute: { name: 'minute', min: 0, max: 59 },
  hour: { name: 'hour', min: 0, max: 23 },
  'day-of-month': { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  // 7 is accepted as a second spelling of Sunday and normalised to 0.
  'day-of-week': { name: 'day-of-week', min: 0, max: 7, names: WEEKDAY_NAMES },
  year: { name: 'year', min: 1970, max: 9999 },
};

/** Field order for each accepted field count: 5 = minute first, 6 = seconds first, 7 = seconds … year. */
export const LAYOUTS: Readonly<Record<5 | 6 | 7, readonly CronFieldName[]>> = {
  5: ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'],
  6: ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'],
  7: ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'],
};
