/**
 * Relative schedules (motif `camera_relative`, recorder-schedule "relative to start") in words
 * relative to their start: `0 30 0 1 1 ?` is "30 minutes after start", `0 30/5 0 1 1 ?` is "30 minutes
 * after start, then every 5 minutes until 55 minutes after start". The fields of a relative
 * expression read a synthetic clock that shows 1970-01-01 00:00:00 at the start, so a wall-clock
 * description ("at minute 30 of hour 0, on day 1, in January") is true but useless. The words are
 * built from the firings themselves, found by the same engine that runs the schedule.
 */
import { CronSchedule, type CronScheduleOptions } from './cron-schedule';
import { DAY, HOUR, MINUTE, SECOND } from './wall-search';

/** Firings looked at: enough to see an hourly break in a 40-second rhythm (~0.1 ms of work). */
const SAMPLES = 100;
/** Descriptions kept (a `list` of thousands of schedules repeats few expressions). */
const cache = new Map<string, string>();
const CACHE_LIMIT = 2000;
/** Beyond this, firings are only mentioned as "again from …" (a recording rarely runs a month). */
const HORIZON = 32 * DAY;

const UNITS: [number, string][] = [
  [DAY, 'day'],
  [HOUR, 'hour'],
  [MINUTE, 'minute'],
  [SECOND, 'second'],
];

/** A duration in words, every unit that is not zero: "1 hour 30 minutes", "17 seconds". */
export function durationWords(ms: number): string {
  let rest = Math.round(ms / SECOND) * SECOND;
  const parts: string[] = [];
  for (const [size, name] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? parts.join(' ') : '0 seconds';
}

/** "every 5 minutes", "every hour" (not "every 1 hour"). */
function everyWords(ms: number): string {
  const words = durationWords(ms);
  return /^1 [a-z]+$/.test(words) ? words.slice(2) : words;
}

/** An offset from the start as a clock reading: "+0:30:00", "+2d 1:00:05". */
export function offsetText(ms: number): string {
  const s = Math.round(ms / SECOND);
  const days = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return days > 0 ? `+${days}d ${clock}` : `+${clock}`;
}

/** The first firings of a relative expression as offsets (ms) from its start. */
export function relativeOffsets(
  expression: string,
  count: number,
  options: Omit<CronScheduleOptions, 'relativeTo' | 'timeZone'> = {},
): number[] {
  return new CronSchedule(expression, { ...options, relativeTo: 0 }).nextN(0, count);
}

/** "30 minutes after start, then every 5 minutes until 55 minutes after start; again from …". */
export function describeRelative(
  expression: string,
  options: Omit<CronScheduleOptions, 'relativeTo' | 'timeZone'> = {},
): string {
  const key = `${options.wildcardUnderMonotonic ?? 'first'}\u0000${expression}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = words(expression, options);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, text);
  }
  return text;
}

function words(expression: string, options: Omit<CronScheduleOptions, 'relativeTo' | 'timeZone'>): string {
  const offsets = relativeOffsets(expression, SAMPLES, options);
  if (offsets.length === 0) return 'never fires after the start';
  const parts: string[] = [];
  let i = 0;
  // At most two runs of equal gaps are spelled out; a firing beyond a month is only "again from".
  while (i < offsets.length && parts.length < 2) {
    const start = offsets[i];
    if (start >= HORIZON && parts.length > 0) {
      parts.push(`again from ${durationWords(start)} after start`);
      i = offsets.length;
      break;
    }
    const gap = (offsets[i + 1] ?? Infinity) - start;
    let end = i;
    if (gap < HORIZON) while (end + 1 < offsets.length && offsets[end + 1] - offsets[end] === gap) end++;
    let words = `${parts.length === 0 ? '' : 'again from '}${durationWords(start)} after start`;
    if (end > i) {
      words += `${parts.length === 0 ? ', then' : ','} every ${everyWords(gap)}`;
      // A run that reaches the last firing looked at is taken to go on.
      if (end < offsets.length - 1 || offsets.length < SAMPLES)
        words += ` until ${durationWords(offsets[end])} after start`;
    }
    parts.push(words);
    i = end + 1;
  }
  return parts.join('; ') + (i < offsets.length ? '; …' : '');
}
