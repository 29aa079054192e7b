/**
 * Timestamps for Hasura `timestamp` (Postgres `timestamp without time zone`) columns. The vendor's
 * scripts send UTC wall-clock time as `YYYY-MM-DDTHH:mm:ss` without an offset; we do the same and
 * parse server values as UTC too (JS would read an offset-less ISO string as local time).
 */
import { InputError } from '../../common/errors';
import { describe } from '../../common/input';

/** What a message may carry as a time: a Date, an ISO string, epoch ms, `now`, `+30m`. */
export type TimeInput = Date | string | number;

/**
 * The "always" window of the Standby script: Python's `datetime.min` / `datetime.max` formatted with
 * `strftime('%Y-…')`, which does not pad the year. That is what Aivero's devices have been fed
 * (Postgres reads the first as 2001-01-01, still "always" for a recording).
 */
export const ALWAYS_START = '1-01-01T00:00:00';
export const ALWAYS_END = '9999-12-31T23:59:59';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MIN_MS = new Date('0001-01-01T00:00:00Z').getTime();
const MAX_MS = new Date('9999-12-31T23:59:59.999Z').getTime();
const ISO =
  /^(\d{1,4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses a time input into a Date; `now` is injectable for tests. */
export function parseTime(input: unknown, what = 'time', now: number = Date.now()): Date {
  let ms: number;
  if (input instanceof Date) {
    ms = input.getTime();
  } else if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InputError(`${what} must be a finite number of epoch ms`);
    ms = input;
  } else if (typeof input === 'string') {
    ms = parseTimeString(input.trim(), what, now);
  } else {
    throw new InputError(
      `${what} must be a date, an ISO time, epoch ms, "now" or "+30m", got ${describe(input)}`,
    );
  }
  if (Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS)
    throw new InputError(`${what} is not a valid time between the years 1 and 9999`);
  return new Date(ms);
}

function parseTimeString(text: string, what: string, now: number): number {
  if (text.length > 64) throw new InputError(`${what} is too long to be a time`);
  if (/^now$/i.test(text)) return now;
  const relative = /^([+-])\s*(\d{1,9}(?:\.\d{1,3})?)\s*([smhd])$/i.exec(text);
  if (relative) {
    const amount = Number(relative[2]) * UNIT_MS[relative[3].toLowerCase()];
    return relative[1] === '-' ? now - amount : now + amount;
  }
  if (/^\d{11,16}$/.test(text)) return Number(text);
  const m = ISO.exec(text);
  if (!m)
    throw new InputError(
      `${what} must be an ISO time (2024-05-01T12:00:00), epoch ms, "now" or "+30m", got ${describe(text)}`,
    );
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), frac ? Math.floor(Number(frac) * 1000) : 0);
  // Reject 2024-02-31 and 25:00 instead of letting Date roll them over.
  if (
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d) ||
    date.getUTCHours() !== Number(h) ||
    date.getUTCMinutes() !== Number(mi) ||
    date.getUTCSeconds() !== Number(s)
  )
    throw new InputError(`${what} is not a real date and time: ${describe(text)}`);
  let ms = date.getTime();
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** A Date as Hasura `timestamp` input: UTC, `YYYY-MM-DDTHH:mm:ss`, no offset, no fraction. */
export function formatTimestamp(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** A time input straight to the wire form. */
export function toTimestamp(input: unknown, what = 'time', now?: number): string {
  return formatTimestamp(parseTime(input, what, now));
}

/** A `timestamp` value from the server (no offset = UTC) as a Date; undefined if unreadable. */
export function parseServerTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseTime(value, 'server time');
  } catch {
    return undefined;
  }
}
