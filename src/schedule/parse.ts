/**
 * Parser for the motif cron dialect (loopbio motif, after cronex): 5, 6 or 7 fields, names, ranges with
 * wrap-around, steps, `?`, `L`, `L-n`, `LW`, `nW`, `nL`, `d#n`, and the monotonic `%N` / `O%N`.
 */
import { CronSyntaxError, quoteExpression, type CronFieldRef } from './errors';
import { FIELDS, LAYOUTS, type CronFieldName, type FieldInfo } from './fields';
import type { CronField, CronSpec, Monotonic, NthWeekday, YearRun } from './spec';

export interface ParseOptions {
  /**
   * How a `*` in a time-of-day field finer than a monotonic field is read. The vendor documents
   * `0 * %2 ? * * *` as "every 2 hours" (00:00:00, 02:00:00), which only holds when the `*` minute is
   * pinned to its first value: `'first'` (default). `'every'` is the literal cronex reading (every
   * minute of every second hour).
   */
  readonly wildcardUnderMonotonic?: 'first' | 'every';
}

/** Longest expression accepted (the longest sensible one lists every second, minute and hour: ~450). */
export const MAX_EXPRESSION_LENGTH = 1000;

/** Units from 1970-01-01 to the end of 9999 per field: the largest `O` or `N` of `O%N` that means anything. */
const MONOTONIC_LIMITS: Readonly<Record<CronFieldName, number>> = {
  second: 253_402_300_799,
  minute: 4_223_371_679,
  hour: 70_389_527,
  'day-of-month': 2_932_896,
  month: 96_359,
  'day-of-week': 0,
  year: 8_029,
};

const TIME_FIELDS: readonly CronFieldName[] = ['second', 'minute', 'hour'];
const ORDER: readonly CronFieldName[] = ['second', 'minute', 'hour', 'day-of-month', 'month', 'year'];

interface MutableField {
  name: CronFieldName;
  text: string;
  any: boolean;
  flags: Uint8Array;
  yearRuns: YearRun[];
  monotonic: Monotonic[];
  lastDay: boolean;
  lastDayOffsets: number[];
  lastWeekday: boolean;
  nearestWeekday: number[];
  lastOfWeekday: number[];
  nthWeekday: NthWeekday[];
}

class FieldParser {
  private readonly info: FieldInfo;
  private readonly field: MutableField;

  constructor(
    private readonly ref: CronFieldRef,
    private readonly text: string,
  ) {
    this.info = FIELDS[ref.name];
    this.field = {
      name: ref.name,
      text,
      any: false,
      flags: new Uint8Array(ref.name === 'year' ? 0 : this.info.max + 1),
      yearRuns: [],
      monotonic: [],
      lastDay: false,
      lastDayOffsets: [],
      lastWeekday: false,
      nearestWeekday: [],
      lastOfWeekday: [],
      nthWeekday: [],
    };
  }

  private fail(reason: string): never {
    throw new CronSyntaxError(reason, this.ref, this.text);
  }

  parse(): CronField {
    const items = this.text.split(',');
    for (const item of items) {
      if (item === '') this.fail('empty list item');
      if (item === '*' || item === '?') {
        if (item === '?' && this.ref.name !== 'day-of-month' && this.ref.name !== 'day-of-week') {
          this.fail('"?" is only allowed in day-of-month and day-of-week');
        }
        if (items.length > 1) this.fail(`"${item}" must be alone in its field`);
        this.field.any = true;
        this.addRange(this.info.min, this.info.max, 1);
        continue;
      }
      this.parseItem(item.toUpperCase());
    }
    return this.field;
  }

