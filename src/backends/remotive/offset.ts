/**
 * Playback offsets. The broker speaks microseconds; users write whatever is convenient:
 *
 * | input | meaning |
 * |---|---|
 * | `1500000` (number or digit string) | microseconds |
 * | `'62.5s'`, `'1500ms'`, `'250us'` / `'250µs'`, `'1.15min'`, `'2h'` | value with a unit |
 * | `'1:02.5'` | minutes:seconds |
 * | `'01:02:03.25'` | hours:minutes:seconds |
 *
 * A bare number with a fraction is refused (is `62.5` seconds or µs?); say `62.5s`.
 */
import { InputError } from '../../common/errors';

const UNIT_US: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  sec: 1_000_000,
  min: 60_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const NUMBER = '(\\d+(?:\\.\\d+)?|\\.\\d+)';
const WITH_UNIT = new RegExp(`^${NUMBER}\\s*(us|µs|ms|s|sec|min|m|h)$`, 'i');
const CLOCK = /^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$/;

export function parseOffset(value: unknown): number {
  if (typeof value === 'bigint') return checkRange(Number(value), String(value));
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError('the offset must be a finite number of microseconds');
    return checkRange(Math.round(value), String(value));
  }
  if (typeof value !== 'string')
    throw new InputError(
      `the offset must be microseconds or a time such as "1:02.5" or "62.5s", not ${describe(value)}`,
    );
  const text = value.trim();
  if (text === '') throw new InputError('the offset is empty');
  if (/^\d+$/.test(text)) return checkRange(Number(text), text);
  if (/^-/.test(text)) throw new InputError(`the offset "${text}" is negative`);
  if (/^\d*\.\d+$/.test(text))
    throw new InputError(
      `the offset "${text}" is ambiguous: a bare number is microseconds; add a unit such as "${text}s"`,
    );
  const unit = WITH_UNIT.exec(text);
  if (unit) return checkRange(Math.round(Number(unit[1]) * UNIT_US[unit[2].toLowerCase()]), text);
  const clock = CLOCK.exec(text);
  if (clock) {
    const hours = clock[1] === undefined ? 0 : Number(clock[1]);
    const minutes = Number(clock[2]);
    const seconds = Number(clock[3]);
    if (seconds >= 60) throw new InputError(`the offset "${text}" has ${seconds} seconds (must be below 60)`);
    if (clock[1] !== undefined && minutes >= 60)
      throw new InputError(
        `the offset "${text}" has ${minutes} minutes (must be below 60 when hours are given)`,
      );
    return checkRange(Math.round(((hours * 60 + minutes) * 60 + seconds) * 1_000_000), text);
  }
  throw new InputError(
    `the offset "${text}" is not understood (use microseconds, "62.5s", "1500ms", "1:02.5" or "01:02:03.25")`,
  );
}

function checkRange(us: number, shown: string): number {
  if (us < 0) throw new InputError(`the offset ${shown} is negative`);
  if (!Number.isSafeInteger(us)) throw new InputError(`the offset ${shown} is too large`);
  return us;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Offsets for people: µs → `m:ss.s` (or `h:mm:ss.s`), used in status texts and messages. */
export function formatOffset(us: number): string {
  const tenths = Math.floor(us / 100_000);
  const seconds = Math.floor(tenths / 10) % 60;
  const minutes = Math.floor(tenths / 600) % 60;
  const hours = Math.floor(tenths / 36_000);
  const ss = `${String(seconds).padStart(2, '0')}.${tenths % 10}`;
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
