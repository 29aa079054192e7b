/**
 * A short English description of an expression for the editor, e.g.
 * `0 5 * ? * * *` → "at second 0 of minute 5 of every hour",
 * `0 * %2 ? * * *` → "every 2 hours counted from 1970-01-01".
 * Best effort and English only: it explains, the evaluator decides.
 */
import { describeRelative } from './describe-relative';
import { parseCron, type ParseOptions } from './parse';
import type { CronField, CronSpec } from './spec';

export interface DescribeOptions extends ParseOptions {
  /** A relative schedule: described by its firings after the start (see describe-relative.ts). */
  readonly relative?: boolean;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3).toUpperCase());
const SHORT_WEEKDAYS = WEEKDAYS.slice(0, 7).map((d) => d.slice(0, 3).toUpperCase());

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

function joinWords(items: string[], word = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1] ?? ''}`;
}

type Namer = (token: string) => string;

const plain: Namer = (t) => t;
const monthName: Namer = (t) => {
  const i = SHORT_MONTHS.indexOf(t.toUpperCase());
  return MONTHS[i >= 0 ? i : Number(t) - 1] ?? t;
};
const weekdayName: Namer = (t) => {
  const i = SHORT_WEEKDAYS.indexOf(t.toUpperCase());
  return WEEKDAYS[i >= 0 ? i : Number(t)] ?? t;
};

/** One list item of a plain field (value, range, step) in words; steps name the unit. */
function itemWords(item: string, name: Namer, unit: string): string {
  const [base = '', step] = item.split('/');
  const range = base.length > 1 ? base.indexOf('-', 1) : -1;
  const baseWords =
    range > 0 ? `${name(base.slice(0, range))} to ${name(base.slice(range + 1))}` : name(base);
  if (step === undefined) return baseWords;
  const every = Number(step) === 1 ? `every ${unit}` : `every ${step} ${unit}s`;
  if (base === '*') return every;
  return range > 0 ? `${every} from ${baseWords}` : `${every} from ${baseWords} onwards`;
}

function monotonicWords(item: string, unit: string, epoch: string): string | null {
  const m = /^(\d*)%(\d+)$/.exec(item);
  if (!m) return null;
  const period = Number(m[2]);
  const offset = m[1] ? Number(m[1]) : 0;
  const every = period === 1 ? `every ${unit}` : `every ${period} ${unit}s`;
  return `${every}${offset ? ` from ${unit} ${offset}` : ''} counted from ${epoch}`;
}

function listWords(field: CronField, unit: string, name: Namer, epoch: string): string[] {
  return field.text
    .split(',')
    .map((item) => monotonicWords(item, unit, epoch) ?? itemWords(item, name, unit));
}

function isPinned(field: CronField): boolean {
  return field.text === '*' && !field.any;
}

function isFirst(field: CronField): boolean {
  return isPinned(field) || field.text === '0';
}

function timeWords(spec: CronSpec, epoch: string): string {
  const fields: [CronField, string][] = [
    [spec.second, 'second'],
    [spec.minute, 'minute'],
    [spec.hour, 'hour'],
  ];
  // "every 2 hours counted from …" when a single monotonic time field has only zeros below it.
  for (let i = fields.length - 1; i >= 0; i--) {
    const [field, unit] = fields[i];
    const lone = monotonicWords(field.text, unit, epoch);
    const finerAtFirst = fields.slice(0, i).every(([f]) => isFirst(f));
    const coarserAny = fields.slice(i + 1).every(([f]) => f.any);
    if (lone && finerAtFirst && coarserAny) return lone;
  }
  const start = spec.fieldCount === 5 ? 1 : 0;
  const parts: string[] = [];
  fields.slice(start).forEach(([field, unit], i) => {
    if (field.any) {
      parts.push(`every ${unit}`);
      return;
    }
    const words = listWords(field, unit, plain, epoch);
    const simple = words.every((w) => !w.startsWith('every'));
    const plural = words.length > 1 || field.text.includes('-') ? 's' : '';
    parts.push(simple ? `${i === 0 ? 'at ' : ''}${unit}${plural} ${joinWords(words)}` : joinWords(words));
  });
  // Drop a trailing "of every hour of every minute…" after an interval-like first part.
  if (parts[0]?.startsWith('every')) {
    while (parts.length > 1 && (parts[parts.length - 1] ?? '').match(/^every (minute|hour)$/)) parts.pop();
  }
  return parts.join(' of ');
}

function dayOfMonthWords(field: CronField, epoch: string): string {
  return joinWords(
    field.text.split(',').map((item) => {
      const upper = item.toUpperCase();
      if (upper === 'L') return 'the last day of the month';
      if (upper === 'LW') return 'the last weekday of the month';
      const before = /^L-(\d+)$/.exec(upper);
      if (before) return `${before[1]} days before the last day of the month`;
      const nearest = /^(\d+)W$/.exec(upper);
      if (nearest) return `the weekday nearest day ${nearest[1]}`;
      return monotonicWords(item, 'day', epoch) ?? `day ${itemWords(item, plain, 'day')}`;
    }),
    'or',
  );
}

function dayOfWeekWords(field: CronField): string {
  return joinWords(
    field.text.split(',').map((item) => {
      const last = /^(\w+?)L$/i.exec(item);
      if (last) return `the last ${weekdayName(last[1] ?? '')} of the month`;
      const nth = /^(\w+)#(\d)$/.exec(item);
      if (nth) return `the ${ordinal(Number(nth[2]))} ${weekdayName(nth[1] ?? '')} of the month`;
      return itemWords(item, weekdayName, 'day');
    }),
    'or',
  );
}

export function describe(expression: string, options: DescribeOptions = {}): string {
  const spec = parseCron(expression, options);
  if (options.relative) return describeRelative(expression, options);
  const epoch = '1970-01-01';
  const parts = [timeWords(spec, epoch)];
  const dom = spec.dayOfMonth.any ? '' : dayOfMonthWords(spec.dayOfMonth, epoch);
  const dow = spec.dayOfWeek.any ? '' : dayOfWeekWords(spec.dayOfWeek);
  if (dom && dow) parts.push(`on ${dom} or on ${dow}`);
  else if (dom) parts.push(dom.startsWith('every') ? dom : `on ${dom}`);
  else if (dow) parts.push(`on ${dow}`);
  if (!spec.month.any) {
    const months = listWords(spec.month, 'month', monthName, epoch);
    parts.push(months[0]?.startsWith('every') ? joinWords(months) : `in ${joinWords(months)}`);
  }
  if (!spec.year.any) {
    const years = listWords(spec.year, 'year', plain, epoch);
    parts.push(years[0]?.startsWith('every') ? joinWords(years) : `in ${joinWords(years)}`);
  }
  return parts.join(', ');
}