  private parseItem(item: string): void {
    const monotonic = /^(\d*)%(\d*)$/.exec(item);
    if (monotonic) return this.parseMonotonic(monotonic[1] ?? '', monotonic[2] ?? '');
    if (this.ref.name === 'day-of-month' && this.parseDayOfMonthSpecial(item)) return;
    if (this.ref.name === 'day-of-week' && this.parseDayOfWeekSpecial(item)) return;
    if (/[LW#]/.test(item.replace(/[A-Z]{3}/g, ''))) {
      this.fail(`"${item}" is not valid here (L, W and # belong to the day fields)`);
    }
    const [base, stepText, extra] = item.split('/');
    if (extra !== undefined || base === undefined) this.fail(`"${item}" has more than one "/"`);
    const step = stepText === undefined ? 1 : this.positiveInt(stepText, 'step');
    // Day-of-week steps run over 0-6 so that `*/2` or `1/2` never reach 7 (a second Sunday).
    const top = this.ref.name === 'day-of-week' ? 6 : this.info.max;
    if (base === '*') return this.addRange(this.info.min, top, step);
    const dash = base.indexOf('-', 1);
    if (dash < 0) {
      const from = this.value(base);
      // `a/n` runs from a to the end of the field; a lone value is just itself.
      return this.addRange(from, stepText === undefined ? from : Math.max(from, top), step);
    }
    this.addRange(this.value(base.slice(0, dash)), this.value(base.slice(dash + 1)), step);
  }

  private parseMonotonic(offsetText: string, periodText: string): void {
    if (this.ref.name === 'day-of-week') this.fail('monotonic "%" is not allowed in day-of-week');
    const period = this.positiveInt(periodText, 'monotonic period');
    const offset = offsetText === '' ? 0 : this.nonNegativeInt(offsetText, 'monotonic offset');
    // Counts run from 1970 (or the start of a relative schedule) to the end of year 9999; a period or
    // offset beyond that can never be reached, and huge numbers would lose precision.
    const limit = MONOTONIC_LIMITS[this.ref.name];
    const unit = `${this.ref.name === 'day-of-month' ? 'day' : this.ref.name}s`;
    if (period > limit)
      this.fail(`monotonic period ${period} is longer than the field can count (at most ${limit} ${unit})`);
    if (offset > limit)
      this.fail(`monotonic offset ${offset} is beyond what the field can count (at most ${limit} ${unit})`);
    this.field.monotonic.push({ period, offset });
  }

  private parseDayOfMonthSpecial(item: string): boolean {
    if (item === 'L') return (this.field.lastDay = true);
    if (item === 'LW') return (this.field.lastWeekday = true);
    const lastMinus = /^L-(\d+)$/.exec(item);
    if (lastMinus) {
      const n = Number(lastMinus[1]);
      if (n > 30) this.fail(`L-${n}: offset out of range 0-30`);
      this.field.lastDayOffsets.push(n);
      return true;
    }
    const nearest = /^(\d+)W$/.exec(item);
    if (nearest) {
      const day = Number(nearest[1]);
      if (day < 1 || day > 31) this.fail(`value ${day} out of range 1-31`);
      this.field.nearestWeekday.push(day);
      return true;
    }
    return false;
  }

  private parseDayOfWeekSpecial(item: string): boolean {
    if (item === 'L') this.fail('"L" alone is ambiguous in day-of-week; write nL (e.g. 5L = last Friday)');
    const last = /^([0-9A-Z]+)L$/.exec(item);
    if (last) {
      this.field.lastOfWeekday.push(this.value(last[1] ?? '') % 7);
      return true;
    }
    const nth = /^([0-9A-Z]+)#(\d+)$/.exec(item);
    if (nth) {
      const weekday = this.value(nth[1] ?? '') % 7;
      const n = Number(nth[2]);
      if (n < 1 || n > 5) this.fail(`#${n}: occurrence out of range 1-5`);
      this.field.nthWeekday.push({ weekday, nth: n });
      return true;
    }
    return false;
  }

  private value(text: string): number {
    if (/^\d+$/.test(text)) {
      const v = Number(text);
      if (v < this.info.min || v > this.info.max) {
        this.fail(`value ${v} out of range ${this.info.min}-${this.info.max}`);
      }
      return v;
    }
    const names = this.info.names;
    const index = names ? names.indexOf(text) : -1;
    if (index < 0) this.fail(names ? `unknown name or value "${text}"` : `"${text}" is not a number`);
    return index + (this.ref.name === 'month' ? 1 : 0);
  }

  private positiveInt(text: string, what: string): number {
    const v = this.nonNegativeInt(text, what);
    if (v < 1) this.fail(`${what} must be at least 1`);
    return v;
  }

  private nonNegativeInt(text: string, what: string): number {
    if (!/^\d+$/.test(text)) this.fail(`${what} "${quoteExpression(text)}" is not a whole number`);
    if (text.length > 15) this.fail(`${what} has more than 15 digits`);
    return Number(text);
  }

  private addRange(from: number, to: number, step: number): void {
    if (this.ref.name === 'year') {
      if (from > to) this.fail(`range ${from}-${to} is reversed (years do not wrap around)`);
      this.field.yearRuns.push({ from, to, step });
      return;
    }
    // Day-of-week cycles over 0-6 with 7 as a second Sunday; other fields cycle over min..max.
    const isWeek = this.ref.name === 'day-of-week';
    const cycleMax = isWeek ? 6 : this.info.max;
    if (isWeek && from === 7) {
      from = 0;
      if (to === 7) to = 0;
    }
    const sequence: number[] = [];
    if (from <= to) {
      for (let v = from; v <= to; v++) sequence.push(v);
    } else {
      // Wrap-around such as 23-3 (hours) or FRI-MON.
      for (let v = from; v <= cycleMax; v++) sequence.push(v);
      for (let v = this.info.min; v <= to; v++) sequence.push(v);
    }
    for (let i = 0; i < sequence.length; i += step) {
      const v = sequence[i] ?? 0;
      this.field.flags[isWeek ? v % 7 : v] = 1;
    }
  }
}

const cache = new Map<string, CronSpec>();
const CACHE_LIMIT = 2000;

/**
 * Parsed fields are immutable, and thousands of schedules repeat the same few field texts (`0`, `*`,
 * `?`, `*\/5`): one shared instance per field text keeps 10,000 schedules small. Bounded: once full,
 * new texts are simply not shared.
 */
const fieldPool = new Map<string, CronField>();
const FIELD_POOL_LIMIT = 20_000;

function shared(key: string, make: () => CronField): CronField {
  const found = fieldPool.get(key);
  if (found) return found;
  const field = make();
  if (fieldPool.size < FIELD_POOL_LIMIT) fieldPool.set(key, field);
  return field;
}

function parseField(name: CronFieldName, index: number, text: string): CronField {
  return shared(`${name}\u0000${text.trim()}`, () => new FieldParser({ name, index }, text).parse());
}

/** Parses an expression; throws `CronSyntaxError` pointing at the offending field. Results are cached. */
export function parseCron(expression: string, options: ParseOptions = {}): CronSpec {
  const mode = options.wildcardUnderMonotonic ?? 'first';
  const key = `${mode}\u0000${expression}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const spec = parseUncached(expression, mode);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, spec);
  return spec;
}

function parseUncached(expression: string, mode: 'first' | 'every'): CronSpec {
  if (typeof expression !== 'string') throw new CronSyntaxError('expression must be a string');
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new CronSyntaxError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const parts = expression
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  const count = parts.length;
  if (count !== 5 && count !== 6 && count !== 7) {
    throw new CronSyntaxError(`expected 5, 6 or 7 fields, got ${count}`);
  }
  const layout = LAYOUTS[count];
  const fields = new Map<CronFieldName, CronField>();
  layout.forEach((name, index) => {
    fields.set(name, parseField(name, index, parts[index] ?? ''));
  });
  // Absent fields: a 5-field expression fires at second 0; without a year field every year matches.
  if (!fields.has('second')) fields.set('second', parseField('second', -1, '0'));
  if (!fields.has('year')) fields.set('year', parseField('year', -1, '*'));
  if (mode === 'first') pinWildcardsUnderMonotonic(fields);
  const get = (name: CronFieldName): CronField => fields.get(name) as CronField;
  return {
    source: expression.trim(),
    fieldCount: count,
    second: get('second'),
    minute: get('minute'),
    hour: get('hour'),
    dayOfMonth: get('day-of-month'),
    month: get('month'),
    dayOfWeek: get('day-of-week'),
    year: get('year'),
  };
}

/** `*` in second/minute/hour below a monotonic field becomes the field's first value (see ParseOptions). */
function pinWildcardsUnderMonotonic(fields: Map<CronFieldName, CronField>): void {
  let coarserMonotonic = false;
  for (let i = ORDER.length - 1; i >= 0; i--) {
    const name = ORDER[i];
    const field = fields.get(name) as CronField;
    if (coarserMonotonic && field.any && TIME_FIELDS.includes(name)) {
      fields.set(
        name,
        shared(`${name}\u0000${field.text}\u0000pinned`, () => {
          const flags = new Uint8Array(field.flags.length);
          flags[0] = 1;
          return { ...field, any: false, flags };
        }),
      );
    }
    if (field.monotonic.length > 0) coarserMonotonic = true;
  }
}
