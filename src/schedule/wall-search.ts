/**
 * Finds the next wall-clock time matching a CronSpec. Wall times are "naive" milliseconds: calendar
 * arithmetic done with Date.UTC, so 0 is 1970-01-01 00:00:00 on the wall. This is also the synthetic
 * clock of relative schedules, which is why monotonic counts here are simply "units since 0".
 * No time zone is involved; zone.ts and cron-schedule.ts map wall times to instants.
 */
import type { CronField, CronSpec } from './spec';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const MAX_YEAR = 9999;

function monotonicMatch(field: CronField, elapsedUnits: number): boolean {
  for (const m of field.monotonic) {
    const e = elapsedUnits - m.offset;
    if (e >= 0 && e % m.period === 0) return true;
  }
  return false;
}

function valueMatch(field: CronField, value: number, elapsedUnits: number): boolean {
  return field.flags[value] === 1 || (field.monotonic.length > 0 && monotonicMatch(field, elapsedUnits));
}

function yearMatch(field: CronField, year: number): boolean {
  for (const run of field.yearRuns) {
    if (year >= run.from && year <= run.to && (year - run.from) % run.step === 0) return true;
  }
  return monotonicMatch(field, year - 1970);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 0 = Sunday. 1970-01-01 (day 0) was a Thursday. */
function weekdayOf(dayIndex: number): number {
  return (((dayIndex + 4) % 7) + 7) % 7;
}

function lastWeekdayOfMonth(year: number, month: number, dim: number): number {
  const lastIndex = Date.UTC(year, month - 1, dim) / DAY;
  const wd = weekdayOf(lastIndex);
  return wd === 6 ? dim - 1 : wd === 0 ? dim - 2 : dim;
}

/** The Mon–Fri day nearest to `day` without leaving the month; null when the month is shorter. */
function nearestWeekdayInMonth(year: number, month: number, dim: number, day: number): number | null {
  if (day > dim) return null;
  const wd = weekdayOf(Date.UTC(year, month - 1, day) / DAY);
  if (wd === 6) return day === 1 ? day + 2 : day - 1;
  if (wd === 0) return day === dim ? day - 2 : day + 1;
  return day;
}

function dayOfMonthMatch(
  f: CronField,
  year: number,
  month: number,
  day: number,
  dim: number,
  dayIndex: number,
) {
  if (f.flags[day] === 1) return true;
  if (f.lastDay && day === dim) return true;
  for (const n of f.lastDayOffsets) if (day === dim - n) return true;
  if (f.lastWeekday && day === lastWeekdayOfMonth(year, month, dim)) return true;
  for (const n of f.nearestWeekday) if (day === nearestWeekdayInMonth(year, month, dim, n)) return true;
  return f.monotonic.length > 0 && monotonicMatch(f, dayIndex);
}

function dayOfWeekMatch(f: CronField, day: number, dim: number, dayIndex: number): boolean {
  const wd = weekdayOf(dayIndex);
  if (f.flags[wd] === 1) return true;
  for (const w of f.lastOfWeekday) if (w === wd && day + 7 > dim) return true;
  for (const n of f.nthWeekday) if (n.weekday === wd && Math.ceil(day / 7) === n.nth) return true;
  return false;
}

/** Day-of-month and day-of-week: both restricted → either; a `*`/`?` in one → only the other counts. */
function dayMatch(spec: CronSpec, year: number, month: number, day: number, dim: number, dayIndex: number) {
  const domAny = spec.dayOfMonth.any;
  const dowAny = spec.dayOfWeek.any;
  if (domAny && dowAny) return true;
  if (domAny) return dayOfWeekMatch(spec.dayOfWeek, day, dim, dayIndex);
  const dom = dayOfMonthMatch(spec.dayOfMonth, year, month, day, dim, dayIndex);
  if (dowAny || dom) return dom;
  return dayOfWeekMatch(spec.dayOfWeek, day, dim, dayIndex);
}

/** Years worth scanning: the Gregorian calendar repeats every 400 years unless years are constrained. */
function lastYearToScan(spec: CronSpec, startYear: number): number {
  const calendarOnly =
    spec.year.any &&
    spec.year.monotonic.length === 0 &&
    spec.month.monotonic.length === 0 &&
    spec.dayOfMonth.monotonic.length === 0;
  return calendarOnly ? Math.min(MAX_YEAR, startYear + 400) : MAX_YEAR;
}

/**
 * The first wall time t with lo ≤ t < hi (both naive ms) matching every field, at whole seconds; null
 * when there is none.
 */
export function nextWallTime(spec: CronSpec, lo: number, hi: number): number | null {
  lo = Math.ceil(lo / SECOND) * SECOND;
  if (lo >= hi) return null;
  const startYear = Math.max(1970, new Date(lo).getUTCFullYear());
  const endYear = Math.min(
    lastYearToScan(spec, startYear),
    Number.isFinite(hi) ? new Date(hi).getUTCFullYear() : MAX_YEAR,
  );
  for (let year = startYear; year <= endYear; year++) {
    if (!yearMatch(spec.year, year)) continue;
    const firstMonth = Date.UTC(year, 0, 1) <= lo ? new Date(lo).getUTCMonth() + 1 : 1;
    for (let month = firstMonth; month <= 12; month++) {
      const monthStart = Date.UTC(year, month - 1, 1);
      if (monthStart >= hi) return null;
      if (!valueMatch(spec.month, month, (year - 1970) * 12 + month - 1)) continue;
      const found = searchMonth(spec, year, month, monthStart, lo, hi);
      if (found !== undefined) return found;
    }
  }
  return null;
}

/** undefined = nothing this month, keep going; null = reached hi. */
function searchMonth(
  spec: CronSpec,
  year: number,
  month: number,
  monthStart: number,
  lo: number,
  hi: number,
) {
  const dim = daysInMonth(year, month);
  const firstDay = monthStart <= lo ? Math.floor((lo - monthStart) / DAY) + 1 : 1;
  for (let day = firstDay; day <= dim; day++) {
    const dayStart = monthStart + (day - 1) * DAY;
    if (dayStart >= hi) return null;
    if (!dayMatch(spec, year, month, day, dim, dayStart / DAY)) continue;
    const found = searchDay(spec, dayStart, lo, hi);
    if (found !== undefined) return found;
  }
  return undefined;
}

function searchDay(spec: CronSpec, dayStart: number, lo: number, hi: number): number | null | undefined {
  const firstHour = dayStart <= lo ? Math.floor((lo - dayStart) / HOUR) : 0;
  for (let hour = firstHour; hour < 24; hour++) {
    const hourStart = dayStart + hour * HOUR;
    if (hourStart >= hi) return null;
    if (!valueMatch(spec.hour, hour, hourStart / HOUR)) continue;
    const firstMinute = hourStart <= lo ? Math.floor((lo - hourStart) / MINUTE) : 0;
    for (let minute = firstMinute; minute < 60; minute++) {
      const minuteStart = hourStart + minute * MINUTE;
      if (minuteStart >= hi) return null;
      if (!valueMatch(spec.minute, minute, minuteStart / MINUTE)) continue;
      const firstSecond = minuteStart <= lo ? Math.floor((lo - minuteStart) / SECOND) : 0;
      for (let second = firstSecond; second < 60; second++) {
        const t = minuteStart + second * SECOND;
        if (t >= hi) return null;
        if (valueMatch(spec.second, second, t / SECOND)) return t;
      }
    }
  }
  return undefined;
}
