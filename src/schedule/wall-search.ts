/**
 * Finds the next wall-clock time matching a CronSpec. Wall times are "naive" milliseconds: calendar
 * arithmetic on a UTC-like clock, so 0 is 1970-01-01 00:00:00 on the wall. This is also the synthetic
 * clock of relative schedules, which is why monotonic counts here are simply "units since 0".
 * No time zone is involved; zone.ts and cron-schedule.ts map wall times to instants.
 *
 * Bounded in work, not only in horizon: the search jumps from candidate to candidate (the next listed
 * value of a field, or the next monotonic firing computed arithmetically), never unit by unit, and
 * every jump spends one step of a budget. An expression whose next firing cannot be found within the
 * budget is an InputError (`CronSearchLimitError`), not a frozen event loop.
 */
import { CronSearchLimitError } from './errors';
import type { CronField, CronSpec } from './spec';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const MAX_YEAR = 9999;
/** 10000-01-01 on the wall: nothing at or after it matches. */
export const WALL_END = Date.UTC(MAX_YEAR + 1, 0, 1);

/**
 * Steps one search may take. A step is one jump (a few dozen arithmetic operations, 0.1–0.3 µs
 * once compiled); an expression with a realistic timetable needs fewer than a hundred per firing,
 * an impossible date is recognised without stepping (see yearHasDay). The whole budget takes
 * 0.5–2 ms of CPU.
 */
export const SEARCH_STEPS = 5_000;

/** Remaining steps; shared by the searches of one call (a preview of 20 firings spends one budget). */
export interface SearchBudget {
  steps: number;
}

export function searchBudget(steps = SEARCH_STEPS): SearchBudget {
  return { steps };
}

// ---------------------------------------------------------------------------------------------------
// Calendar arithmetic without Date objects (days since 1970-01-01 ↔ civil date, proleptic Gregorian).

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

interface Civil {
  year: number;
  month: number;
  day: number;
}

function civilFromDays(days: number, out: Civil): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  out.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 31);
}

/** 0 = Sunday. 1970-01-01 (day 0) was a Thursday. */
function weekdayOf(dayIndex: number): number {
  return (((dayIndex + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------------
// Matching one field.

/** The smallest unit count ≥ u that one of the field's `O%N` items matches; Infinity when none does. */
function nextMonotonic(field: CronField, u: number): number {
  let best = Infinity;
  for (const m of field.monotonic) {
    const e = Math.max(u, m.offset);
    const c = m.offset + Math.ceil((e - m.offset) / m.period) * m.period;
    if (c < best) best = c;
  }
  return best;
}

function monotonicMatch(field: CronField, elapsedUnits: number): boolean {
  return field.monotonic.length > 0 && nextMonotonic(field, elapsedUnits) === elapsedUnits;
}

/** `table[v]` = the smallest listed value ≥ v, or -1. Built once per (shared, immutable) field. */
const nextListed = new WeakMap<CronField, Int16Array>();

function listedTable(field: CronField): Int16Array {
  let table = nextListed.get(field);
  if (!table) {
    const size = field.flags.length;
    table = new Int16Array(size + 1).fill(-1);
    for (let v = size - 1; v >= 0; v--) table[v] = field.flags[v] === 1 ? v : (table[v + 1] ?? -1);
    nextListed.set(field, table);
  }
  return table;
}

function yearMatch(field: CronField, year: number): boolean {
  for (const run of field.yearRuns) {
    if (year >= run.from && year <= run.to && (year - run.from) % run.step === 0) return true;
  }
  return monotonicMatch(field, year - 1970);
}

/** The first year ≥ year the year field matches, or null. */
function nextYear(field: CronField, year: number): number | null {
  let best = Infinity;
  for (const run of field.yearRuns) {
    if (year > run.to) continue;
    const c = year <= run.from ? run.from : run.from + Math.ceil((year - run.from) / run.step) * run.step;
    if (c <= run.to && c < best) best = c;
  }
  best = Math.min(best, 1970 + nextMonotonic(field, year - 1970));
  return best <= MAX_YEAR ? best : null;
}

function lastWeekdayOfMonth(year: number, month: number, dim: number): number {
  const wd = weekdayOf(daysFromCivil(year, month, dim));
  return wd === 6 ? dim - 1 : wd === 0 ? dim - 2 : dim;
}

/** The Mon–Fri day nearest to `day` without leaving the month; null when the month is shorter. */
function nearestWeekdayInMonth(year: number, month: number, dim: number, day: number): number | null {
  if (day > dim) return null;
  const wd = weekdayOf(daysFromCivil(year, month, day));
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
  return monotonicMatch(f, dayIndex);
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

/** Day-of-month made only of listed days and `O%N` (no L/W) while day-of-week is `*`/`?`: jumpable. */
function plainDays(spec: CronSpec): boolean {
  const f = spec.dayOfMonth;
  return (
    spec.dayOfWeek.any &&
    !f.lastDay &&
    !f.lastWeekday &&
    f.lastDayOffsets.length === 0 &&
    f.nearestWeekday.length === 0
  );
}

// ---------------------------------------------------------------------------------------------------
// Whole years that cannot match. When neither month nor day-of-month counts monotonically, which
// days of a year match depends only on its type (leap or not, weekday of 1 January): 14 types,
// each checked once per expression, so an impossible date (`0 0 0 30 2 ?`) costs a step per year.

const yearTypes = new WeakMap<CronSpec, Int8Array>();

function calendarDaysOnly(spec: CronSpec): boolean {
  return spec.month.monotonic.length === 0 && spec.dayOfMonth.monotonic.length === 0;
}

/** Whether any day of `year` matches the month and day fields (memo per year type). */
function yearHasDay(spec: CronSpec, year: number): boolean {
  let types = yearTypes.get(spec);
  if (!types) yearTypes.set(spec, (types = new Int8Array(15).fill(-1)));
  const type = yearType(year);
  if (types[type] === -1) types[type] = scanYear(spec, year) ? 1 : 0;
  return types[type] === 1;
}

/** No year of any type has a matching day (`0 0 0 30 2 ?`): the expression never fires. */
function noYearHasDay(spec: CronSpec): boolean {
  const types = yearTypes.get(spec);
  if (types && types[14] !== -1) return types[14] === 1;
  // Years 2001–2028 hold all 14 types; each type is scanned at most once per expression.
  let none = true;
  for (let year = 2001; year <= 2028 && none; year++) if (yearHasDay(spec, year)) none = false;
  (yearTypes.get(spec) as Int8Array)[14] = none ? 1 : 0;
  return none;
}

function yearType(year: number): number {
  return (isLeap(year) ? 7 : 0) + weekdayOf(daysFromCivil(year, 1, 1));
}

function scanYear(spec: CronSpec, year: number): boolean {
  for (let month = 1; month <= 12; month++) {
    if (spec.month.flags[month] !== 1) continue;
    const dim = daysInMonth(year, month);
    const first = daysFromCivil(year, month, 1);
    for (let day = 1; day <= dim; day++)
      if (dayMatch(spec, year, month, day, dim, first + day - 1)) return true;
  }
  return false;
}

/** Years worth scanning: the Gregorian calendar repeats every 400 years unless something counts. */
function lastYearToScan(spec: CronSpec, startYear: number): number {
  const periodic =
    spec.year.any &&
    spec.year.monotonic.length === 0 &&
    spec.month.monotonic.length === 0 &&
    spec.dayOfMonth.monotonic.length === 0 &&
    spec.hour.monotonic.length === 0 &&
    spec.minute.monotonic.length === 0 &&
    spec.second.monotonic.length === 0;
  return periodic ? Math.min(MAX_YEAR, startYear + 400) : MAX_YEAR;
}

/**
 * For a time field (hour in its day, minute in its hour, second in its minute): the first instant
 * ≥ t (t on a unit boundary) whose unit the field matches, as wall ms. May lie beyond the parent; the
 * caller re-checks the coarser fields from there.
 */
function nextTimeCandidate(
  field: CronField,
  t: number,
  unit: number,
  parentStart: number,
  size: number,
): number {
  const u = t / unit;
  const table = listedTable(field);
  const listed = table[u - parentStart / unit] ?? -1;
  let best =
    listed >= 0
      ? parentStart + listed * unit
      : table[0] !== -1
        ? parentStart + (size + (table[0] ?? 0)) * unit
        : Infinity;
  if (field.monotonic.length > 0) best = Math.min(best, nextMonotonic(field, u) * unit);
  return best;
}

/**
 * The first wall time t with lo ≤ t < hi (both naive ms) matching every field, at whole seconds; null
 * when there is none. Throws CronSearchLimitError when the budget runs out first.
 */
export function nextWallTime(
  spec: CronSpec,
  lo: number,
  hi: number,
  budget: SearchBudget = searchBudget(),
): number | null {
  let t = Math.max(Math.ceil(lo / SECOND) * SECOND, 0);
  const end = Math.min(hi, WALL_END);
  const civil: Civil = { year: 0, month: 0, day: 0 };
  let endYear = -1;
  const calendarDays = calendarDaysOnly(spec);
  const jumpDays = plainDays(spec);
  while (t < end) {
    if (--budget.steps < 0) throw new CronSearchLimitError(spec.source);
    const dayIndex = Math.floor(t / DAY);
    civilFromDays(dayIndex, civil);
    const { year, month, day } = civil;
    if (endYear < 0) endYear = lastYearToScan(spec, year);
    if (year > endYear) return null;
    // Year.
    const dayless = calendarDays && yearMatch(spec.year, year) && !yearHasDay(spec, year);
    if (dayless && noYearHasDay(spec)) return null;
    if (dayless || !yearMatch(spec.year, year)) {
      const next = nextYear(spec.year, year + 1);
      if (next === null) return null;
      t = daysFromCivil(next, 1, 1) * DAY;
      continue;
    }
    // Month.
    const monthIndex = (year - 1970) * 12 + month - 1;
    if (spec.month.flags[month] !== 1 && !monotonicMatch(spec.month, monthIndex)) {
      const table = listedTable(spec.month);
      const listed = table[month + 1] ?? -1;
      const first = table[1] ?? -1;
      let best =
        listed > 0
          ? daysFromCivil(year, listed, 1)
          : first > 0
            ? daysFromCivil(year + 1, first, 1)
            : Infinity;
      if (spec.month.monotonic.length > 0) {
        const m = nextMonotonic(spec.month, monthIndex + 1);
        if (Number.isFinite(m))
          best = Math.min(best, daysFromCivil(1970 + Math.floor(m / 12), (m % 12) + 1, 1));
      }
      if (!Number.isFinite(best)) return null;
      t = best * DAY;
      continue;
    }
    // Day.
    const dim = daysInMonth(year, month);
    const monthStartDay = dayIndex - day + 1;
    if (!dayMatch(spec, year, month, day, dim, dayIndex)) {
      let best = dayIndex + 1;
      if (jumpDays) {
        const table = listedTable(spec.dayOfMonth);
        const listed = day + 1 <= dim ? (table[day + 1] ?? -1) : -1;
        // No listed day later this month: the next month (if any day is listed at all).
        best =
          listed > 0 && listed <= dim
            ? monthStartDay + listed - 1
            : table[1] !== -1
              ? monthStartDay + dim
              : Infinity;
        if (spec.dayOfMonth.monotonic.length > 0)
          best = Math.min(best, nextMonotonic(spec.dayOfMonth, dayIndex + 1));
      }
      t = best * DAY;
      continue;
    }
    // Hour, minute, second: each either matches at t or moves t to its next candidate.
    const dayStart = dayIndex * DAY;
    const hourStart = Math.floor(t / HOUR) * HOUR;
    const hour = nextTimeCandidate(spec.hour, hourStart, HOUR, dayStart, 24);
    if (hour !== hourStart) {
      t = hour;
      continue;
    }
    const minuteStart = Math.floor(t / MINUTE) * MINUTE;
    const minute = nextTimeCandidate(spec.minute, minuteStart, MINUTE, hourStart, 60);
    if (minute !== minuteStart) {
      t = minute;
      continue;
    }
    const second = nextTimeCandidate(spec.second, t, SECOND, minuteStart, 60);
    if (second !== t) {
      t = second;
      continue;
    }
    return t;
  }
  return null;
}
